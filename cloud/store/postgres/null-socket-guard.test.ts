import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { captureLogger } from '../../../test/cloud/helpers.ts'
import { guardNullSocketWrites, isNullSocketWrite } from './null-socket-guard.ts'

/** The error as postgres.js 3.4.9 throws it (its stack as in porsager/postgres#1154). */
function nullSocketWrite(file = 'file:///srv/parklink/node_modules/postgres/src/connection.js'): TypeError {
  const err = new TypeError("Cannot read properties of null (reading 'write')")
  err.stack = `${err.name}: ${err.message}\n    at Immediate.nextWrite (${file}:255:22)\n    at process.processImmediate (node:internal/timers:485:21)`
  return err
}

describe("the guard against postgres.js's write to a closed connection", () => {
  it('knows that error (ESM and CJS builds), and nothing else', () => {
    expect(isNullSocketWrite(nullSocketWrite())).toBe(true)
    expect(isNullSocketWrite(nullSocketWrite('/srv/parklink/node_modules/postgres/cjs/src/connection.js'))).toBe(true)
    expect(isNullSocketWrite(nullSocketWrite('/srv/parklink/cloud/ingest/handlers.ts'))).toBe(false)
    expect(isNullSocketWrite(new TypeError("Cannot read properties of null (reading 'write')"))).toBe(false)
    const other = nullSocketWrite()
    other.message = "Cannot read properties of null (reading 'end')"
    expect(isNullSocketWrite(other)).toBe(false)
    expect(isNullSocketWrite('a string')).toBe(false)
  })

  it('logs and survives that error; any other uncaught exception still ends the process with code 1', () => {
    const codes: number[] = []
    const proc = Object.assign(new EventEmitter(), { exit: (code: number) => void codes.push(code) })
    const { log, lines } = captureLogger()
    const printed: string[] = []
    const remove = guardNullSocketWrites(log, proc, (t) => printed.push(t))
    proc.emit('uncaughtException', nullSocketWrite())
    expect(codes).toEqual([])
    expect(lines().some((l) => l.level === 40 && /porsager\/postgres#1154/.test(String(l.msg)))).toBe(true)
    proc.emit('uncaughtException', new RangeError('a real bug'))
    expect(codes).toEqual([1])
    expect(printed.join('')).toMatch(/RangeError: a real bug/)
    remove()
    expect(proc.listenerCount('uncaughtException')).toBe(0)
  })
})
