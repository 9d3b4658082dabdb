import { afterEach, describe, expect, it, vi } from 'vitest'
import { withStdoutOnStderr } from './quiet-stdout.ts'

describe('withStdoutOnStderr', () => {
  afterEach(() => vi.restoreAllMocks())

  it("sends a library's stdout output to stderr while it runs, and restores stdout afterwards, also on failure", async () => {
    const out: string[] = []
    const err: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true))
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true))
    const r = await withStdoutOnStderr(async () => {
      process.stdout.write('[NODE-OPCUA-W01] certificate noise\n')
      return 42
    })
    await expect(withStdoutOnStderr(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    process.stdout.write('{"ok":true}\n')
    expect(r).toBe(42)
    expect(err.join('')).toContain('certificate noise')
    expect(out).toEqual(['{"ok":true}\n'])
  })
})
