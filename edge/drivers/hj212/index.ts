import type net from 'node:net'
import type { TimerHandle } from '../../../shared/clock.ts'
import { silenceCheckMs, silentInstruments } from './silence.ts'
import { QualityReasons } from '../../../shared/quality.ts'
import type { PointInfo } from '../../../shared/wire/messages.ts'
import { badSample, type Sample } from '../../../shared/wire/sample.ts'
import type { Driver, DriverDeps, DriverState, DriverStatus } from '../driver.ts'
import {
  dataAnswer,
  extractFrames,
  parseDataTime,
  parseSegment,
  wantsAnswer,
  type Message,
  type RejectReason,
} from './codec.ts'
import type { Hj212DeviceConfig } from './config.ts'
import { startHj212Listener, type Hj212ConnectionCounts, type Hj212Listener } from './listener.ts'
import { instrumentPasswords, passwordAccepted, type InstrumentPasswords } from './password.ts'
import { DEFAULT_AHEAD_MS, checkSamples } from '../../../shared/rules/time-check.ts'

export const hj212DriverKind = 'hj212'

/** Garbage with no packet start beyond this is dropped (a packet is at most 1 036 characters). */
const MAX_BUFFER = 4_096

export interface Hj212Counters {
  frames: number
  accepted: number
  rejected: Record<RejectReason, number>
  /** Factors in accepted packets that map to no point. */
  unmapped: number
  /** Packets of commands that carry no configured data (heartbeats, status). */
  ignored: number
  /** Connections admitted since start. */
  connections: number
  /** Connections open now, refused over the caps, closed for idleness (listener.ts). */
  listener: Hj212ConnectionCounts
  /** Packets whose DataTime lies outside the time window of the listener's clock (values kept as uncertain, clock_skew). */
  skewed: number
}

export interface Hj212Driver extends Driver {
  counters(): Hj212Counters
  /** The port listened on while started (the configured one). */
  port(): number | null
}

/**
 * HJ 212-2017 listener, a pushed driver: instruments connect in and upload data; every accepted
 * value becomes a sample stamped with the packet's DataTime. Bad packets (CRC, length, unknown
 * MN, wrong password, malformed CP) are counted by reason and the connection is kept. One
 * watchdog turns an instrument's points bad when it goes silent.
 */
export function createHj212Driver(
  config: Hj212DeviceConfig,
  deps: DriverDeps,
  env: NodeJS.ProcessEnv = deps.env ?? process.env,
): Hj212Driver {
  const { clock, log } = deps
  const instruments = new Map(config.instruments.map((i) => [i.mn, i]))
  const listeners = new Set<(samples: Sample[]) => void>()
  const lastSeen = new Map<string, number>()
  const silentReported = new Set<string>()
  const counters: Omit<Hj212Counters, 'listener'> = {
    frames: 0,
    accepted: 0,
    rejected: {
      bad_length: 0,
      too_long: 0,
      bad_crc: 0,
      bad_terminator: 0,
      malformed: 0,
      unknown_mn: 0,
      bad_password: 0,
    },
    unmapped: 0,
    ignored: 0,
    connections: 0,
    skewed: 0,
  }
  let server: Hj212Listener | null = null
  let passwords: InstrumentPasswords = new Map()
  let lastListener: Hj212ConnectionCounts = {
    open: 0,
    accepted: 0,
    refused: { total_cap: 0, address_cap: 0 },
    idleClosed: 0,
  }
  const listenerCounts = () => (lastListener = server?.counts() ?? lastListener)
  let watchdog: TimerHandle | null = null
  let status: DriverStatus = { state: 'stopped', since: null, lastError: null }
  let lastReject: string | null = null
  let lastRejectLogAt = -Infinity

  const setState = (state: DriverState) => {
    const lastError =
      state === 'connected'
        ? null
        : (lastReject ?? (state === 'disconnected' ? 'no instrument has sent data recently' : null))
    if (state !== status.state) {
      log[state === 'connected' ? 'info' : 'warn'](
        { port: config.port, from: status.state, to: state },
        `HJ 212 listener ${state}`,
      )
      status = { state, since: clock.now(), lastError }
    } else status = { ...status, lastError }
  }
  /** The status with the connection and packet counts (shown by `parklink edge status` and sent in the heartbeat). */
  const withCounts = (s: DriverStatus): DriverStatus => {
    const l = listenerCounts()
    const rejected = Object.values(counters.rejected).reduce((a, b) => a + b, 0)
    return {
      ...s,
      counters: {
        open: l.open,
        refused_total_cap: l.refused.total_cap,
        refused_address_cap: l.refused.address_cap,
        idle_closed: l.idleClosed,
        packets_accepted: counters.accepted,
        packets_rejected: rejected,
        bad_password: counters.rejected.bad_password,
      },
    }
  }
  const refreshState = () => {
    if (!server) return
    const now = clock.now()
    const fresh = [...lastSeen.values()].some((t) => now - t <= config.staleAfterMs)
    setState(fresh ? 'connected' : 'disconnected')
  }
  const emit = (samples: Sample[]) => {
    if (samples.length > 0) for (const on of listeners) on(samples)
  }

  const reject = (reason: RejectReason, detail: string, peer: string) => {
    counters.rejected[reason]++
    lastReject = `${reason}: ${detail} (from ${peer})`
    status = { ...status, lastError: lastReject }
    // Rate-limited: a broken instrument sending every second must not flood the log.
    if (clock.now() - lastRejectLogAt > 60_000) {
      lastRejectLogAt = clock.now()
      log.warn({ reason, detail, peer, rejected: counters.rejected }, 'HJ 212 packet rejected; the connection is kept')
    }
  }

  const handle = (m: Message, socket: net.Socket, peer: string) => {
    const instrument = instruments.get(m.MN)
    if (!instrument) return reject('unknown_mn', `MN ${m.MN} is not configured`, peer)
    // HJ 212-2017 §6.3.2: PW is the instrument's access password.
    if (!passwordAccepted(passwords.get(m.MN) ?? null, m.PW))
      return reject('bad_password', `wrong PW for MN ${m.MN}`, peer)
    counters.accepted++
    lastSeen.set(m.MN, clock.now())
    silentReported.delete(m.MN)
    if (wantsAnswer(m.flag)) socket.write(dataAnswer(m))
    const points = instrument.points.filter((p) => p.cn === m.CN)
    if (points.length === 0) {
      counters.ignored++
      refreshState()
      return
    }
    const ts = parseDataTime(m.cp.get('DataTime'), config.utcOffset) ?? clock.now()
    const samples: Sample[] = []
    for (const p of points) {
      const text = m.cp.get(`${p.factor}-${p.field}`)
      if (text === undefined) continue
      const value = Number(text)
      const flag = m.cp.get(`${p.factor}-Flag`) ?? 'N'
      if (!Number.isFinite(value) || text.trim() === '')
        samples.push(badSample(p.id, ts, `${QualityReasons.DECODE}:"${text.slice(0, 32)}" is not a number`))
      else samples.push(sampleFor(p.id, ts, value, flag))
    }
    const known = new Set(instrument.points.map((p) => `${p.factor}-${p.field}`))
    for (const key of m.cp.keys()) if (/-(Rtd|Avg|Min|Max|Cou)$/.test(key) && !known.has(key)) counters.unmapped++
    // DataTime is the instrument's clock: checked against ours (issue 14, shared/rules/time-check.ts).
    const checked = checkSamples(samples, clock.now(), { aheadMs: DEFAULT_AHEAD_MS })
    if (checked.skewed.ahead + checked.skewed.behind > 0) counters.skewed++
    emit(checked.samples)
    refreshState()
  }

  const onConnection = (socket: net.Socket, peer: string) => {
    counters.connections++
    let buffer = ''
    socket.setEncoding('utf8')
    socket.setKeepAlive(true, 60_000)
    socket.on('data', (chunk: string) => {
      buffer += chunk
      const { items, rest } = extractFrames(buffer)
      buffer = rest.length > MAX_BUFFER ? '' : rest
      for (const item of items) {
        counters.frames++
        if (!item.ok) {
          reject(item.reason, item.detail, peer)
          continue
        }
        const m = parseSegment(item.segment)
        if (!m) reject('malformed', 'a mandatory field is missing or CP is not &&…&&', peer)
        else handle(m, socket, peer)
      }
    })
    socket.on('error', () => {}) // a reset by the instrument is normal; 'close' follows
  }

  // The one timer of this driver: a listener cannot be polled, so silence is found by looking.
  const check = () => {
    watchdog = null
    if (!server) return
    for (const silent of silentInstruments(config, lastSeen, silentReported, clock.now())) {
      silentReported.add(silent.mn)
      emit(silent.samples)
    }
    refreshState()
    watchdog = clock.setTimeout(check, silenceCheckMs(config))
  }

  return {
    device: config.id,
    kind: hj212DriverKind,
    points: config.instruments.flatMap((i) =>
      i.points.map(
        (p): PointInfo => ({
          id: p.id,
          device: config.id,
          ...(p.name ? { name: p.name } : {}),
          ...(p.unit ? { unit: p.unit } : {}),
        }),
      ),
    ),
    counters: () => ({ ...structuredClone(counters), listener: listenerCounts() }),
    port: () => server?.port ?? null,

    async start() {
      if (server) return
      passwords = instrumentPasswords(config, env, log)
      server = await startHj212Listener({
        id: config.id,
        host: config.host,
        port: config.port,
        clock,
        log,
        onConnection,
        limits: { maxTotal: config.maxConnections, maxPerAddress: config.maxConnectionsPerAddress },
        idleTimeoutMs: config.idleTimeoutMs,
      })
      status = { state: 'disconnected', since: clock.now(), lastError: 'no instrument has sent data yet' }
      watchdog = clock.setTimeout(check, silenceCheckMs(config))
    },

    async stop() {
      const s = server
      server = null
      if (watchdog !== null) clock.clearTimeout(watchdog)
      watchdog = null
      if (s) {
        await s.stop()
        lastListener = { ...s.counts(), open: 0 }
      }
      status = { state: 'stopped', since: clock.now(), lastError: null }
    },

    status: () => withCounts(status),

    subscribe(on) {
      listeners.add(on)
      return () => void listeners.delete(on)
    },
  }
}

/**
 * Data flags (HJ 212-2017 Table 6): N normal; T over limit (a real value: over-limit is the
 * alarm engine's business); M maintenance, S manual setting, C calibration (uncertain);
 * F offline, D fault, B communication abnormal (bad).
 */
function sampleFor(point: string, ts: number, value: number, flag: string): Sample {
  if (flag === 'N' || flag === 'T') return { point, ts, value, quality: 'good' }
  if (flag === 'M' || flag === 'S' || flag === 'C')
    return { point, ts, value, quality: 'uncertain', reason: `${QualityReasons.SOURCE}:${flag}` }
  return badSample(point, ts, `${QualityReasons.SOURCE}:${flag}`)
}
