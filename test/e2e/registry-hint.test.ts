import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { createConfigEditor } from '../../edge/console/configure/editor.ts'
import type { ConfigEditor } from '../../edge/console/configure/types.ts'
import { createLogger } from '../../edge/log.ts'
import { HINT_FILE, openRegistryHints, type RegistryHints } from '../../edge/registry-hint.ts'
import { startSupervisedEdge, type SupervisedEdge } from '../../edge/supervisor.ts'
import { systemClock } from '../../shared/clock.ts'
import { storeKey } from '../cloud/helpers.ts'
import { bearer } from '../util/http.ts'
import { createMosquitto, type Mosquitto } from '../util/mosquitto.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'
import { startTestCloud } from '../util/test-cloud.ts'

/**
 * Issue 19, bad input "a point id already owned by another edge", on real parts (Debian's
 * mosquitto, the cloud service with its ingest, a supervised edge agent): the park binds
 * `b.level` to edge B; edge A learns it from the registry hint sent after its birth, and its
 * console's table import naming `b.level` is refused by row, nothing written. When the park
 * moves the point to A, A is told again and the id is no longer refused.
 */
const SITE = 'huaian'

describe('the edge console refuses a point id the park registry binds to another edge', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-registry-hint-'))
  const file = path.join(dir, 'edge.yaml')
  const dataDir = path.join(dir, 'data')
  let mosquitto: Mosquitto
  let cloud: RunningCloud
  let edge: SupervisedEdge
  let hints: RegistryHints
  let editor: ConfigEditor
  let api: string
  let auth: Record<string, string>

  beforeAll(async () => {
    const port = await freePort()
    const plc = await freePort() // nothing listens: the points read bad, the agent runs
    mosquitto = createMosquitto(port)
    await mosquitto.start()
    const url = `mqtt://127.0.0.1:${port}`
    cloud = await startTestCloud(
      CloudConfigSchema.parse({
        dataDir: path.join(dir, 'cloud'),
        http: { port: 0 },
        mqtt: { url, clientId: 'cloud-registry-hint', reconnectPeriodMs: 200 },
        registry: {
          enterprises: [{ id: 'shilian', name: '实联化工' }],
          edges: [
            { id: 'A', site: SITE, enterprise: 'shilian', claim: 'open' },
            { id: 'B', site: SITE, enterprise: 'shilian' },
          ],
          points: [
            { id: 'a.level', name: 'a', enterprise: 'shilian', edge: 'A', class: 'general' },
            { id: 'b.level', name: 'b', enterprise: 'shilian', edge: 'B', class: 'general' },
          ],
        },
      }),
      { log: createCloudLogger({ level: 'silent' }) },
    )
    api = `${cloud.url}/api/v1`
    auth = bearer(await storeKey(cloud.store, 'park_admin'))
    writeFileSync(
      file,
      [
        `site: ${SITE}`,
        'edge: A',
        'dataDir: ./data',
        `uplink: { url: "${url}", reconnectMinMs: 100, reconnectMaxMs: 300, heartbeatMs: 500 }`,
        'devices:',
        `  - { id: plc, kind: modbus-tcp, host: 127.0.0.1, port: ${plc}, pollMs: 1000, points: [{ id: a.level, address: hr0 }] }`,
        '',
      ].join('\n'),
    )
    const log = createLogger('registry-hint-e2e', 'silent')
    hints = openRegistryHints(dataDir, log)
    editor = createConfigEditor({
      file,
      dataDir,
      clock: systemClock,
      log,
      env: {},
      applyFile: () => edge.apply(),
      hints,
    })
    edge = await startSupervisedEdge(file, log, { watchIntervalMs: 3_600_000, registryHints: hints, configure: editor })
  }, 60_000)

  afterAll(async () => {
    await edge?.stop()
    await cloud?.stop()
    await mosquitto?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  const table = Buffer.from('device,id,address\r\nplc,new.ok,hr1\r\nplc,b.level,hr2\r\n')
  const who = { user: 'technician', remote: null }

  it('lists the row with what to do and applies nothing; the hint is kept 0600 in the data dir', async () => {
    await waitFor(() => hints.refused(['b.level']).length > 0, { timeoutMs: 30_000, message: 'registry hint received' })
    expect(statSync(path.join(dataDir, HINT_FILE)).mode & 0o777).toBe(0o600)
    const before = readFileSync(file, 'utf8')
    const proposal = await editor.importTable(table, 'points.csv', who)
    expect(proposal).toMatchObject({
      ok: false,
      problems: [
        {
          line: 3,
          message: expect.stringContaining('已被其他网关登记'),
          hint: expect.stringContaining('PUT /api/v1/registry/points/b.level/edge'),
        },
      ],
    })
    expect(readFileSync(file, 'utf8')).toBe(before)
    expect(editor.changes()).toEqual([])
    // Other edges' ids never travel in clear.
    expect(readFileSync(path.join(dataDir, HINT_FILE), 'utf8')).not.toContain('b.level')
  })

  it('a registry move tells the edge again: the id is its own now', async () => {
    const res = await fetch(`${api}/registry/points/b.level/edge`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ edge: 'A' }),
    })
    expect(res.status).toBe(200)
    await waitFor(() => hints.refused(['b.level']).length === 0, {
      timeoutMs: 30_000,
      message: 'new hint after the move',
    })
    expect(readFileSync(path.join(dataDir, HINT_FILE), 'utf8')).toContain('b.level')
  })
})
