import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { stringify } from 'yaml'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import { handleData } from '../../cloud/ingest/handle-data.ts'
import { handleStatus } from '../../cloud/ingest/handle-status.ts'
import type { IngestContext } from '../../cloud/ingest/context.ts'
import { openSqliteStore } from '../../cloud/store/sqlite/store.ts'
import type { AlarmRecord, Store } from '../../cloud/store/store.ts'
import { requestDemoBaseline } from '../../deploy/demo/baseline.ts'
import {
  cloudConfigFor,
  edgeConfigFor,
  fuqiangEdgeConfig,
  fuqiangPointId,
  parkEdgeConfig,
} from '../../deploy/demo/configs.ts'
import { DEMO_SCENARIO, type DemoScenario } from '../../deploy/demo/scenario.ts'
import { appendCameraEvents } from '../../edge/camera-events.ts'
import { parseEdgeConfig, type EdgeConfig } from '../../edge/config.ts'
import { createDriver } from '../../edge/drivers/registry.ts'
import { createLogger as createEdgeLogger } from '../../edge/log.ts'
import { birth } from '../../edge/uplink/status.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { encode } from '../../shared/wire/codec.ts'
import type { PointInfo } from '../../shared/wire/messages.ts'
import { ingestContext, manualClock } from '../cloud/helpers.ts'
import { openSimEdge, type SimEdge } from '../sim/demo-edge.ts'
import { CAMERA_FIRST_MS, demoFeeds, type DeviceFeed } from '../sim/demo-park.ts'
import { fuqiangOpcuaPoints } from '../sim/opcua-points.ts'

/**
 * The demo behaves like a well-tuned plant (issue 14, "Floods"): its configs, run for 30
 * simulated minutes on a fake clock, raise about one alarm per designed event and none on any
 * other point. The park is `parklink demo`'s: the same generated configs (deploy/demo/configs.ts),
 * the same simulators' values (deploy/demo/scenario.ts), through each edge's real sample path
 * (sanitize → settlement → local alarms → outbox) and the cloud's real ingest and alarm rules
 * (shared/rules) on a real SQLite store. No sockets: drivers and the uplink are replaced by the
 * feeds and by handing each outbox batch to the cloud's data handler.
 */
const SITE = 'huaian-park'
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0)
const RUN_MS = 30 * 60_000
const STEP_MS = 500
/** What the outboxes hold goes to the cloud every 10 s, as one message per edge (test/sim/demo-edge.ts). */
const DELIVER_MS = 10_000
const silentEdge = createEdgeLogger('demo-budget', 'silent')
const silentCloud = createCloudLogger({ level: 'silent' })

/** The demo's three edge configs, parsed as the demo parses them (profiles expanded, defaults applied). */
function demoEdgeConfigs(dir: string): EdgeConfig[] {
  const mqttUrl = 'mqtt://127.0.0.1:1883'
  const inputs = [
    edgeConfigFor({
      site: SITE,
      edge: 'shilian-01',
      dataDir: path.join(dir, 'edge-shilian-01'),
      mqttUrl,
      plantPort: 502,
    }),
    fuqiangEdgeConfig({
      site: SITE,
      dataDir: path.join(dir, 'edge-fuqiang-01'),
      mqttUrl,
      endpoint: 'opc.tcp://127.0.0.1:4840/UA/Fuqiang',
    }),
    parkEdgeConfig({
      site: SITE,
      dataDir: path.join(dir, 'edge-park-01'),
      mqttUrl,
      galleryPort: 502,
      hj212Port: 9212,
      camera: { host: '127.0.0.1', port: 8080 },
    }),
  ]
  return inputs.map((input, i) => parseEdgeConfig(stringify(input), `demo-edge-${i}.yaml`))
}

/** What each device announces at birth: its driver's points; the OPC UA ones with the control room's limits, as that driver reads them. */
async function pointInfos(config: EdgeConfig): Promise<Map<string, PointInfo[]>> {
  const env = { PARKLINK_DEMO_HJ212_PASSWORD: 'sim', PARKLINK_DEMO_CAMERA_PASSWORD: 'sim' }
  const out = new Map<string, PointInfo[]>()
  for (const d of config.devices) {
    if (d.kind === 'opcua') {
      out.set(
        d.id,
        fuqiangOpcuaPoints.map((p) => ({
          id: fuqiangPointId(p.key),
          name: p.name,
          unit: p.unit,
          device: d.id,
          range: p.range,
          limits: p.limits,
        })),
      )
      continue
    }
    const driver = await createDriver(d, {
      clock: manualClock(T0),
      log: silentEdge,
      dataDir: path.join(config.dataDir, 'devices', d.id),
      env,
    })
    out.set(d.id, [...driver.points])
  }
  return out
}

function tempDir(prefix: string, base = tmpdir()): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(base, prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

interface Park {
  store: Store
  ctx: IngestContext
  edges: Array<{ edge: SimEdge; feeds: DeviceFeed[] }>
  clock: ReturnType<typeof manualClock>
}

async function openPark(dir: string, scenario: DemoScenario): Promise<Park> {
  const clock = manualClock(T0)
  const cloud = CloudConfigSchema.parse(
    cloudConfigFor({ dataDir: path.join(dir, 'cloud'), httpPort: 8080, mqttUrl: 'mqtt://127.0.0.1:1883' }),
  )
  const store = openSqliteStore({
    file: path.join(dir, 'cloud.db'),
    evaluate: createEvaluator(cloud.alarms.priorities, cloud.alarms.chatter),
    log: silentCloud,
  })
  await store.applyRegistry(cloud.registry)
  const ctx = ingestContext({
    store,
    clock,
    log: silentCloud,
    policy: cloud.registry.claimUnknownPoints,
    publish: () => {},
  })
  const edges: Park['edges'] = []
  for (const config of demoEdgeConfigs(dir)) {
    if (config.settlement) requestDemoBaseline(config.dataDir, T0)
    const infos = await pointInfos(config)
    const edge = openSimEdge(config, clock, silentEdge)
    const status = await handleStatus(ctx, {
      topic: `parklink/v1/${SITE}/${config.edge}/status`,
      payload: encode(
        birth(
          { site: SITE, edge: config.edge, session: edge.session },
          T0,
          'demo',
          [...infos.values()].flat(),
          edge.outbox.stats(),
        ),
      ),
      retained: false,
    })
    expect(status.kind).not.toBe('rejected')
    edges.push({ edge, feeds: demoFeeds(config.devices, (d) => (infos.get(d) ?? []).map((p) => p.id), scenario) })
  }
  return { store, ctx, edges, clock }
}

/** One step of the park: every device due now delivers; every DELIVER_MS the outboxes drain into the cloud (acked as stored). */
async function step(park: Park, t: number): Promise<void> {
  park.clock.set(T0 + t)
  for (const { edge, feeds } of park.edges) {
    for (const f of feeds.filter((x) => t % x.everyMs === 0)) {
      if (f.read) edge.pipeline.process(f.device, f.read(t, T0 + t))
      if (f.events) appendCameraEvents(edge.outbox, f.events(t, T0), silentEdge, edge.config.uplink.maxMessageBytes)
    }
    const message = t % DELIVER_MS === 0 ? edge.drain() : null
    if (message) {
      const out = await handleData(park.ctx, {
        topic: `parklink/v1/${SITE}/${edge.config.edge}/data`,
        payload: encode(message),
        retained: false,
        arrivedAt: T0 + t,
      })
      if (out.kind !== 'stored')
        throw new Error(`the cloud did not store batch ${message.seq} of ${edge.config.edge}: ${JSON.stringify(out)}`)
      edge.ack(message.seq)
    }
  }
}

/** Alarm episodes per point and kind, with the raises counted on latched (chattering) ones. */
function tally(alarms: readonly AlarmRecord[]): Map<string, { episodes: number; repeats: number }> {
  const out = new Map<string, { episodes: number; repeats: number }>()
  for (const a of alarms) {
    const key = `${a.point} ${a.kind}`
    const t = out.get(key) ?? { episodes: 0, repeats: 0 }
    out.set(key, { episodes: t.episodes + 1, repeats: t.repeats + (a.repeats ?? 0) })
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)))
}

/** The designed events in the run, from the scenario: how many times each should alarm. */
function designedEvents(s: DemoScenario): Map<string, number> {
  const times = (first: number, every: number) => (first > RUN_MS ? 0 : Math.floor((RUN_MS - first) / every) + 1)
  const period = s.tk101.scenarioPeriodMs
  // TK-101 peaks at 70–80 % of its period; the scenario starts at scenarioStartPhase.
  const peakAt = ((((0.7 - s.tk101.scenarioStartPhase) % 1) + 1) % 1) * period
  const cycles = times(peakAt, period)
  const cod = s.hj212.cod ? times(s.hj212.cod.firstAtMs + s.hj212.cod.rampMs, s.hj212.cod.everyMs) : 0
  return new Map([
    ['shilian.tk101.level H', cycles],
    ['shilian.tk101.level HH', cycles],
    ['shilian.tk101.lshh DIGITAL', cycles],
    ['camera:park-cam-pg01 RYRQ', times(CAMERA_FIRST_MS, s.camera.everyS * 1000)],
    ['park.ws01.cod H', cod],
    // M1 sinks all along: its rate alarm raises once and stays.
    ['park.pg01.m1.level.rate L', s.gallery.sinkMmPerMin > 0 ? 1 : 0],
  ])
}

describe('the demo plant is well tuned (issue 14: floods)', () => {
  // On a RAM disk where there is one: the run commits thousands of small transactions.
  const tmp = tempDir('parklink-demo-budget-', existsSync('/dev/shm') ? '/dev/shm' : undefined)
  let park: Park
  let alarms: AlarmRecord[]

  beforeAll(async () => {
    park = await openPark(tmp.dir, DEMO_SCENARIO)
    for (let t = 0; t <= RUN_MS; t += STEP_MS) await step(park, t)
    alarms = await park.store.listAlarms({ scope: 'all', state: 'all', limit: 100_000 })
    const rows = [...tally(alarms)].map(
      ([key, t]) =>
        `  ${key.padEnd(40)} ${String(t.episodes).padStart(5)} episodes ${String(t.repeats).padStart(5)} repeats`,
    )
    console.log(`alarms in 30 simulated minutes of the demo (${alarms.length} episodes):\n${rows.join('\n')}`)
  }, 300_000)

  afterAll(async () => {
    for (const { edge } of park?.edges ?? []) edge.close()
    await park?.store.close()
    tmp.remove()
  })

  it('raises about one alarm per designed event: TK-101 cycles, intrusions, HJ 212 exceedances, the sinking gauge', () => {
    const expected = designedEvents(DEMO_SCENARIO)
    const seen = tally(alarms)
    for (const [key, events] of expected) {
      expect.soft(seen.get(key)?.episodes ?? 0, key).toBeLessThanOrEqual(events)
      expect.soft(seen.get(key)?.episodes ?? 0, key).toBeGreaterThanOrEqual(events > 0 ? 1 : 0)
    }
  })

  it('raises nothing on any other point, and nothing chatters', () => {
    const expected = designedEvents(DEMO_SCENARIO)
    const others = [...tally(alarms)].filter(([key]) => !expected.has(key)).map(([key, t]) => `${key}: ${t.episodes}`)
    expect(others).toEqual([])
    expect(alarms.filter((a) => (a.repeats ?? 0) > 0).map((a) => `${a.point} ${a.kind} ×${a.repeats}`)).toEqual([])
  })

  it('never floods (ISA-18.2: no 10-minute interval with more than 10 alarms)', () => {
    const per10 = new Map<number, number>()
    for (const a of alarms) {
      const interval = Math.floor((a.raisedAt - T0) / 600_000)
      per10.set(interval, (per10.get(interval) ?? 0) + 1)
    }
    expect(Math.max(0, ...per10.values())).toBeLessThanOrEqual(10)
  })
})
