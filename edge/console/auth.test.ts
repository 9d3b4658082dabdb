import { describe, expect, it } from 'vitest'
import { createLoginGuard, createSessions, passwordMatches } from './auth.ts'

describe('console auth', () => {
  it('compares passwords exactly, whatever their lengths', () => {
    expect(passwordMatches('s3cret-pass', 's3cret-pass')).toBe(true)
    expect(passwordMatches('s3cret-pas', 's3cret-pass')).toBe(false)
    expect(passwordMatches('', 's3cret-pass')).toBe(false)
    expect(passwordMatches('S3cret-pass', 's3cret-pass')).toBe(false)
  })

  it('accepts its own session until it expires, and nothing forged or from another key', () => {
    const sessions = createSessions(60_000, Buffer.alloc(32, 1))
    const token = sessions.issue(1_000)
    expect(sessions.valid(token, 1_000)).toBe(true)
    expect(sessions.valid(token, 60_999)).toBe(true)
    expect(sessions.valid(token, 61_000)).toBe(false)
    // A longer expiry with the old signature is refused.
    expect(sessions.valid(token.replace(/^\d+/, '99999999'), 1_000)).toBe(false)
    expect(sessions.valid(createSessions(60_000, Buffer.alloc(32, 2)).issue(1_000), 1_000)).toBe(false)
    expect(sessions.valid(undefined, 1_000)).toBe(false)
    expect(sessions.valid('garbage', 1_000)).toBe(false)
    // The console restarted in the same process (a config apply) still knows its sessions.
    expect(createSessions(60_000).valid(createSessions(1_000).issue(0), 500)).toBe(true)
  })

  it('locks the login after repeated failures, for a while', () => {
    const guard = createLoginGuard(3, 60_000, 30_000)
    guard.failed(0)
    guard.failed(1_000)
    expect(guard.lockedFor(1_000)).toBe(0)
    guard.failed(2_000)
    expect(guard.lockedFor(2_000)).toBe(30_000)
    expect(guard.lockedFor(32_000)).toBe(0)
    // Failures spread wider than the window never lock.
    guard.failed(100_000)
    guard.failed(170_000)
    guard.failed(240_000)
    expect(guard.lockedFor(240_000)).toBe(0)
    guard.succeeded()
  })
})
