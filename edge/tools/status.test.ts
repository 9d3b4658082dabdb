import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../test/util/ports.ts'
import { startParklink, stopAll } from '../../test/util/child.ts'
import { waitFor } from '../../test/util/wait.ts'
import { startEdgeAgent } from '../agent.ts'
import { parseEdgeConfig } from '../config.ts'
import type { Driver } from '../drivers/driver.ts'
import { createLogger } from '../log.ts'

describe('parklink edge status', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-status-'))
  afterAll(async () => {
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  })

  it('reports outbox depth in hours while the broker is down, and says when the agent is not running', async () => {
    const file = path.join(dir, 'edge.yaml')
    writeFileSync(
      file,
      [
        'site: huaian',
        'edge: e1',
        'dataDir: ./data',
        `uplink: { url: "mqtt://127.0.0.1:${await freePort()}", reconnectMinMs: 100, reconnectMaxMs: 200 }`,
        'devices:',
        '  - { id: plc, kind: modbus-tcp, host: 127.0.0.1, points: [{ id: e1.level, address: hr0 }] }',
        '',
      ].join('\n'),
    )
    // A PLC whose samples are stamped two hours ago (a backlog that old).
    const twoHoursAgo = Date.now() - 2 * 3_600_000
    const driver: Driver = {
      device: 'plc',
      kind: 'test',
      points: [{ id: 'e1.level' }],
      pollIntervalMs: 100,
      start: async () => {},
      stop: async () => {},
      status: () => ({ state: 'connected', since: 0, lastError: null }),
      read: async () => [{ point: 'e1.level', ts: twoHoursAgo, value: 1, quality: 'good' }],
    }
    const agent = await startEdgeAgent(parseEdgeConfig((await import('node:fs')).readFileSync(file, 'utf8'), file), {
      log: createLogger('status-test', 'silent'),
      createDriver: () => driver,
    })
    try {
      await waitFor(() => agent.status().outbox.samples >= 3)
      const status = async () => {
        const child = startParklink('status', ['edge', 'status', '--config', file])
        return { code: await child.exited, output: child.output() }
      }
      const running = await waitFor(
        async () => {
          const r = await status()
          return r.code === 0 && /oldest held 2 h behind/.test(r.output) ? r : null
        },
        { timeoutMs: 15_000, intervalMs: 1_000 },
      )
      expect(running.output).toMatch(/uplink: DISCONNECTED/)
      expect(running.output).toMatch(/outbox [0-9a-f]{8}: \d+ samples in \d+ batches/)
      expect(running.output).toMatch(/plc +test +connected/)
      // The data disk, with the outbox's reserve in place (issue 14).
      expect(running.output).toMatch(/^disk: \d+\.\d MB free, reserve of 16\.8 MB held$/m)
    } finally {
      await agent.stop()
    }
    // Stopped: the last status is shown, marked as such, exit 1 (once it is older than 30 s:
    // here the file is aged by hand instead of waiting).
    const statusFile = path.join(dir, 'data', 'status.json')
    const last = JSON.parse((await import('node:fs')).readFileSync(statusFile, 'utf8'))
    writeFileSync(statusFile, JSON.stringify({ ...last, at: Date.now() - 60_000 }))
    const child = startParklink('status', ['edge', 'status', '--config', file])
    expect(await child.exited).toBe(1)
    expect(child.output()).toMatch(/the agent is NOT running/)
  }, 60_000)
})
