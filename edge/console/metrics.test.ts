import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbeddedBroker } from '../../deploy/demo/broker.ts'
import { CloudConfigSchema } from '../../cloud/config.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { startModbusSim, type ModbusSim } from '../../test/sim/modbus-sim.ts'
import { parsePrometheusText, sampleValue, type PromFamily } from '../../test/util/prom-text.ts'
import { startTestCloud } from '../../test/util/test-cloud.ts'
import { waitFor } from '../../test/cloud/helpers.ts'
import { startEdgeAgent, type EdgeAgent } from '../agent.ts'
import { EdgeConfigSchema, resolveEdgeConfig } from '../config.ts'
import { createLogger } from '../log.ts'

/**
 * The edge's GET /metrics on the console's listener (issue 16): a real agent reading a Modbus
 * simulator, uplinked through a real broker to a real cloud, scraped with the scrape token or a
 * console session; the strict text reader checks every answer.
 */
const TOKEN = 'edge-scrape-token-0123456789abcdef'
const PASSWORD = 'console-pw-2026'
const env = { TEST_CONSOLE_PW: PASSWORD, TEST_SCRAPE: TOKEN }

describe('edge GET /metrics', () => {
  let dir: string
  let sim: ModbusSim
  let broker: Awaited<ReturnType<typeof startEmbeddedBroker>>
  let cloud: RunningCloud
  let agent: EdgeAgent
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-edge-metrics-'))
    sim = await startModbusSim()
    sim.setValue('holding', 0, 20, 'float32') // over the HH limit below: a local alarm
    broker = await startEmbeddedBroker(0)
    cloud = await startTestCloud(
      CloudConfigSchema.parse({
        dataDir: path.join(dir, 'cloud'),
        http: { host: '127.0.0.1', port: 0 },
        mqtt: { url: broker.url, clientId: `cloud-edge-metrics-${process.pid}`, reconnectPeriodMs: 200 },
        log: { level: 'silent' },
      }),
      { log: createLogger('cloud', 'silent') },
    )
    const config = resolveEdgeConfig(
      EdgeConfigSchema.parse({
        site: 'huaian',
        edge: 'e1',
        dataDir: './edge',
        uplink: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 200 },
        devices: [
          {
            id: 'dcs',
            kind: 'modbus-tcp',
            host: '127.0.0.1',
            port: sim.port,
            pollMs: 100,
            points: [{ id: 'tk101.level', name: '液位', unit: 'm', address: 'hr0', type: 'float32' }],
          },
        ],
        alarms: { points: [{ id: 'tk101.level', limits: { hh: 10 } }] },
        console: { listen: '127.0.0.1:0', passwordEnv: 'TEST_CONSOLE_PW', metricsTokenEnv: 'TEST_SCRAPE' },
      }),
      dir,
    )
    agent = await startEdgeAgent(config, { log: createLogger('edge', 'silent'), env })
  })
  afterAll(async () => {
    await agent?.stop()
    await cloud?.stop()
    await broker?.close()
    await sim?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const get = (headers: Record<string, string> = {}) => fetch(`${agent.consoleUrl}/metrics`, { headers })
  const scrape = async () => {
    const res = await get({ authorization: `Bearer ${TOKEN}` })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    return parsePrometheusText(await res.text())
  }
  const total = (f: Map<string, PromFamily>, name: string) =>
    (f.get(name)?.samples ?? []).reduce((n, s) => n + s.value, 0)

  it('refuses without credentials or with a wrong token (401)', async () => {
    expect((await get()).status).toBe(401)
    const wrong = await get({ authorization: `Bearer ${TOKEN}-not` })
    expect(wrong.status).toBe(401)
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('PL_UNAUTHENTICATED')
  })

  it('answers a console session too', async () => {
    const login = await fetch(`${agent.consoleUrl}/login`, {
      method: 'POST',
      body: new URLSearchParams({ password: PASSWORD }),
      redirect: 'manual',
    })
    expect(login.status).toBe(303)
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!
    const res = await get({ cookie })
    expect(res.status).toBe(200)
    expect(parsePrometheusText(await res.text()).has('parklink_edge_outbox_batches')).toBe(true)
  })

  it('moves with the edge: driver state, uplink, batches sent and acked, a local alarm', async () => {
    const labels = { site: 'huaian', edge: 'e1' }
    // Each of these becomes true once data flows (under load a read may be late, a link replaced).
    const f = await waitFor('acked, connected, reading, alarmed', async () => {
      const f = await scrape()
      return (sampleValue(f, 'parklink_edge_uplink_batches_acked_total') ?? 0) > 0 &&
        sampleValue(f, 'parklink_edge_uplink_connected', labels) === 1 &&
        sampleValue(f, 'parklink_edge_driver_state', { device: 'dcs', state: 'connected' }) === 1 &&
        total(f, 'parklink_edge_local_alarms_raised_total') === 1
        ? f
        : undefined
    })
    expect(sampleValue(f, 'parklink_edge_uplink_batches_sent_total')).toBeGreaterThanOrEqual(
      sampleValue(f, 'parklink_edge_uplink_batches_acked_total')!,
    )
    expect(sampleValue(f, 'parklink_edge_driver_state', { device: 'dcs', state: 'disconnected' })).toBe(0)
    expect(sampleValue(f, 'parklink_edge_local_alarms_raised_total', { priority: 'none' })).toBeUndefined()
    expect(sampleValue(f, 'parklink_edge_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0)
    expect(f.get('parklink_edge_outbox_batches')?.type).toBe('gauge')
    // And the counter keeps moving while samples flow.
    const sent = sampleValue(f, 'parklink_edge_uplink_batches_sent_total')!
    await waitFor(
      'more batches sent',
      async () => sampleValue(await scrape(), 'parklink_edge_uplink_batches_sent_total')! > sent,
    )
  })

  // Last: it locks the console's login for a minute.
  it('locks after repeated wrong tokens, like wrong passwords (429, even for the right token)', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await get({ authorization: `Bearer guess-${i}` })).status)
    // Five wrong tries (the first test's included) lock it: 401s, then 429s.
    expect(statuses[0]).toBe(401)
    expect(statuses.at(-1)).toBe(429)
    const locked = await get({ authorization: `Bearer ${TOKEN}` })
    expect(locked.status).toBe(429)
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('PL_TOO_MANY_REQUESTS')
  })
})
