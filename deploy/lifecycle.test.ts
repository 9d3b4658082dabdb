import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { captureLogger } from '../test/cloud/helpers.ts'
import { runUntilSignal } from './lifecycle.ts'

/** A start the test finishes when it wants, and a service that counts its stops. */
function service() {
  const { log, lines } = captureLogger()
  let stops = 0
  let finish: () => void = () => {}
  const started = new Promise<void>((resolve) => (finish = resolve))
  const start = async () => {
    await started
    return { log, stop: async () => void stops++ }
  }
  return { start, finish, stops: () => stops, lines }
}

describe('runUntilSignal', () => {
  it('runs until a signal, then stops once and lets go of the signals', async () => {
    const signals = new EventEmitter()
    const s = service()
    const run = runUntilSignal(s.start, signals)
    s.finish()
    await expect.poll(() => signals.listenerCount('SIGTERM')).toBe(1)
    expect(s.stops()).toBe(0)
    signals.emit('SIGTERM', 'SIGTERM')
    await run
    expect(s.stops()).toBe(1)
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0)
  })

  it('keeps a signal that arrives while starting and stops cleanly once the start is complete', async () => {
    const signals = new EventEmitter()
    const s = service()
    const run = runUntilSignal(s.start, signals)
    signals.emit('SIGTERM', 'SIGTERM') // still starting: Node's default would kill the process here
    expect(s.stops()).toBe(0)
    s.finish()
    await run
    expect(s.stops()).toBe(1)
    expect(s.lines().some((l) => l.signal === 'SIGTERM' && /while starting/.test(String(l.msg)))).toBe(true)
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0)
  })

  it('lets go of the signals when the start fails, and passes the failure on', async () => {
    const signals = new EventEmitter()
    const failed = new Error('database unreachable')
    await expect(runUntilSignal(() => Promise.reject(failed), signals)).rejects.toBe(failed)
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0)
  })
})
