import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { stringify } from 'yaml'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import { handleData } from '../../cloud/ingest/handle-data.ts'
import { handleStatus } from '../../cloud/ingest/handle-status.ts'
import type { IngestContext } from '../../cloud/ingest/context.ts'
import { openSqliteStore } from '../../cloud/store/sqlite/store.ts'
import type { Store } from '../../cloud/store/store.ts'
import { requestDemoBaseline } from '../../deploy/demo/baseline.ts'
import {
  cloudConfigFor,
  edgeConfigFor,
  fuqiangEdgeConfig,
  fuqiangPointId,
  parkEdgeConfig,
} from '../../deploy/demo/configs.ts'
import type { DemoScenario } from '../../deploy/demo/scenario.ts'
import { appendCameraEvents } from '../../edge/camera-events.ts'
import { parseEdgeConfig, type EdgeConfig } from '../../edge/config.ts'
import { createDriver } from '../../edge/drivers/registry.ts'
import { createLogger as createEdgeLogger } from '../../edge/log.ts'
import { birth } from '../../edge/uplink/status.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { encode } from '../../shared/wire/codec.ts'
import type { PointInfo } from '../../shared/wire/messages.ts'
import { ingestContext, manualClock } from '../cloud/helpers.ts'
import { openSimEdge, type SimEdge } from './demo-edge.ts'
import { demoFeeds, type DeviceFeed } from './demo-park.ts'
import { fuqiangOpcuaPoints } from './opcua-points.ts'

/**
 * `parklink demo`'s park without sockets, on a fake clock: the same generated configs
 * (deploy/demo/configs.ts), the same simulators' values (deploy/demo/scenario.ts), through each
 * edge's real sample path (sanitize → settlement → local alarms → outbox) and the cloud's real
 * ingest and alarm rules on a real SQLite store. Drivers and the uplink are replaced by the feeds
 * and by handing each outbox batch to the cloud's data handler. Used by the demo's alarm-budget
 * test and by the historian storage bench (test/bench/historian-size.ts).
 */
export const SITE = 'huaian-park'
export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0)
/** The park advances in steps of this (every device's period is a multiple of it). */
export const STEP_MS = 500
/** What the outboxes hold goes to the cloud every 10 s, as one message per edge (test/sim/demo-edge.ts). */
export const DELIVER_MS = 10_000
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

export function tempDir(prefix: string, base = tmpdir()): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(base, prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface Park {
  store: Store
  ctx: IngestContext
  edges: Array<{ edge: SimEdge; feeds: DeviceFeed[] }>
  clock: ReturnType<typeof manualClock>
}

export async function openPark(dir: string, scenario: DemoScenario): Promise<Park> {
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
    if (status.kind === 'rejected')
      throw new Error(`the cloud refused ${config.edge}'s birth: ${JSON.stringify(status)}`)
    edges.push({ edge, feeds: demoFeeds(config.devices, (d) => (infos.get(d) ?? []).map((p) => p.id), scenario) })
  }
  return { store, ctx, edges, clock }
}

/** One step of the park: every device due now delivers; every DELIVER_MS the outboxes drain into the cloud (acked as stored). */
export async function step(park: Park, t: number): Promise<void> {
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
