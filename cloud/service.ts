import { insecureWarning, isInsecureRemote } from '../shared/transport.ts'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import type { Hono } from 'hono'
import type { Logger } from 'pino'
import { systemClock, type Clock } from '../shared/clock.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../shared/errors.ts'
import { createEvaluator } from '../shared/rules/evaluate.ts'
import { createAlarmFeed } from './alarms/feed.ts'
import { startAlarmReminders } from './alarms/reminders.ts'
import { startCommLossWatcher } from './alarms/comm-loss.ts'
import { startGasWarnings } from './alarms/gas/service.ts'
import { startDispatcher } from './notify/dispatcher.ts'
import { pushPlanner } from './notify/plan.ts'
import { createApp } from './api/app.ts'
import { createAccounts } from './auth/accounts.ts'
import { tokenSecret } from './auth/config.ts'
import { loadLiveKey } from './auth/live-key.ts'
import { loadBundleSigner } from './bundles/signer.ts'
import { createAuthService } from './auth/service.ts'
import { createLoginThrottle } from './auth/throttle.ts'
import { mqttPassword, type CloudConfig } from './config.ts'
import { AckTracker } from './ingest/ack-tracker.ts'
import { createCluster } from './cluster/cluster.ts'
import { createOwnership } from './ingest/ownership.ts'
import { startMqttIngest, type Ingest } from './ingest/mqtt/mqtt-ingest.ts'
import { loadIngestCrypto, startIngestWire } from './ingest/crypto.ts'
import { createLogger } from './log.ts'
import { createMetrics, type CloudMetrics } from './metrics.ts'
import { describeStore, openStore, storeErrorOf } from './store/open-store.ts'
import { logCorrupt } from './store/historian/corrupt.ts'
import { reportRunner, startReportSchedule } from './reports/service.ts'
import { startHistorianCompaction } from './telemetry/compaction-job.ts'
import { openExchange, startExchangeSchedule } from './exchange/service.ts'
import { startRetentionJob } from './telemetry/retention-job.ts'
import type { CommandBody } from '../shared/wire/command.ts'
import type { SnapshotRequest } from '../shared/wire/camera.ts'
import type { Store } from './store/store.ts'
import { readTlsFiles } from '../shared/tls.ts'

export interface CloudOptions {
  log?: Logger
  clock?: Clock
  /** Overrides config.http.port (0 = any free port; the real one is reported). */
  port?: number
  /** Where mqtt.passwordEnv is looked up (default process.env): the demo hands its broker password over in memory. */
  env?: NodeJS.ProcessEnv
}

export interface RunningCloud {
  url: string
  port: number
  app: Hono
  store: Store
  metrics: CloudMetrics
  /** Closes HTTP, MQTT and the database, in that order. Idempotent. */
  stop(): Promise<void>
}

/**
 * Composition root: config files (TLS, keys, crypto, CRL: a bad one stops here) → store
 * (migrated, registry applied) → ack marks rebuilt → crypto wire → HTTP API → MQTT ingest. The API starts even when the broker is down; ingest keeps reconnecting.
 */
export async function startCloud(config: CloudConfig, opts: CloudOptions = {}): Promise<RunningCloud> {
  const log = opts.log ?? createLogger({ level: config.log.level })
  const clock = opts.clock ?? systemClock
  const password = mqttPassword(config, opts.env)
  // Read before anything starts: a missing CA or key file is a config error (exit 2), not a reconnect loop.
  const tls = readTlsFiles(config.mqtt.tls, 'mqtt.tls', (f) => readFileSync(f))
  if (config.mqtt.allowInsecure && isInsecureRemote(config.mqtt.url))
    log.warn({ url: config.mqtt.url }, insecureWarning('mqtt.allowInsecure', config.mqtt.url))
  const secret = tokenSecret(config.auth, log)
  const liveKey = loadLiveKey(config.auth.liveKeyFile, path.resolve(config.dataDir), log)
  const bundleSigner = config.bundles ? loadBundleSigner(config.bundles.signingKeyFile) : null
  // Issue 20: the signing key, certificates and CRL too, before the database opens and HTTP listens:
  // a bad crypto file is a config error (exit 2) and nothing was served.
  const cryptoLog = log.child({ component: 'crypto' })
  const signing = loadIngestCrypto({ crypto: config.crypto, tls: config.mqtt.tls, clock, log: cryptoLog })

  const alarmFeed = createAlarmFeed((err) => log.error({ err: errorMessage(err) }, 'an alarm stream listener failed'))
  const metrics = createMetrics(clock.now())
  // Several replicas on PostgreSQL (issue 16, cloud/cluster/): null on SQLite.
  const cluster = createCluster(config, { log, clock, ...(opts.env ? { env: opts.env } : {}) })
  const store = await openStore(config, {
    ...(cluster ? { fence: cluster.fence } : {}),
    evaluate: createEvaluator(config.alarms.priorities, config.alarms.chatter),
    log,
    onAlarmChange: (change) => alarmFeed.publish(change),
    planPushes: pushPlanner(config.notifications),
    // A historian chunk that does not decode: logged by point and time range, counted, skipped (issue 15).
    onCorrupt: (part) => {
      metrics.historian.corrupt++
      logCorrupt(log)(part)
    },
    ...(opts.env ? { env: opts.env } : {}),
  })
  let server: Server | null = null
  try {
    const registry = await store.applyRegistry(config.registry)
    if (registry.unregistered > 0)
      log.warn(
        { unregistered: registry.unregistered },
        'points left the registry: their enterprise, class and limits were cleared',
      )
    // A replica rebuilds an edge's marks when it takes the edge (cloud/cluster/takeover.ts).
    const ackStates = cluster ? [] : await store.loadAckStates()
    const tracker = new AckTracker(ackStates)
    const gate = await cluster?.start({ store, tracker })
    // Batches that were waiting for a gap when the service stopped, and are contiguous now.
    for (const { edge, outbox } of ackStates)
      await store.evaluateThrough(edge, tracker.through(edge, outbox), clock.now(), outbox)
    // Who may send what (issue 13): ingest judges with it, registry changes through the API drop its cache.
    const ownership = createOwnership({
      facts: (edge, points, cameras) => store.ownershipFacts(edge, points, cameras),
      policy: config.registry.claimUnknownPoints,
    })
    const throttle = createLoginThrottle(config.http.loginThrottle, clock)
    const auth = createAuthService({
      store: store.auth,
      clock,
      log: log.child({ component: 'auth' }),
      config: config.auth,
      secret,
      throttle,
      metrics,
    })
    const accounts = createAccounts(store.auth, config.auth.password)
    // Snapshot requests go to the edges over MQTT once ingest is connected (it starts after the API).
    let ingestRef: Ingest | null = null
    // A snapshot request is a command to the cameras' edge; refused (false) while MQTT is down, so the API can say so.
    const requestSnapshots = (site: string, request: SnapshotRequest) => {
      if (!ingestRef || !metrics.mqtt.connected) return false
      ingestRef.commands.send(
        site,
        request.edge,
        { type: 'snapshot', alarm: request.alarm, cameras: request.cameras },
        request.id,
      )
      return true
    }
    const commandEdge = (site: string, edge: string, cmd: CommandBody, timeoutMs: number) =>
      !ingestRef || !metrics.mqtt.connected ? null : ingestRef.commands.request(site, edge, cmd, timeoutMs)
    const runner = reportRunner({ config, store, clock })
    const gasWarnings = config.alarms.gasWarnings.enabled
      ? startGasWarnings({
          store,
          feed: alarmFeed,
          clock,
          config: config.alarms.gasWarnings,
          recipients: config.notifications.recipients,
          log: log.child({ component: 'gas-warnings' }),
        })
      : undefined
    const exchange = openExchange({ config, store, clock })
    const app = createApp({
      store,
      clock,
      metrics,
      log,
      alarmFeed,
      board: config.board,
      edgeOfflineAfterMs: config.edgeOfflineAfterMs,
      auth,
      accounts,
      requestSnapshots,
      commandEdge,
      ...(bundleSigner
        ? {
            bundles: {
              signer: bundleSigner,
              priorities: config.alarms.priorities,
              chatter: config.alarms.chatter,
            },
          }
        : {}),
      liveTokens: liveKey.issue,
      live: config.live,
      http: config.http,
      // A registry change drops ingest's ownership cache and tells the edges their new hints (issue 19).
      ownership: {
        invalidate: () => {
          ownership.invalidate()
          ingestRef?.registryChanged()
        },
      },
      reports: runner,
      ...(gasWarnings ? { gasWarnings } : {}),
      exchange,
    })

    const wire = startIngestWire({
      crypto: config.crypto,
      tls: config.mqtt.tls,
      dataDir: path.resolve(config.dataDir),
      clock,
      log: cryptoLog,
      loaded: signing,
    })
    signing?.crl?.start((health) => {
      metrics.crypto.crl = health
    })

    server = createAdaptorServer({ fetch: app.fetch, hostname: config.http.host }) as Server
    const port = await listen(server, config.http.host, opts.port ?? config.http.port)
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host
    const url = `http://${host}:${port}`
    log.info(
      { url, db: describeStore(config), points: registry.points, enterprises: registry.enterprises },
      'cloud API listening',
    )

    const ingest: Ingest = startMqttIngest({
      wire,
      url: config.mqtt.url,
      clientId: config.mqtt.clientId,
      ...(config.mqtt.username === undefined ? {} : { username: config.mqtt.username }),
      ...(password === undefined ? {} : { password }),
      ...(tls === undefined ? {} : { tls }),
      reconnectPeriodMs: config.mqtt.reconnectPeriodMs,
      keepaliveS: config.mqtt.keepaliveS,
      store,
      tracker,
      clock,
      metrics,
      log,
      time: config.time,
      ownership,
      hintPolicy: config.registry.claimUnknownPoints,
      ...(gate ? { gate } : {}),
    })

    ingestRef = ingest
    const reminders = startAlarmReminders({ store, clock, log: log.child({ component: 'reminders' }) })
    const commLoss = startCommLossWatcher({
      store,
      clock,
      log: log.child({ component: 'comm-loss' }),
      staleAfterMs: config.alarms.staleAfterS * 1000,
      edgeOfflineAfterMs: config.edgeOfflineAfterMs,
      cameraOfflineAfterMs: config.alarms.cameraOfflineAfterS * 1000,
      clockOffsetAlarmMs: config.time.clockOffsetAlarmS * 1000,
      priorities: config.alarms.priorities,
    })
    const dispatcher = startDispatcher({
      config: config.notifications,
      store,
      clock,
      log: log.child({ component: 'notify' }),
    })
    const reports = startReportSchedule({ runner, config, clock, log: log.child({ component: 'reports' }) })
    const exchangeSchedule = startExchangeSchedule({
      exchange,
      config,
      clock,
      log: log.child({ component: 'exchange' }),
    })
    const retention = startRetentionJob({
      store,
      policy: config.store.retention,
      clock,
      log: log.child({ component: 'retention' }),
      status: metrics.retention,
    })
    const compaction = startHistorianCompaction({
      store,
      clock,
      log: log.child({ component: 'historian' }),
      config: config.historian,
      metrics,
    })
    const httpServer = server
    let stopping: Promise<void> | null = null
    const stop = () => {
      stopping ??= (async () => {
        reminders.stop()
        signing?.crl?.stop()
        compaction.stop()
        gasWarnings?.stop()
        commLoss.stop()
        dispatcher.stop()
        await reports.stop()
        await exchangeSchedule.stop()
        await retention.stop()
        await exchange.close()
        await closeServer(httpServer)
        await ingest.stop()
        await cluster?.stop()
        await store.close()
        log.info('cloud stopped')
      })()
      return stopping
    }
    return { url, port, app, store, metrics, stop }
  } catch (err) {
    signing?.crl?.stop()
    if (server?.listening) await closeServer(server)
    await cluster?.stop()
    await store.close()
    throw storeErrorOf(err, config)
  }
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) =>
      reject(
        new ParklinkError(ErrorCodes.LISTEN_FAILED, `cannot listen on ${host}:${port}: ${errorMessage(err)}`, {
          hint:
            (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
              ? `another program uses port ${port}: stop it or choose another port (http.port, or --port for the demo)`
              : 'check http.host and http.port in the cloud config',
          cause: err,
        }),
      )
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve())
    // Idle keep-alive connections would hold close() open; requests in progress get to finish.
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), 2_000).unref()
  })
}
