import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { startOpcuaSim } from '../../../test/sim/opcua-sim.ts'
import { createLogger } from '../../log.ts'
import { browseOpcua } from './browse.ts'
import { OpcuaDeviceConfig } from './config.ts'

/**
 * node-opcua's own warnings go to the parklink log at debug, never to the terminal (issue 19).
 * Its loggers are process-wide and taken over at the first connection: this file's only one.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'parklink-opcua-library-log-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("node-opcua's messages", () => {
  it('are debug records of the parklink log, and nothing of theirs reaches the console', async () => {
    const sim = await startOpcuaSim()
    const records: Array<{ level: number; lib?: string; msg: string }> = []
    const log = createLogger('opcua-library-log-test', 'debug', {
      write: (line: string) => void records.push(JSON.parse(line)),
    })
    const printed = vi.spyOn(console, 'log')
    try {
      const config = OpcuaDeviceConfig.parse({
        id: 'fresh',
        kind: 'opcua',
        endpoint: sim.endpoint,
        acceptUnknownServerCertificate: true,
        points: [{ id: 'fresh.none', nodeId: 'i=85' }],
      })
      // A new data directory: the client creates its certificate and says so ("please wait").
      await browseOpcua(config, { dataDir: path.join(dir, 'edge'), log, depth: 1 })
      const lib = records.filter((r) => r.lib === 'node-opcua')
      expect(lib.map((r) => r.msg)).toContainEqual(expect.stringContaining('Creating default certificate'))
      expect(new Set(lib.map((r) => r.level))).toEqual(new Set([20]))
      const ours = printed.mock.calls.map((c) => c.join(' ')).filter((l) => /Creating default certificate/.test(l))
      expect(ours).toEqual([])
    } finally {
      printed.mockRestore()
      await sim.stop()
    }
  }, 60_000)
})
