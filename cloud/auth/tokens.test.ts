import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signAccessToken, verifyAccessToken } from './tokens.ts'

const secret = randomBytes(32)
const T = Date.UTC(2026, 0, 1)
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

describe('access tokens', () => {
  it('verify while unexpired, with the same secret', async () => {
    const token = await signAccessToken({ user: 7, session: 3 }, secret, T, 900)
    expect(await verifyAccessToken(token, secret, T + 899_000)).toEqual({ user: 7, session: 3 })
    expect(await verifyAccessToken(token, secret, T + 901_000)).toBeNull()
    expect(await verifyAccessToken(token, randomBytes(32), T)).toBeNull()
  })

  it('refuse an unsigned (alg none) token, a changed payload and garbage', async () => {
    const token = await signAccessToken({ user: 7, session: 3 }, secret, T, 900)
    const [header, payload, signature] = token.split('.')
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`
    const changed = `${header}.${b64({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: '1' })}.${signature}`
    for (const bad of [none, changed, 'a.b.c', '', token.slice(0, -2)])
      expect(await verifyAccessToken(bad, secret, T)).toBeNull()
  })
})
