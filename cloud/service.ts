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
import { startGasWarnings } from './alarms/gas/service.ts'
import { createCoordination } from './cluster/coordination.ts'
import { startLeaderJobs } from './cluster/leader-jobs.ts'
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
import { startAwsIotIngest } from './ingest/aws-iot/aws-iot-ingest.ts'
import { readIotIngestFiles } from './ingest/aws-iot/files.ts'
import { loadIngestCrypto, startIngestWire } from './ingest/crypto.ts'
import { createLogger } from './log.ts'
import { createMetrics, type CloudMetrics } from './metrics.ts'
import { describeStore, openStore, storeErrorOf } from './store/open-store.ts'
import { logCorrupt } from './store/historian/corrupt.ts'
import { reportRunner } from './reports/service.ts'
import { openExchange } from './exchange/service.ts'
import type { CommandBody } from '../shared/wire/command.ts'
import type { SnapshotRequest } from '../shared/wire/camera.ts'
import type { Store } from './store/store.ts'
import { readTlsFiles } from '../shared/tls.ts'
import { createCloudRegistry } from './ops/cloud-registry.ts'
import { scrapeToken } from './ops/config.ts'
import { countRaises } from './ops/alarm-raises.ts'
import { timedStore } from './ops/timed-store.ts'

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
  const iotFiles = config.awsIot ? readIotIngestFiles(config.awsIot, clock.now()) : null
  for (const url of [config.mqtt.url, ...config.mqtt.failover])
    if (config.mqtt.allowInsecure && isInsecureRemote(url))
      log.warn({ url }, insecureWarning('mqtt.allowInsecure', url))
  const secret = tokenSecret(config.auth, log)
  const scrape = scrapeToken(config.metrics, opts.env)
  const liveKey = loadLiveKey(config.auth.liveKeyFile, path.resolve(config.dataDir), log)
  const bundleSigner = config.bundles ? loadBundleSigner(config.bundles.signingKeyFile) : null
  // Issue 20: the signing key, certificates and CRL too, before the database opens and HTTP listens:
  // a bad crypto file is a config error (exit 2) and nothing was served.
  const cryptoLog = log.child({ component: 'crypto' })
  const signing = loadIngestCrypto({ crypto: config.crypto, tls: config.mqtt.tls, clock, log: cryptoLog })

  const alarmFeed = createAlarmFeed((err) => log.error({ err: errorMessage(err) }, 'an alarm stream listener failed'))
  const metrics = createMetrics(clock.now())
  // Issue 16: replicas on one PostgreSQL database share the alarm stream and run the timers once (cloud/cluster/).
  const coordination = createCoordination({
    store: config.store,
    coordination: config.coordination,
    feed: alarmFeed,
    clock,
    log,
    liveKeyFile: config.auth.liveKeyFile,
    ...(opts.env ? { env: opts.env } : {}),
  })
  // Alarm raises counted by priority for /metrics once committed (the change names the alarm only).
  const raises = countRaises(metrics.alarms.raisedByPriority, (id) => store.getAlarm(id, 'all'), log)
  // Several replicas on PostgreSQL (issue 16, cloud/cluster/): who handles which edge; null on SQLite.
  const cluster = createCluster(config, { log, clock, ...(opts.env ? { env: opts.env } : {}) })
  const opened = await openStore(config, {
    ...(cluster ? { fence: cluster.fence } : {}),
    evaluate: createEvaluator(config.alarms.priorities, config.alarms.chatter),
    log,
    onAlarmChange: (change) => {
      raises(change)
      coordination.onAlarmChange(change)
    },
    planPushes: pushPlanner(config.notifications),
    // A historian chunk that does not decode: logged by point and time range, counted, skipped (issue 15).
    onCorrupt: (part) => {
      metrics.historian.corrupt++
      logCorrupt(log)(part)
    },
    ...(opts.env ? { env: opts.env } : {}),
  })
  const edgeOfflineAfterMs = config.edgeOfflineAfterMs
  // Issue 16: this process's own Prometheus registry (GET /metrics); every store call timed into it.
  let tracked: AckTracker | undefined
  let ownedEdges: (() => string[]) | undefined
  const prometheus = createCloudRegistry({
    metrics,
    tracker: {
      edges: () => tracked?.edges() ?? [],
      through: (edge) => tracked?.through(edge) ?? 0,
      pending: (edge) => tracked?.pending(edge) ?? [],
    },
    clock,
    edgeOfflineAfterMs,
    replica: cluster?.replicaId ?? config.mqtt.clientId,
    owned: () => ownedEdges?.().length ?? null,
    ...(config.store.engine === 'postgres' ? { poolSize: config.store.poolSize } : {}),
  })
  const store = timedStore(opened, prometheus)
  let server: Server | null = null
  try {
    await coordination.attach(store)
    const registry = await store.applyRegistry(config.registry)
    if (registry.unregistered > 0)
      log.warn(
        { unregistered: registry.unregistered },
        'points left the registry: their enterprise, class and limits were cleared',
      )
    // A replica rebuilds an edge's marks when it takes the edge (cloud/cluster/takeover.ts).
    const ackStates = cluster ? [] : await store.loadAckStates()
    const tracker = new AckTracker(ackStates)
    tracked = tracker
    const gate = await cluster?.start({ store, tracker })
    if (gate) ownedEdges = () => gate.owned()
    // Batches that were waiting for a gap when the service stopped, and are contiguous now.
    for (const { edge, outbox } of ackStates)
      await store.evaluateThrough(edge, tracker.through(edge, outbox), clock.now(), outbox)
    // Who may send what (issue 13): ingest judges with it, registry changes through the API drop its cache.
    const ownership = createOwnership({
      facts: (edge, points, cameras) => store.ownershipFacts(edge, points, cameras),
      policy: config.registry.claimUnknownPoints,
    })
    coordination.onRegistryChange(() => ownership.invalidate())
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
          exclusive: coordination.gasLock,
          leading: () => metrics.cluster.leading,
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
          coordination.registryChanged() // issue 16: the other replicas' ingest drops its cache too
        },
      },
      reports: runner,
      ...(gasWarnings ? { gasWarnings } : {}),
      exchange,
      prometheus: { registry: prometheus, ...(scrape === undefined ? {} : { scrapeToken: scrape }) },
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

    const ingestOptions = {
      wire,
      store,
      tracker,
      clock,
      metrics,
      log,
      time: config.time,
      ownership,
      hintPolicy: config.registry.claimUnknownPoints,
      ...(gate ? { gate } : {}),
    }
    // Issue 16: AWS IoT Core with the cloud's own certificate when `awsIot` is set, else the park broker.
    const ingest: Ingest =
      config.awsIot && iotFiles
        ? startAwsIotIngest({
            ...ingestOptions,
            iot: {
              endpoint: config.awsIot.endpoint,
              port: config.awsIot.port,
              clientId: config.awsIot.clientId,
              keepaliveS: config.awsIot.keepaliveS,
              sessionExpiryS: config.awsIot.sessionExpiryS,
              ...iotFiles,
            },
          })
        : startMqttIngest({
            ...ingestOptions,
            url: config.mqtt.url,
            failover: config.mqtt.failover,
            clientId: config.mqtt.clientId,
            ...(config.mqtt.username === undefined ? {} : { username: config.mqtt.username }),
            ...(password === undefined ? {} : { password }),
            ...(tls === undefined ? {} : { tls }),
            reconnectPeriodMs: config.mqtt.reconnectPeriodMs,
            keepaliveS: config.mqtt.keepaliveS,
          })

    ingestRef = ingest
    // The timers, the dispatcher and the scheduled jobs: on the leading replica only (cloud/cluster/leader.ts).
    await coordination.lead(
      () => startLeaderJobs({ config, store, clock, log, metrics, runner, exchange }),
      (now) => {
        metrics.cluster.leading = now
        metrics.cluster.leaderChanges++
      },
    )
    const httpServer = server
    let stopping: Promise<void> | null = null
    const stop = () => {
      stopping ??= (async () => {
        signing?.crl?.stop()
        gasWarnings?.stop()
        await coordination.stop()
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
    await coordination.stop()
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
