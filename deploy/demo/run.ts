import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { stringify } from 'yaml'
import { CloudConfigSchema, type CloudConfig } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import { startCloud } from '../../cloud/service.ts'
import { startEdgeAgent } from '../../edge/agent.ts'
import { parseEdgeConfig } from '../../edge/config.ts'
import { createLogger as createEdgeLogger } from '../../edge/log.ts'
import { startPlant } from '../../test/sim/plant.ts'
import { untilSignal } from '../lifecycle.ts'
import { startEmbeddedBroker } from './broker.ts'
import {
  DEMO_CAMERA,
  GALLERY_SEGMENT,
  HJ212_MN,
  HJ212_PASSWORD_ENV,
  cloudConfigFor,
  edgeConfigFor,
  fuqiangEdgeConfig,
  parkEdgeConfig,
} from './configs.ts'
import { requestDemoBaseline } from './baseline.ts'
import { startGallery } from '../../test/sim/gallery.ts'
import { startHj212Client } from '../../test/sim/hj212-client.ts'
import { startOpcuaSim } from '../../test/sim/opcua-sim.ts'
import { startDemoCamera } from './camera.ts'
import { createDemoLogins } from './logins.ts'
import { DEMO_SCENARIO, hj212Factors } from './scenario.ts'
import { randomBytes } from 'node:crypto'
import { createAccounts } from '../../cloud/auth/accounts.ts'
import { DEMO_KEY_ENV, demoKey, ensureDemoUsers } from '../../cloud/auth/demo.ts'
import { loadDemoSession, saveDemoSession, SESSION_FILE } from './session.ts'

export interface DemoOptions {
  port: number
  mqttPort: number
  /** Where the embedded broker listens (default 127.0.0.1). */
  mqttHost?: string
  dataDir: string
  /** Forget the simulator ports and API key kept from the last start (deploy/demo/session.ts). */
  fresh?: boolean
}

/**
 * `parklink demo`: a whole park on one machine. Everything runs in this process but talks over
 * real sockets: the edge reads the simulated plant over Modbus TCP and publishes to the embedded
 * broker; the cloud subscribes and serves HTTP. The generated configs are written to the data
 * directory, so a technician can read them and run the parts separately.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const dataDir = path.resolve(options.dataDir)
  mkdirSync(dataDir, { recursive: true })
  const level = (process.env.PARKLINK_LOG_LEVEL as 'info' | undefined) ?? 'warn'
  const log = createCloudLogger({ name: 'parklink-demo', level: 'info' })
  // The scenario's clock (deploy/demo/scenario.ts): its designed events count from here.
  const startedAt = Date.now()

  const stops: Array<() => Promise<void>> = []
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log.error({ err }, 'error while stopping'))
  }
  const kept = await loadDemoSession(dataDir, { fresh: options.fresh ?? false })
  for (const [sim, old, now] of kept.moved)
    log.warn(
      { simulator: sim, was: old, now },
      `the ${sim} simulator's port ${old} is busy: it listens on ${now} this time`,
    )
  const ports = kept.session.ports
  try {
    const site = 'huaian-park'
    // Every client of the demo's broker logs in (random passwords made now, never shown) and is held to the topic rules.
    const logins = createDemoLogins(site, ['shilian-01', 'fuqiang-01', 'park-01'], (reason, user, detail) =>
      log.warn({ reason, user, detail }, 'broker refused a client'),
    )
    const broker = await startEmbeddedBroker(options.mqttPort, {
      host: options.mqttHost ?? '127.0.0.1',
      access: logins.access,
    })
    stops.push(() => broker.close())
    const plant = await startPlant({ port: ports.plant, ...DEMO_SCENARIO.tk101 })
    stops.push(() => plant.stop())

    const opcua = await startOpcuaSim({ port: ports.opcua })
    stops.push(() => opcua.stop())
    const gallery = await startGallery({ ...DEMO_SCENARIO.gallery, port: ports.gallery })
    stops.push(() => gallery.stop())
    const hj212Port = ports.hj212
    const hj212Password = randomBytes(4).toString('hex') // demo only: a fresh PW each run
    const camera = await startDemoCamera(DEMO_SCENARIO.camera)
    stops.push(() => camera.stop())

    const cloudInput = cloudConfigFor({
      dataDir: path.join(dataDir, 'cloud'),
      httpPort: options.port,
      mqttUrl: broker.url,
      mqttLogin: logins.cloud,
      host: '0.0.0.0',
    })
    const edges: Array<[string, unknown]> = [
      [
        'demo-edge.yaml',
        edgeConfigFor({
          site,
          edge: 'shilian-01',
          dataDir: path.join(dataDir, 'edge-shilian-01'),
          mqttUrl: broker.url,
          plantPort: plant.port,
          mqttLogin: logins.edge(site, 'shilian-01'),
        }),
      ],
      [
        'demo-edge-fuqiang.yaml',
        fuqiangEdgeConfig({
          site,
          dataDir: path.join(dataDir, 'edge-fuqiang-01'),
          mqttUrl: broker.url,
          endpoint: opcua.endpoint,
          mqttLogin: logins.edge(site, 'fuqiang-01'),
        }),
      ],
      [
        'demo-edge-park.yaml',
        parkEdgeConfig({
          site,
          dataDir: path.join(dataDir, 'edge-park-01'),
          mqttUrl: broker.url,
          galleryPort: gallery.port,
          hj212Port,
          camera: camera.address,
          mqttLogin: logins.edge(site, 'park-01'),
        }),
      ],
    ]
    writeFileSync(path.join(dataDir, 'demo-cloud.yaml'), `# generated by parklink demo\n${stringify(cloudInput)}`)
    for (const [file, input] of edges)
      writeFileSync(path.join(dataDir, file), `# generated by parklink demo\n${stringify(input)}`)

    const cloudConfig: CloudConfig = { ...CloudConfigSchema.parse(cloudInput), log: { level } }
    // Demo mode: a fresh token-signing secret for this run (production sets its own).
    process.env[cloudConfig.auth.tokenSecretEnv] ||= randomBytes(32).toString('base64url')
    const cloud = await startCloud(cloudConfig, {
      log: createCloudLogger({ level }),
      env: { ...process.env, ...logins.env(logins.cloud) },
    })
    stops.push(() => cloud.stop())
    const accounts = createAccounts(cloud.store.auth, cloudConfig.auth.password)
    const key = await keptDemoKey(kept.session.apiKey, (env) => demoKey(cloud.store.auth, accounts, env, Date.now()))
    saveDemoSession(dataDir, { ports, apiKey: key.apiKey })
    for (const [file, input] of edges) {
      const edgeConfig = parseEdgeConfig(stringify(input), path.join(dataDir, file))
      if (edgeConfig.settlement) requestDemoBaseline(edgeConfig.dataDir, Date.now())
      const mqttEnv = logins.env(logins.edge(edgeConfig.site, edgeConfig.edge))
      const edge = await startEdgeAgent(edgeConfig, {
        log: createEdgeLogger('parklink-edge', level),
        env: {
          ...process.env,
          [DEMO_CAMERA.passwordEnv]: camera.password,
          [HJ212_PASSWORD_ENV]: hj212Password,
          ...mqttEnv,
        },
      })
      stops.push(() => edge.stop())
    }
    // The environment station's data-acquisition instrument dials in over HJ 212.
    const factors = Object.entries(hj212Factors(DEMO_SCENARIO.hj212)).map(
      ([code, at]) => [code, () => at(Date.now() - startedAt)] as const,
    )
    const instrument = await startHj212Client({
      port: hj212Port,
      mn: HJ212_MN,
      pw: hj212Password,
      intervalMs: DEMO_SCENARIO.hj212.intervalMs,
      wantAnswer: true,
      factors: Object.fromEntries(factors),
    })
    stops.push(() => instrument.stop())
    // Demo accounts once everything runs (hashing their passwords takes a moment).
    const access = { ...key, ...(await ensureDemoUsers(cloud.store.auth, accounts, Date.now())) }

    const api = `http://localhost:${cloud.port}/api/v1`
    console.log(
      [
        '',
        'parklink demo is running: one park, three edges —',
        '  shilian-01  实联化工 Shilian Chemical: DCS and gas detectors over Modbus TCP',
        "  fuqiang-01  富强新材料 Fuqiang New Materials: DCS over OPC UA, the control room's limits adopted",
        '  park-01     the park: pipe-gallery static-level gauges (settlement PG-01), an HJ 212 environment station and an ONVIF camera',
        `  dashboard (the monitoring center)  http://localhost:${cloud.port}/   log in as demo-operator (password below)`,
        `  points and latest values  ${api}/points`,
        `  alarms (HH on TK-101 every ${DEMO_SCENARIO.tk101.scenarioPeriodMs / 60_000} min, the first after about 2 min)  ${api}/alarms?state=all`,
        `  edges and outbox depth    ${api}/edges`,
        `  cameras (an intrusion on ${DEMO_CAMERA.id} every ${camera.everyS} s, with its snapshot)  ${api}/cameras   ${api}/alarms?kind=RYRQ&state=all`,
        `  health                    ${api}/health`,
        `  demo login (demo mode only)  ${access.users.join(', ')} — password ${access.password}   (POST ${api}/auth/login)`,
        `  demo API key (park_admin${access.keyFromEnv ? ', from PARKLINK_DEMO_API_KEY' : ''})  ${access.apiKey}`,
        `  try  curl -H "Authorization: Bearer ${access.apiKey}" ${api}/points`,
        `  MQTT broker ${broker.url} (every client logs in: a password per edge and for the cloud, made at this start and not shown)`,
        `  Modbus plant 127.0.0.1:${plant.port}   OPC UA ${opcua.endpoint}`,
        `  gauges (Modbus gateway) 127.0.0.1:${gallery.port}   HJ 212 listener 127.0.0.1:${hj212Port}`,
        `  settlement baseline of ${GALLERY_SEGMENT} requested by "parklink demo" at start (demo mode only; on site: parklink edge baseline)`,
        `  data and generated configs  ${dataDir}   (ports and API key kept in ${SESSION_FILE} for the next start; --fresh forgets them)`,
        'Ctrl-C stops it.',
        '',
      ].join('\n'),
    )
  } catch (err) {
    await stopAll()
    throw err
  }
  await untilSignal(stopAll, log)
}

/**
 * The demo API key: PARKLINK_DEMO_API_KEY when set, else the one kept from the last start, else a
 * new one. A kept key the database no longer accepts (revoked, or another data dir) is replaced.
 */
async function keptDemoKey(
  kept: string | undefined,
  demoKeyFrom: (env: NodeJS.ProcessEnv) => Promise<{ apiKey: string; keyFromEnv: boolean }>,
): Promise<{ apiKey: string; keyFromEnv: boolean }> {
  if (process.env[DEMO_KEY_ENV]?.trim() || kept === undefined) return demoKeyFrom(process.env)
  try {
    return { ...(await demoKeyFrom({ ...process.env, [DEMO_KEY_ENV]: kept })), keyFromEnv: false }
  } catch {
    return demoKeyFrom({ ...process.env, [DEMO_KEY_ENV]: '' })
  }
}
