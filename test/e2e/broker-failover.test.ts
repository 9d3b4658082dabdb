import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloudConfigSchema } from '../../cloud/config.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { startEdgeAgent, type EdgeAgent } from '../../edge/agent.ts'
import { EdgeConfigSchema, resolveEdgeConfig } from '../../edge/config.ts'
import { createLogger } from '../../edge/log.ts'
import { LEVEL, registry, storeKey } from '../cloud/helpers.ts'
import { startModbusSim, type ModbusSim } from '../sim/modbus-sim.ts'
import { bearer, getJson } from '../util/http.ts'
import { createMosquitto, type Mosquitto } from '../util/mosquitto.ts'
import { freePort } from '../util/ports.ts'
import { startTestCloud } from '../util/test-cloud.ts'
import { waitFor } from '../util/wait.ts'

/**
 * Broker failover (issue 16): two independent Debian Mosquittos (no persistence), the edge and
 * the cloud both configured `url: broker 1, failover: [broker 2]`. Data flows through broker 1;
 * broker 1 is killed (SIGKILL) mid-stream; the edge births again on broker 2, the cloud
 * resubscribes there, and the stream continues: every seq the edge assigned is stored and acked
 * (the cloud's contiguous mark reaches the edge's last seq, nothing evicted, no gap). Two
 * separate brokers share no session: nothing here rests on one, the edge resends until acked.
 */
const EDGE = 'shilian-01'

describe('broker failover: the edge and the cloud continue on the second broker', () => {
  let dir: string
  let brokers: Mosquitto[]
  let sim: ModbusSim
  let cloud: RunningCloud
  let agent: EdgeAgent
  let auth: Record<string, string>

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-failover-'))
    brokers = [createMosquitto(await freePort()), createMosquitto(await freePort())]
    await Promise.all(brokers.map((b) => b.start()))
    const [first, second] = brokers.map((b) => `mqtt://127.0.0.1:${b.port}`)
    sim = await startModbusSim()
    sim.setValue('holding', 0, 5, 'float32')
    cloud = await startTestCloud(
      CloudConfigSchema.parse({
        dataDir: path.join(dir, 'cloud'),
        http: { host: '127.0.0.1', port: 0 },
        mqtt: { url: first, failover: [second], clientId: `cloud-failover-${process.pid}`, reconnectPeriodMs: 200 },
        log: { level: 'silent' },
        registry,
      }),
      { log: createLogger('cloud', 'silent') },
    )
    auth = bearer(await storeKey(cloud.store))
    agent = await startEdgeAgent(
      resolveEdgeConfig(
        EdgeConfigSchema.parse({
          site: 'huaian',
          edge: EDGE,
          dataDir: './edge',
          uplink: {
            url: first,
            failover: [second],
            reconnectMinMs: 50,
            reconnectMaxMs: 400,
            ackTimeoutMs: 2_000,
            heartbeatMs: 1_000,
          },
          devices: [
            {
              id: 'dcs-1',
              kind: 'modbus-tcp',
              host: '127.0.0.1',
              port: sim.port,
              pollMs: 100,
              points: [{ id: LEVEL, name: '液位', unit: 'mm', address: 'hr0', type: 'float32' }],
            },
          ],
        }),
        dir,
      ),
      { log: createLogger('edge', 'silent') },
    )
  })
  afterAll(async () => {
    await agent?.stop()
    await cloud?.stop()
    await sim?.stop()
    await Promise.all((brokers ?? []).map((b) => b.dispose()))
    rmSync(dir, { recursive: true, force: true })
  })

  const cloudMark = async () =>
    (await getJson<Array<{ id: string; ackedThrough: number }>>(`${cloud.url}/api/v1/edges`, auth)).find(
      (e) => e.id === EDGE,
    )?.ackedThrough ?? 0

  it('kills broker 1 mid-stream: nothing lost, everything acked through broker 2', async () => {
    // Streaming through broker 1: the edge's batches are stored and acked.
    const before = await waitFor(
      async () => {
        const s = agent.status().outbox
        return s.ackedThrough > 0 && (await cloudMark()) >= s.ackedThrough ? s.ackedThrough : 0
      },
      { timeoutMs: 20_000, message: 'no batch acked through broker 1' },
    )
    await brokers[0]!.stop() // SIGKILL: sessions, retained acks, everything it held is gone

    // The edge births on broker 2 and the cloud consumes there: the mark moves on past the kill.
    const after = await waitFor(
      async () => {
        const s = agent.status()
        return s.uplink.connected && s.outbox.ackedThrough > before + 5 && (await cloudMark()) > before + 5
          ? s.outbox.lastSeq
          : 0
      },
      { timeoutMs: 30_000, message: () => `no progress on broker 2: ${JSON.stringify(agent.status().uplink)}` },
    )
    // Nothing lost: at some moment every seq assigned so far is acked, and the cloud's mark says so.
    const last = await waitFor(
      async () => {
        const s = agent.status().outbox
        return s.lastSeq >= after && s.ackedThrough === s.lastSeq && (await cloudMark()) >= s.lastSeq ? s : null
      },
      { timeoutMs: 30_000, message: () => `not everything acked: ${JSON.stringify(agent.status().outbox)}` },
    )
    expect(last.evicted).toBe(0)
    expect(await getJson<unknown[]>(`${cloud.url}/api/v1/gaps?edge=${EDGE}`, auth)).toEqual([])
    const health = await getJson<{ mqtt: string }>(`${cloud.url}/api/v1/health`, auth)
    expect(health.mqtt).toBe('connected')
  }, 90_000)
})
