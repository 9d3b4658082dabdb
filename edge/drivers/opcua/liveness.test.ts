import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { StatusCodes } from 'node-opcua'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Sample } from '../../../shared/wire/sample.ts'
import { startOpcuaSim, type OpcuaSim } from '../../../test/sim/opcua-sim.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { startEdgeAgent, type EdgeAgent } from '../../agent.ts'
import { EdgeConfigSchema, resolveEdgeConfig } from '../../config.ts'
import { createLogger } from '../../log.ts'
import { startFakeCloud, startTestBroker, type FakeCloud, type TestBroker } from '../../../test/util/edge-support.ts'

/**
 * Issue 14 acceptance, through the whole edge (subscription → batching → outbox → uplink → a
 * cloud that acks): a value the DCS holds constant still reaches the cloud every refresh
 * interval, stamped with a fresh time (the cloud's STALE looks at the newest good sample's
 * time); a point whose refresh read fails turns bad with the server's reason. Real node-opcua
 * timers cannot be faked, so the interval is short (refreshS: 1); the fake-time proof over 30
 * minutes is edge/pipeline/liveness.test.ts.
 */
const log = createLogger('opcua-liveness-test', 'silent')
const points = [
  { id: 'fuqiang.tk201.level', nodeId: 'ns=1;s=TK201.Level', key: 'TK201.Level' },
  { id: 'fuqiang.tk201.pressure', nodeId: 'ns=1;s=TK201.Pressure', key: 'TK201.Pressure' },
  { id: 'fuqiang.gt201.cl2', nodeId: 'ns=1;s=GT201.Cl2', key: 'GT201.Cl2' },
]

let sim: OpcuaSim
let broker: TestBroker
let cloud: FakeCloud
let dir: string
let agent: EdgeAgent | null = null
beforeAll(async () => {
  sim = await startOpcuaSim()
  broker = await startTestBroker()
})
afterAll(async () => {
  await broker.close()
  await sim.stop()
})
afterEach(async () => {
  await agent?.stop()
  agent = null
  await cloud.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function startEdge() {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-opcua-liveness-'))
  cloud = await startFakeCloud(broker.url)
  const config = resolveEdgeConfig(
    EdgeConfigSchema.parse({
      site: 'park',
      edge: 'fuqiang-01',
      dataDir: './data',
      uplink: { url: broker.url, ackTimeoutMs: 1_000, heartbeatMs: 500, reconnectMinMs: 50, reconnectMaxMs: 200 },
      devices: [
        {
          id: 'fuqiang-dcs',
          kind: 'opcua',
          endpoint: sim.endpoint,
          acceptUnknownServerCertificate: true,
          publishingIntervalMs: 100,
          samplingIntervalMs: 100,
          timeoutMs: 3_000,
          refreshS: 1,
          points: points.map(({ id, nodeId }) => ({ id, nodeId })),
        },
      ],
    }),
    dir,
  )
  agent = await startEdgeAgent(config, { log })
}

const received = (point: string): Sample[] => cloud.batches.flatMap((b) => b.samples).filter((s) => s.point === point)

describe('OPC UA liveness: subscribed points prove they are alive', () => {
  it('a value held constant is refreshed every interval with a fresh time, all due points in one Read', async () => {
    for (const p of points) sim.setValue(p.key, 4.5)
    await startEdge()
    await waitFor(() => points.every((p) => received(p.id).length > 0), { message: 'first values' })
    const before = { ...sim.reads }
    await waitFor(() => received('fuqiang.tk201.level').length >= 5, {
      timeoutMs: 20_000,
      message: () => `level samples: ${JSON.stringify(received('fuqiang.tk201.level'))}`,
    })
    const level = received('fuqiang.tk201.level')
    expect(new Set(level.map((s) => s.value))).toEqual(new Set([4.5]))
    expect(level.every((s) => s.quality === 'good')).toBe(true)
    // Each refresh is newer than the last: the cloud's newest good sample keeps moving.
    expect(level.map((s) => s.ts)).toEqual([...new Set(level.map((s) => s.ts))].sort((a, b) => a - b))
    // The three steady points fell silent together: one Read carries them all.
    const calls = sim.reads.calls - before.calls
    expect(calls).toBeGreaterThan(0)
    expect((sim.reads.nodes - before.nodes) / calls).toBe(points.length)
  })

  it("a refresh read that fails turns the point bad with the server's reason; good again once it reads", async () => {
    for (const p of points) sim.setValue(p.key, 4.5)
    await startEdge()
    await waitFor(() => received('fuqiang.tk201.level').length > 0)
    sim.setReadFault('TK201.Level', StatusCodes.BadCommunicationError)
    try {
      await waitFor(() => received('fuqiang.tk201.level').some((s) => s.quality === 'bad'), { timeoutMs: 20_000 })
      expect(received('fuqiang.tk201.level').find((s) => s.quality === 'bad')).toMatchObject({
        quality: 'bad',
        reason: 'source_status:BadCommunicationError',
      })
      // The other points of that Read are unaffected.
      expect(received('fuqiang.tk201.pressure').every((s) => s.quality === 'good')).toBe(true)
    } finally {
      sim.setReadFault('TK201.Level', null)
    }
    const bad = received('fuqiang.tk201.level').length
    await waitFor(
      () =>
        received('fuqiang.tk201.level')
          .slice(bad)
          .some((s) => s.quality === 'good'),
      { timeoutMs: 20_000 },
    )
  })
})
