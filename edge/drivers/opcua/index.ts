import {
  AttributeIds,
  ClientMonitoredItemGroup,
  DataChangeFilter,
  DataChangeTrigger,
  DataType,
  DeadbandType,
  TimestampsToReturn,
  Variant,
  type DataValue,
  type UserIdentityInfo,
} from 'node-opcua'
import { backoffDelay } from '../../../shared/clock.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import { QualityReasons } from '../../../shared/quality.ts'
import type { PointInfo } from '../../../shared/wire/messages.ts'
import { badSample, type Sample, type Value } from '../../../shared/wire/sample.ts'
import type { Driver, DriverDeps, DriverState, DriverStatus } from '../driver.ts'
import type { OpcuaDeviceConfig, OpcuaPointConfig } from './config.ts'
import { connect, pkiFolder, userIdentity, withTimeout, type Connection } from './connection.ts'
import { explainOpcuaFailure } from './failure.ts'
import { readMetadata, type NodeMetadata } from './metadata.ts'
import { refreshRead } from './refresh.ts'
import { toSample as toSampleOf } from './sample.ts'

export const opcuaDriverKind = 'opcua'

const RECONNECT_BASE_MS = 1_000
const RECONNECT_MAX_MS = 30_000

/**
 * OPC UA client driver. Subscriptions carry the data (pushed through subscribe()); the
 * framework's poll tick drives the rest: polled reads for `mode: poll` and for the points a
 * server refuses to monitor, and reconnection after the backoff once a connection is lost. A
 * lost connection turns every point bad at once and is rebuilt from nothing (client, session,
 * subscription, monitored items), so a server restart never leaves a dead subscription behind.
 */
export function createOpcuaDriver(config: OpcuaDeviceConfig, deps: DriverDeps): Driver {
  const { clock, log } = deps
  const pki = pkiFolder(deps.dataDir, config.id, log)
  const listeners = new Set<(samples: Sample[]) => void>()
  /**
   * Each point's last pushed sample, handed to a listener when it subscribes: the server sends a
   * monitored item's first value once (Part 4 §5.12.1.2), often while start() is still awaited,
   * before the framework subscribes; a steady value would otherwise wait for the refresh.
   */
  const lastPushed = new Map<string, Sample>()
  const byId = new Map(config.points.map((p, i) => [p.id, i]))
  let metadata: NodeMetadata[] = config.points.map(() => ({}))
  let status: DriverStatus = { state: 'stopped', since: null, lastError: null }
  let connection: Connection | null = null
  let connecting: Promise<void> | null = null
  /** Points read by polling: all in poll mode, else those the server would not monitor. */
  let polled = new Set<number>(config.mode === 'poll' ? config.points.map((_, i) => i) : [])
  let identity: UserIdentityInfo | null = null
  let attempts = 0
  let nextAttemptAt = 0
  let stopped = true
  let generation = 0

  /** `why`: a failed connection, explained (failure.ts): its code and what to do go to the log too. */
  const setState = (state: DriverState, lastError: string | null, why?: ParklinkError) => {
    const explained = why ? { code: why.code, hint: why.hint } : {}
    if (state !== status.state) {
      log[state === 'connected' ? 'info' : 'warn'](
        { endpoint: config.endpoint, from: status.state, to: state, error: lastError ?? undefined, ...explained },
        `OPC UA device ${state}`,
      )
      status = { state, since: clock.now(), lastError }
    } else {
      // The first failure after a start (state already 'disconnected') says why, once.
      if (state === 'disconnected' && lastError !== null && status.lastError === null)
        log.warn(
          { endpoint: config.endpoint, error: lastError, ...explained },
          `device not reachable since start: ${lastError}`,
        )
      status = { ...status, lastError }
    }
  }
  const emit = (samples: Sample[]) => {
    if (samples.length === 0 || stopped) return
    for (const sample of samples) lastPushed.set(sample.point, sample)
    for (const on of listeners) on(samples)
  }
  const allBad = (indexes: Iterable<number>, reason: string) =>
    [...indexes].map((i) => badSample(config.points[i]!.id, clock.now(), reason.slice(0, 256)))
  const everyIndex = () => config.points.map((_, i) => i)

  const toSample = (p: OpcuaPointConfig, dv: DataValue, at?: number): Sample => toSampleOf(p.id, dv, clock.now(), at)

  const lost = (gen: number, reason: string) => {
    if (gen !== generation || stopped) return
    generation++
    const c = connection
    connection = null
    nextAttemptAt = clock.now() + backoffDelay(attempts++, RECONNECT_BASE_MS, RECONNECT_MAX_MS)
    setState('disconnected', `${config.endpoint}: ${reason}`)
    emit(allBad(everyIndex(), `${QualityReasons.UNREACHABLE}:${reason}`))
    void c?.close()
  }

  const monitor = async (c: Connection, gen: number) => {
    const sub = await withTimeout(
      c.session.createSubscription2({
        requestedPublishingInterval: config.publishingIntervalMs,
        requestedLifetimeCount: 60,
        requestedMaxKeepAliveCount: 10,
        maxNotificationsPerPublish: 10_000,
        publishingEnabled: true,
        priority: 10,
      }),
      config.timeoutMs,
      'creating the subscription',
    )
    sub.on('terminated', () => lost(gen, 'the server terminated the subscription'))
    const items = config.points.map((p) => ({ nodeId: p.nodeId, attributeId: AttributeIds.Value }))
    const deadbandFor = (p: OpcuaPointConfig) => p.deadband ?? config.deadband
    // One group per distinct parameter set keeps requests few on a DCS with thousands of tags.
    const groups = new Map<string, number[]>()
    config.points.forEach((p, i) => {
      const key = JSON.stringify([
        p.samplingIntervalMs ?? config.samplingIntervalMs,
        p.queueSize ?? config.queueSize,
        deadbandFor(p) ?? null,
      ])
      groups.set(key, [...(groups.get(key) ?? []), i])
    })
    const refused: Array<[number, string]> = []
    for (const [key, indexes] of groups) {
      const [samplingInterval, queueSize, deadband] = JSON.parse(key) as [
        number,
        number,
        { type: 'absolute' | 'percent'; value: number } | null,
      ]
      const filter = deadband
        ? new DataChangeFilter({
            trigger: DataChangeTrigger.StatusValue,
            deadbandType: deadband.type === 'percent' ? DeadbandType.Percent : DeadbandType.Absolute,
            deadbandValue: deadband.value,
          })
        : null
      const group = ClientMonitoredItemGroup.create(
        sub,
        indexes.map((i) => items[i]!),
        { samplingInterval, queueSize, discardOldest: true, filter },
        TimestampsToReturn.Both,
      )
      group.on('changed', (_item, dv, index) => {
        if (gen !== generation) return
        const i = indexes[index]
        if (i !== undefined) emit([toSample(config.points[i]!, dv)])
      })
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          group.once('initialized', () => resolve())
          group.once('err', (message: string) => reject(new Error(message)))
        }),
        config.timeoutMs,
        'creating monitored items',
      )
      group.monitoredItems.forEach((item, k) => {
        const code = item.statusCode
        if (code && !code.isGood()) refused.push([indexes[k]!, code.name])
      })
    }
    return refused
  }

  const open = async () => {
    const gen = ++generation
    try {
      identity ??= userIdentity(config)
      const c = await connect({ config, identity, dataDir: pki, log, onLost: (reason) => lost(gen, reason) })
      if (stopped || gen !== generation) {
        await c.close()
        return
      }
      connection = c
      metadata = await readMetadata(
        c.session,
        config.points.map((p) => p.nodeId),
      ).catch((err: unknown) => {
        log.warn({ err: errorMessage(err) }, 'could not read EURange, units or limits from the server')
        return metadata
      })
      if (config.mode === 'subscribe') {
        try {
          const refused = await monitor(c, gen)
          polled = new Set(refused.map(([i]) => i))
          if (refused.length > 0)
            log.warn(
              { points: refused.map(([i, why]) => `${config.points[i]!.id}: ${why}`) },
              'the server refused to monitor some points: they are polled instead',
            )
        } catch (err) {
          // e.g. BadTooManySubscriptions, BadServiceUnsupported: the server will not push; poll.
          polled = new Set(everyIndex())
          log.warn(
            { err: errorMessage(err), pollMs: config.pollMs },
            'the server refused a subscription: every point is polled instead',
          )
        }
      }
      if (gen !== generation) return
      attempts = 0
      setState('connected', null)
    } catch (err) {
      if (err instanceof ParklinkError) throw err // misconfiguration: not a device problem
      if (gen !== generation || stopped) return
      const why = explainOpcuaFailure(err, config.endpoint)
      generation++
      const c = connection
      connection = null
      await c?.close()
      nextAttemptAt = clock.now() + backoffDelay(attempts++, RECONNECT_BASE_MS, RECONNECT_MAX_MS)
      setState('disconnected', why.message, why)
    }
  }

  const ensureConnected = async (): Promise<string | null> => {
    if (connection) return null
    if (clock.now() < nextAttemptAt) return `${QualityReasons.BACKOFF}:${status.lastError ?? 'unreachable'}`
    connecting ??= open().finally(() => (connecting = null))
    await connecting
    return connection ? null : `${QualityReasons.UNREACHABLE}:${status.lastError ?? 'not connected'}`
  }

  const pollRead = async (indexes: number[]): Promise<Sample[]> => {
    const c = connection!
    try {
      const values = await withTimeout(
        c.session.read(
          indexes.map((i) => ({ nodeId: config.points[i]!.nodeId, attributeId: AttributeIds.Value })),
          0,
        ),
        config.timeoutMs,
        'reading',
      )
      return indexes.map((i, k) => toSample(config.points[i]!, values[k]!))
    } catch (err) {
      lost(generation, `read failed: ${errorMessage(err)}`)
      return allBad(indexes, `${QualityReasons.UNREACHABLE}:${errorMessage(err)}`)
    }
  }

  return {
    device: config.id,
    kind: opcuaDriverKind,
    pollIntervalMs: config.pollMs,
    // Polled points are read every pollMs anyway; subscribed ones are refreshed when silent.
    ...(config.mode === 'subscribe' ? { refreshIntervalMs: config.refreshS * 1000 } : {}),
    get points(): PointInfo[] {
      return config.points.map((p, i) => {
        const m = metadata[i] ?? {}
        const unit = p.unit ?? m.unit
        return {
          id: p.id,
          device: config.id,
          ...(p.name ? { name: p.name } : {}),
          ...(unit ? { unit } : {}),
          ...(m.range ? { range: m.range } : {}),
          ...(m.limits ? { limits: m.limits } : {}),
        }
      })
    },

    async start() {
      if (!stopped) return
      stopped = false
      lastPushed.clear()
      status = { state: 'disconnected', since: clock.now(), lastError: null }
      nextAttemptAt = 0
      attempts = 0
      await ensureConnected()
    },

    async stop() {
      stopped = true
      generation++
      const c = connection
      connection = null
      if (connecting) await connecting.catch(() => {})
      await c?.close()
      setState('stopped', null)
    },

    status: () => status,

    async read(ids?: readonly string[]) {
      const wanted =
        ids === undefined ? everyIndex() : ids.map((id) => byId.get(id)).filter((i): i is number => i !== undefined)
      if (stopped) return allBad(wanted, `${QualityReasons.UNREACHABLE}:driver stopped`)
      // While disconnected, the poll tick reports every point bad (subscribed ones too); once
      // reconnected, subscribed points get their values from the new subscription.
      const failure = await ensureConnected()
      if (failure !== null) return allBad(wanted, failure)
      const toPoll = wanted.filter((i) => polled.has(i))
      return toPoll.length === 0 ? [] : await pollRead(toPoll)
    },

    async refresh(ids) {
      const wanted = ids.map((id) => byId.get(id)).filter((i): i is number => i !== undefined)
      if (wanted.length === 0) return []
      if (stopped) return allBad(wanted, `${QualityReasons.UNREACHABLE}:driver stopped`)
      const failure = await ensureConnected()
      if (failure !== null) return allBad(wanted, failure)
      return refreshRead(
        connection!,
        wanted.map((i) => config.points[i]!),
        config.timeoutMs,
        toSample,
        () => clock.now(),
      )
    },

    subscribe(on) {
      listeners.add(on)
      if (lastPushed.size > 0) on([...lastPushed.values()])
      return () => void listeners.delete(on)
    },

    async write(id: string, value: Value) {
      const i = byId.get(id)
      const p = i === undefined ? undefined : config.points[i]
      if (!p?.writable) {
        throw new ParklinkError(ErrorCodes.BAD_REQUEST, `point ${id} is not writable on device ${config.id}`, {
          hint: 'the edge writes to a control system only for points configured with writable: true',
        })
      }
      const c = connection
      if (!c)
        throw new ParklinkError(ErrorCodes.BAD_REQUEST, `device ${config.id} is not connected`, {
          hint: 'retry once the device is connected',
        })
      if (typeof value !== 'number' && typeof value !== 'boolean')
        throw new ParklinkError(ErrorCodes.BAD_REQUEST, `cannot write ${typeof value} to ${id}`, {
          hint: 'write a number or true/false',
        })
      const variant = new Variant({ dataType: typeof value === 'boolean' ? DataType.Boolean : DataType.Double, value })
      const code = await withTimeout(
        c.session.write({ nodeId: p.nodeId, attributeId: AttributeIds.Value, value: { value: variant } }),
        config.timeoutMs,
        'writing',
      )
      if (!code.isGood())
        throw new ParklinkError(ErrorCodes.BAD_REQUEST, `the server refused the write to ${id}: ${code.name}`, {
          hint: 'check the node is writable for this user',
        })
    },
  }
}
