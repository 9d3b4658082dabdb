import { generateKeyPairSync, randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import { ensurePrivateDir } from '../shared/private-files.ts'
import path from 'node:path'
import type { Logger } from 'pino'
import { systemClock, type Clock } from '../shared/clock.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../shared/errors.ts'
import { configHash, uplinkPassword, type DeviceConfig, type EdgeConfig } from './config.ts'
import { driverReport, type Driver, type DriverDeps } from './drivers/driver.ts'
import { createDriver } from './drivers/registry.ts'
import { createLogger } from './log.ts'
import type { Outbox } from './outbox/outbox.ts'
import { openSqliteOutbox } from './outbox/sqlite-outbox.ts'
import { openLocalAlarms, type LocalAlarms } from './alarms/local.ts'
import { openBaselineStore, type BaselineStore } from './derived/baselines.ts'
import { createSettlementProcessor, type SettlementProcessor } from './derived/processor.ts'
import { createSamplePipeline } from './pipeline/pipeline.ts'
import { startSamplePath } from './pipeline/sample-path.ts'
import { maxSilenceOf } from './report/config.ts'
import { createSkewLog, edgeTimeWindow } from './samples.ts'
import { appendCameraEvents, takeRequestedSnapshots } from './camera-events.ts'
import { startLiveRelay, type LiveRelay } from './live/relay.ts'
import { createViewerAdmission } from './live/admission.ts'
import { publicKeyOf, signViewerToken } from '../shared/wire/live-token.ts'
import { createRateMeter, writeStatusFile } from './status-file.ts'
import { startPeriodic } from '../shared/periodic.ts'
import { prepareUplink } from './uplink/factory.ts'
import { consolePassword } from './console/config.ts'
import { createEdgeRegistry } from './console/metrics.ts'
import { countLocalRaises } from './alarms/count-raises.ts'
import { scrapeTokenFrom } from '../shared/prom.ts'
import { startConsole, type RunningConsole } from './console/server.ts'
import { consoleView } from './console/view.ts'
import type { ConfigEditor } from './console/configure/types.ts'
import { createLatestValues } from './latest-values.ts'
import { createRecentEvents, type RecentEvents } from './recent-events.ts'
import { startEdgeWire } from './uplink/crypto.ts'
import { createReporter } from './report/reporter.ts'
import { openAtRest } from './at-rest/open.ts'
import type { EdgeAgentStatus } from './agent-status.ts'
import type { Command, CommandResponse } from '../shared/wire/command.ts'
import type { RegistryHint } from '../shared/wire/registry-hint.ts'
import { openRegistryHints } from './registry-hint.ts'

export type { EdgeAgentStatus }

export interface EdgeAgentOptions {
  clock?: Clock
  log?: Logger
  /** Only for the log: where the config came from. */
  configPath?: string
  /** Where uplink.passwordEnv is looked up (default process.env). */
  env?: NodeJS.ProcessEnv
  /** Builds a driver for a device (default: the registry). Tests pass doubles of the contract. */
  createDriver?: (config: DeviceConfig, deps: DriverDeps) => Driver | Promise<Driver>
  /** The recent warnings and errors the local console shows (main.ts tees the log into it). */
  recent?: RecentEvents
  /** The console's config editor (main.ts: one per process, so it outlives the restarts an apply causes). Absent: a read-only console. */
  configure?: ConfigEditor
  /** Test only (edge/test-hooks.ts, NODE_ENV=test): wraps the outbox, e.g. to journal its appends. */
  tapOutbox?: (outbox: Outbox) => Outbox
  /** The park's signed config pushes (edge/park/push.ts): absent, a push is refused. */
  onConfigPush?: (command: Command) => void
  /** Keeps the registry's ownership hint for the console's checks (edge/registry-hint.ts, issue 19); default: one of this agent's own, in its data dir (main.ts shares one with the console's editor). */
  registryHints?: { keep(hint: RegistryHint): void }
}

export interface EdgeAgent {
  readonly session: string
  readonly configHash: string
  /** Where the local console is served (null when `console:` is not configured). */
  readonly consoleUrl: string | null
  status(): EdgeAgentStatus
  /** Answers a command through this agent's uplink (now, or once connected). */
  respond(response: CommandResponse): void
  /** Poller, uplink (death published), drivers, outbox — in that order. Idempotent. */
  stop(): Promise<void>
}

/**
 * The composition root: outbox → drivers → uplink → poller, and stop in reverse. Everything
 * that can be refused (password variable, data directory, outbox, a driver's start) is checked
 * before the poller reads anything, and what was opened is closed again on failure.
 */
export async function startEdgeAgent(config: EdgeConfig, opts: EdgeAgentOptions = {}): Promise<EdgeAgent> {
  const clock = opts.clock ?? systemClock
  const session = randomUUID()
  const log = (opts.log ?? createLogger('parklink-edge')).child({ session })
  const hash = configHash(config)
  const password = uplinkPassword(config, opts.env)
  // The console is refused before anything opens when its password variable is not set.
  const consolePw = config.console ? consolePassword(config.console, opts.env) : undefined
  // The uplink's files (TLS, or an IoT thing's certificate) are checked before anything opens.
  const link = prepareUplink(config, { password, clock, log })
  const scrapeToken = scrapeTokenFrom(config.console?.metricsTokenEnv, 'console.metricsTokenEnv', opts.env)
  // Alarms raised by the edge's own evaluation, by priority (issue 16, /metrics).
  const localRaises: Record<string, number> = {}
  const latest = createLatestValues()
  const recent = opts.recent ?? createRecentEvents()
  const startedAt = clock.now()
  // The at-rest key, checked against the stored data before anything opens a store for writing:
  // a wrong or missing key refuses here (PL_AT_REST_KEY), with every file left as it was.
  const atRest = openAtRest(config.storage, config.dataDir)
  if (atRest) log.info({ keyId: atRest.currentKeyId }, 'stored data sealed at rest with SM4')

  try {
    ensurePrivateDir(fs, config.dataDir) // 0700 whatever the umask (brief §7)
  } catch (err) {
    throw new ParklinkError(
      ErrorCodes.OUTBOX_FAILED,
      `cannot create the data directory ${config.dataDir}: ${errorMessage(err)}`,
      {
        hint: 'check dataDir in the edge config and that the service user may write there',
        cause: err,
      },
    )
  }
  const opened: Outbox = openSqliteOutbox({
    file: path.join(config.dataDir, 'outbox.db'),
    maxBytes: config.outbox.maxBytes,
    reserveBytes: config.outbox.reserveBytes,
    ...(config.outbox.maxAgeH === undefined ? {} : { maxAgeMs: config.outbox.maxAgeH * 3_600_000 }),
    clock,
    // A new outbox numbers from its creation time, so a replaced one never reuses a stored seq.
    firstSeq: Math.max(1, Math.floor(clock.now())),
    ...(atRest ? { cipher: atRest } : {}),
    onDisk: (d) =>
      d.full
        ? log.error(
            {
              code: ErrorCodes.OUTBOX_DISK_FULL,
              ...d,
              hint: "free space on the data directory's disk; appends resume by themselves once there is room",
            },
            'DATA DISK FULL: the outbox refuses new samples (counted, reported to the cloud as a disk_full gap); delivery still frees its space',
          )
        : log.warn(
            { ...d },
            'data disk has room again: the outbox takes samples again (the refused ones go to the cloud as a disk_full gap)',
          ),
    onCorrupt: (c) =>
      log.error(
        {
          ...c,
          hint: 'the unsent data in the old file is not delivered; keep the file for a manual recovery, check the disk (SMART) and power-loss protection',
        },
        'OUTBOX FILE DAMAGED: moved aside, a new outbox started',
      ),
    onEvict: (e) =>
      log.error(
        { ...e, maxBytes: config.outbox.maxBytes, maxAgeH: config.outbox.maxAgeH },
        e.reason === 'age'
          ? 'outbox data older than maxAgeH dropped (data lost; a gap record goes to the cloud)'
          : 'outbox over its size cap: the oldest batches were dropped (data lost; a gap record goes to the cloud)',
      ),
  })
  const outbox = opts.tapOutbox ? opts.tapOutbox(opened) : opened

  // Derived points (settlement) and their audited baselines, when configured.
  let baselines: BaselineStore | null = null
  let derived: SettlementProcessor | null = null
  if (config.settlement) {
    try {
      baselines = openBaselineStore(path.join(config.dataDir, 'baselines.db'), atRest)
    } catch (err) {
      outbox.close()
      throw err
    }
    derived = createSettlementProcessor(config.settlement, baselines, clock, log.child({ component: 'settlement' }))
  }

  let local: LocalAlarms | null = null
  if (config.alarms) {
    try {
      local = countLocalRaises(
        openLocalAlarms(
          config.alarms,
          path.join(config.dataDir, 'alarms.db'),
          clock,
          log.child({ component: 'alarms' }),
          atRest,
        ),
        localRaises,
      )
    } catch (err) {
      baselines?.close()
      outbox.close()
      throw err
    }
  }

  const drivers: Driver[] = []
  let localConsole: RunningConsole | null = null
  // The console signs viewer tokens for its technician with a key that lives as long as this process.
  const consoleLiveKey = generateKeyPairSync('ed25519')
  const pointInfos = () => [
    ...drivers.flatMap((d) => d.points.map((p) => ({ ...p, device: d.device }))),
    ...(derived?.points() ?? []),
  ]
  try {
    const make = opts.createDriver ?? createDriver
    for (const device of config.devices) {
      const dataDir = path.join(config.dataDir, 'devices', device.id)
      ensurePrivateDir(fs, dataDir)
      drivers.push(
        await make(device, {
          clock,
          log: log.child({ device: device.id, kind: device.kind }),
          dataDir,
          ...(opts.env ? { env: opts.env } : {}),
          ...(atRest ? { atRest } : {}),
        }),
      )
    }
    const started = await Promise.allSettled(drivers.map((d) => d.start()))
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
    if (config.console && consolePw !== undefined) {
      const clog = log.child({ component: 'console' })
      localConsole = await startConsole(config.console, {
        password: consolePw,
        clock,
        sessionMs: config.console.sessionMinutes * 60_000,
        view: () =>
          consoleView({
            status: snapshot(),
            points: pointInfos(),
            latest: latest.list(),
            lastGoodByDevice: latest.lastGoodByDevice(),
            events: recent.list(),
          }),
        onLogin: ({ remote }) => clog.info({ remote }, 'console login'),
        metrics: {
          registry: createEdgeRegistry({
            site: config.site,
            edge: config.edge,
            status: () => snapshot(),
            localRaises,
            clock,
          }),
          ...(scrapeToken === undefined ? {} : { scrapeToken }),
        },
        ...(opts.configure ? { configure: opts.configure } : {}),
        ...(config.live
          ? {
              liveToken: async (camera: string) =>
                drivers.some((d) => d.device === camera && d.liveSource)
                  ? await signViewerToken(consoleLiveKey.privateKey, {
                      camera,
                      subject: 'console',
                      issuer: `parklink-edge-${config.edge}`,
                      now: clock.now(),
                    })
                  : null,
            }
          : {}),
        onLoginFailure: ({ locked, remote }) =>
          clog.warn(
            { locked, remote },
            locked
              ? 'console login refused: wrong password, logins locked for a minute'
              : 'console login refused: wrong password',
          ),
      })
      clog.info({ url: localConsole.url }, 'local console listening')
    }
  } catch (err) {
    await Promise.allSettled(drivers.map((d) => d.stop()))
    local?.close()
    baselines?.close()
    outbox.close()
    throw err
  }

  let live: LiveRelay | null = null
  if (config.live) {
    const l = config.live
    try {
      const admission = createViewerAdmission({
        keys: [...l.viewerKeys.map((pem) => publicKeyOf(pem)), consoleLiveKey.publicKey],
        origins: l.allowedOrigins ?? [localConsole?.url, l.dashboardOrigin].filter((o): o is string => o !== undefined),
        now: () => clock.now(),
      })
      live = await startLiveRelay({
        host: l.host,
        port: l.port,
        maxStreams: l.maxStreams,
        idleTimeoutMs: l.idleTimeoutS * 1000,
        startTimeoutMs: l.startTimeoutS * 1000,
        ffmpegPath: l.ffmpegPath,
        source: (camera) => drivers.find((d) => d.device === camera)?.liveSource?.() ?? null,
        admission,
        clock,
        log: log.child({ component: 'live' }),
      })
    } catch (err) {
      await Promise.allSettled(drivers.map((d) => d.stop()))
      local?.close()
      baselines?.close()
      outbox.close()
      throw new ParklinkError(
        ErrorCodes.LISTEN_FAILED,
        `live view cannot listen on ${l.host}:${l.port}: ${errorMessage(err)}`,
        { hint: 'choose another live.port or stop what uses it', cause: err },
      )
    }
  }

  const reports = () => drivers.map(driverReport)
  // Before anything is sent: a key or certificate that is not this edge's stops the start here.
  const crypto = startEdgeWire({
    crypto: config.crypto,
    tls: config.uplink.kind === 'aws-iot' ? undefined : config.uplink.tls,
    site: config.site,
    edge: config.edge,
    dataDir: config.dataDir,
    clock,
    log: log.child({ component: 'crypto' }),
  })
  const registryHints =
    opts.registryHints ?? openRegistryHints(config.dataDir, log.child({ component: 'registry-hint' }))
  const uplink = link.start({
    wire: crypto.wire,
    site: config.site,
    edge: config.edge,
    session,
    configHash: hash,
    points: pointInfos,
    drivers: reports,
    ...(config.live?.publicUrl ? { live: { url: config.live.publicUrl } } : {}),
    outbox,
    maxInflight: config.uplink.maxInflight,
    ...(config.uplink.replayInflight === undefined ? {} : { replayInflight: config.uplink.replayInflight }),
    ackTimeoutMs: config.uplink.ackTimeoutMs,
    heartbeatMs: config.uplink.heartbeatMs,
    clock,
    log: log.child({ component: 'uplink' }),
    // The park asks for pictures for an alarm: they come back through the outbox.
    onSnapshotRequest: (request) =>
      void takeRequestedSnapshots(request, drivers, () => clock.now()).then(
        (events) =>
          appendCameraEvents(
            outbox,
            events,
            log.child({ request: request.id }),
            config.uplink.maxMessageBytes,
            countTooLarge,
          ) > 0 && uplink.kick(),
      ),
    // The park asks for one point now (the poller starts below, before anything is read).
    readPoint: (point) => poller.readNow(point),
    ...(opts.onConfigPush ? { onConfigPush: opts.onConfigPush } : {}),
    onRegistryHint: (h: RegistryHint) => registryHints.keep(h),
  })

  // Report by exception (deadband / SDT per point), before local alarms and the outbox: the
  // edge judges the same samples the cloud will see.
  const reporter = config.report
    ? createReporter(
        config.report,
        (id) => drivers.flatMap((d) => d.points).find((p) => p.id === id)?.range ?? null,
        log.child({ component: 'report' }),
      )
    : null
  const rate = createRateMeter()
  // Messages that fit the broker (edge/message-size.ts): counted when something cannot.
  let tooLarge = 0
  const countTooLarge = () => void tooLarge++
  // Source times are checked against the edge's clock: 5 min ahead, the outbox's maxAgeH behind.
  const pipeline = createSamplePipeline({
    clock,
    log,
    outbox,
    latest,
    derived,
    reporter,
    local,
    timeWindow: edgeTimeWindow(config.outbox.maxAgeH),
    onSkewed: createSkewLog(
      (f, m) => log.warn(f, m),
      (f, m) => log.info(f, m),
    ),
    limits: { batchSize: config.uplink.batchSize, maxMessageBytes: config.uplink.maxMessageBytes },
    onTooLarge: (samples) => void (tooLarge += samples.length),
    onWritten: (n) => {
      rate.add(clock.now(), n)
      uplink.kick()
    },
  })
  // Polled and refresh reads at once, pushed samples batched per device (edge/pipeline).
  const samplePath = startSamplePath({
    drivers,
    clock,
    log,
    pipeline,
    batching: config.batching,
    maxSilenceMs: maxSilenceOf(config.report),
  })
  const poller = samplePath.poller
  // Camera events (analytics alarms with snapshots, online/offline) go through the same outbox.
  for (const d of drivers)
    d.onEvents?.(
      (events) =>
        appendCameraEvents(
          outbox,
          events,
          log.child({ device: d.device }),
          config.uplink.maxMessageBytes,
          countTooLarge,
        ) > 0 && uplink.kick(),
    )

  const pending = outbox.stats()
  log.info(
    {
      config: opts.configPath,
      configHash: hash,
      devices: drivers.length,
      backlog: { batches: pending.batches, samples: pending.samples },
      outbox: outbox.id,
      lastSeq: pending.lastSeq,
    },
    'edge agent started',
  )

  const snapshot = (): EdgeAgentStatus => ({
    site: config.site,
    edge: config.edge,
    session,
    configHash: hash,
    startedAt,
    drivers: reports(),
    outbox: outbox.stats(),
    uplink: uplink.state(),
    alarms: local?.active() ?? [],
    refused: { tooLarge, liveViewers: live?.refusals() ?? {} },
    ...(outbox.disk ? { disk: outbox.disk() } : {}),
    ...(() => {
      const now = clock.now()
      const oldest = outbox.stats().oldestTs
      return {
        at: now,
        samplesPerHour: rate.perHour(now),
        backlogHours: oldest === null ? 0 : Math.max(0, Math.round(((now - oldest) / 3_600_000) * 100) / 100),
      }
    })(),
  })
  let final: EdgeAgentStatus | null = null
  // For `parklink edge status` on the box: no port, no network.
  const writeStatus = () => {
    try {
      writeStatusFile(config.dataDir, snapshot())
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'could not write status.json')
    }
  }
  const statusJob = startPeriodic(
    clock,
    5_000,
    async () => writeStatus(),
    () => {},
  )
  writeStatus()
  let stopping: Promise<void> | null = null
  return {
    session,
    configHash: hash,
    consoleUrl: localConsole?.url ?? null,
    status: () => final ?? snapshot(),
    respond: (response) => uplink.respond(response),
    stop() {
      stopping ??= (async () => {
        await localConsole?.stop()
        statusJob.stop()
        // Reads stop; what waits in a batch and what report by exception holds is written, not lost.
        await samplePath.stop()
        await live?.close()
        await uplink.stop()
        crypto.save()
        const stopped = await Promise.allSettled(drivers.map((d) => d.stop()))
        stopped.forEach(
          (r, i) =>
            r.status === 'rejected' &&
            log.warn({ device: drivers[i]?.device, err: errorMessage(r.reason) }, 'driver did not stop cleanly'),
        )
        final = snapshot()
        writeStatus()
        local?.close()
        baselines?.close()
        outbox.close()
        log.info(
          { backlog: { batches: final.outbox.batches, samples: final.outbox.samples }, lastSeq: final.outbox.lastSeq },
          'edge agent stopped',
        )
      })()
      return stopping
    },
  }
}
