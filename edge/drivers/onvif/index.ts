import { createHash, randomUUID } from 'node:crypto'
import path from 'node:path'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import type { CameraAlarmEvent, CameraEvent, Snapshot } from '../../../shared/wire/camera.ts'
import type { PointInfo } from '../../../shared/wire/messages.ts'
import { goodSample, type Sample } from '../../../shared/wire/sample.ts'
import type { Driver, DriverDeps, DriverStatus } from '../driver.ts'
import { OnvifClient, describeCameraError, type CameraIdentity } from './client.ts'
import { cameraPoints, priorityFor, type OnvifDeviceConfig } from './config.ts'
import { mappingFor, parseNotifications, transitionOf } from './events.ts'
import { checkSnapshot } from './jpeg.ts'
import { openSnapshotStore, type SnapshotStore } from './snapshot-store.ts'

/** Renew the PullPoint subscription (the package asks for 2 min) once it is this old. */
const RENEW_AFTER_MS = 60_000
/** Longest wait between two connection attempts to a camera that keeps failing. */
const MAX_RETRY_MS = 5 * 60_000

/**
 * An ONVIF camera as a driver. The framework schedules two loops (schedules): `health` reads the
 * `{id}.online` point (connect with backoff, an authenticated probe, the PullPoint subscription
 * created, renewed, re-created after a camera restart) and `events` pulls analytics events.
 * Each mapped event becomes a camera event with a snapshot, handed to the framework's listener
 * (it goes to the outbox); a transition online ↔ offline is one too. Nothing here owns a timer.
 */
export function createOnvifDriver(
  config: OnvifDeviceConfig,
  deps: DriverDeps,
  env: NodeJS.ProcessEnv = deps.env ?? process.env,
): Driver {
  const { clock, log } = deps
  const ids = cameraPoints(config.id)
  const name = config.name ?? config.id
  const camera = {
    ...(config.name ? { name: config.name } : {}),
    area: config.area,
    ...(config.enterprise ? { enterprise: config.enterprise } : {}),
    host: config.host,
    port: config.port,
  }
  const points: PointInfo[] = [
    { id: ids.online, name: `${name}: online`, device: config.id, camera },
    { id: ids.event, name: `${name}: video analytics`, device: config.id },
    { id: ids.snapshot, name: `${name}: requested snapshot (bytes)`, device: config.id },
  ]
  let status: DriverStatus = { state: 'disconnected', since: null, lastError: null }
  let client: OnvifClient | null = null
  let identity: CameraIdentity | null = null
  let online: boolean | null = null
  let failures = 0
  let retryAt = 0
  let renewedAt = 0
  let stopped = false
  let listener: ((events: CameraEvent[]) => void) | null = null
  let store: SnapshotStore | null = null
  const unmapped = new Set<string>()

  const setState = (state: DriverStatus['state'], lastError: string | null) => {
    if (state !== status.state) status = { state, since: clock.now(), lastError }
    else status = { ...status, lastError }
  }
  const emit = (events: CameraEvent[]) => {
    if (events.length === 0 || !listener) return
    try {
      listener(events)
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'camera events could not be handed on')
    }
  }
  const setOnline = (value: boolean, reason: string | null) => {
    if (online !== value) {
      if (value) log.info({ identity }, 'camera online')
      else log.warn({ reason }, 'camera offline')
      emit([
        {
          id: randomUUID(),
          camera: config.id,
          ts: clock.now(),
          type: 'status',
          online: value,
          ...(reason ? { reason: reason.slice(0, 256) } : {}),
        },
      ])
    }
    online = value
  }
  const password = () => {
    const value = env[config.passwordEnv]
    if (value === undefined || value === '') {
      throw new ParklinkError(
        ErrorCodes.CONFIG_INVALID,
        `device ${config.id}: environment variable ${config.passwordEnv} (the camera password of ${config.username}) is not set`,
        {
          hint: `set ${config.passwordEnv} in the service environment (e.g. an EnvironmentFile of the systemd unit), never in the config file`,
        },
      )
    }
    return value
  }

  const goOffline = (reason: string) => {
    client?.forgetSubscription()
    client = null
    identity = null
    failures++
    retryAt =
      clock.now() +
      Math.min(config.healthIntervalMs * 2 ** Math.max(0, failures - 1), MAX_RETRY_MS) -
      config.healthIntervalMs
    setState('disconnected', reason)
    setOnline(false, reason)
  }

  const ensureSubscription = async (c: OnvifClient) => {
    try {
      if (!c.hasSubscription()) {
        await c.subscribe()
        renewedAt = clock.now()
        log.info('PullPoint subscription created')
      } else if (clock.now() - renewedAt >= RENEW_AFTER_MS) {
        await c.renew()
        renewedAt = clock.now()
      }
      setState('connected', null)
    } catch (err) {
      c.forgetSubscription()
      const reason = `events: ${describeCameraError(err, config.username)}`
      if (status.lastError !== reason)
        log.warn({ reason }, 'camera events unavailable; retried at the next health check')
      setState('degraded', reason)
    }
  }

  const health = async (): Promise<Sample[]> => {
    const now = clock.now()
    if (!client) {
      if (now < retryAt) return [goodSample(ids.online, now, false)]
      const c = new OnvifClient({
        host: config.host,
        port: config.port,
        path: config.path,
        username: config.username,
        password: password(),
        timeoutMs: config.timeoutMs,
      })
      try {
        identity = await c.connect()
      } catch (err) {
        goOffline(describeCameraError(err, config.username))
        return [goodSample(ids.online, clock.now(), false)]
      }
      if (stopped) return []
      client = c
      failures = 0
      setOnline(true, null)
    } else {
      try {
        await client.probe()
      } catch (err) {
        goOffline(describeCameraError(err, config.username))
        return [goodSample(ids.online, clock.now(), false)]
      }
    }
    await ensureSubscription(client)
    return [goodSample(ids.online, clock.now(), true)]
  }

  const takeSnapshot = async (ts: number): Promise<{ snapshot: Snapshot } | { snapshotError: string }> => {
    const uri = identity?.snapshotUri
    if (!client || !uri) return { snapshotError: 'the camera has no snapshot URI (GetSnapshotUri)' }
    try {
      const { body, contentType } = await client.snapshot(uri, config.snapshot.maxBytes)
      const check = checkSnapshot(body, contentType, config.snapshot.maxBytes)
      if (!check.ok) return { snapshotError: check.reason }
      const id = randomUUID()
      try {
        store?.save(id, ts, body)
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'snapshot not kept on disk (it is still sent)')
      }
      return {
        snapshot: {
          id,
          ts,
          contentType: 'image/jpeg',
          bytes: body.length,
          sha256: createHash('sha256').update(body).digest('hex'),
          data: body.toString('base64'),
        },
      }
    } catch (err) {
      return { snapshotError: errorMessage(err).slice(0, 256) }
    }
  }

  const pull = async (): Promise<Sample[]> => {
    const c = client
    if (!c?.hasSubscription()) return []
    let response: unknown
    try {
      response = await c.pull(config.pullWaitS)
    } catch (err) {
      if (c !== client) return []
      // A rebooted camera forgot the subscription (a fault); the next health check makes a new one.
      c.forgetSubscription()
      setState('degraded', `events: ${describeCameraError(err, config.username)}`)
      return []
    }
    const events: CameraAlarmEvent[] = []
    for (const n of parseNotifications(response)) {
      const mapping = mappingFor(n.topic, config.events)
      if (!mapping) {
        if (!unmapped.has(n.topic)) log.info({ topic: n.topic }, 'camera event topic not mapped in `events`: ignored')
        unmapped.add(n.topic)
        continue
      }
      const type = transitionOf(n)
      const ts = n.ts ?? clock.now()
      const picture = type === 'clear' ? {} : await takeSnapshot(ts)
      if ('snapshotError' in picture) log.warn({ reason: picture.snapshotError }, 'event sent without a snapshot')
      events.push({
        id: randomUUID(),
        camera: config.id,
        ts,
        type,
        topic: n.topic,
        kind: mapping.kind,
        code: mapping.code,
        priority: priorityFor(mapping),
        ...picture,
      })
    }
    emit(events)
    return []
  }

  return {
    device: config.id,
    kind: 'onvif',
    points,
    schedules: [
      { id: 'health', pollIntervalMs: config.healthIntervalMs, points: [ids.online] },
      { id: 'events', pollIntervalMs: config.pullIntervalMs, points: [ids.event] },
    ],
    async start() {
      password()
      stopped = false
      if (deps.dataDir)
        store = openSnapshotStore(path.join(deps.dataDir, 'snapshots'), config.snapshot.keepBytes, deps.atRest ?? null)
    },
    async stop() {
      if (stopped) return
      stopped = true
      listener = null
      const c = client
      client = null
      await c?.unsubscribe()
      status = { state: 'stopped', since: clock.now(), lastError: null }
    },
    status: () => status,
    read: async (only) => (stopped ? [] : (only?.includes(ids.online) ?? true) ? health() : pull()),
    snapshot: () => takeSnapshot(clock.now()),
    liveSource() {
      if (!identity?.streamUri) return null
      try {
        const url = new URL(identity.streamUri)
        url.username = encodeURIComponent(config.username)
        url.password = encodeURIComponent(password())
        return url.toString()
      } catch {
        return null
      }
    },
    onEvents(fn) {
      listener = fn
      return () => {
        if (listener === fn) listener = null
      }
    },
  }
}
