import { backoffDelay, type TimerHandle } from '../../../shared/clock.ts'
import { QualityReasons } from '../../../shared/quality.ts'
import type { PointInfo } from '../../../shared/wire/messages.ts'
import { badSample, type Sample, type Value } from '../../../shared/wire/sample.ts'
import type { Driver, DriverDeps, DriverState, DriverStatus } from '../driver.ts'
import type {
  ModbusGatewayDeviceConfig,
  ModbusRtuDeviceConfig,
  ModbusRtuOverTcpDeviceConfig,
  ModbusRtuUnitConfig,
} from './config.ts'
import { RECONNECT_BASE_MS, RECONNECT_MAX_MS } from './index.ts'
import { ModbusTransport, classify, rtuOpener, rtuOverTcpOpener, tcpOpener, type Opener } from './transport.ts'
import { createUnit, type Unit } from './unit.ts'

export const modbusRtuDriverKind = 'modbus-rtu'
export const modbusGatewayDriverKind = 'modbus-gateway'
export const modbusRtuOverTcpDriverKind = 'modbus-rtu-over-tcp'

/** Time a request needs beyond the slave's timeout (the line turnaround, the framework's scheduling). */
const PROBE_MARGIN_MS = 50
const OPEN_TIMEOUT_MS = 3_000

interface Slave {
  config: ModbusRtuUnitConfig
  unit: Unit
  /** Silent (timed out): probed again only after a backoff, and only into a gap of the line. */
  silent: boolean
  lastError: string | null
  attempts: number
  nextProbeAt: number
  /** When the framework last asked for this slave's points: its next read is due a poll later. */
  lastCallAt: number | null
}

/**
 * Modbus RTU: one RS485 line, several slaves, each on its own schedule (the framework runs one
 * loop per slave). The line carries one transaction at a time, so a request waits for the line.
 *
 * One silent slave must cost only its own timeout, never the other slaves' cadence (a known
 * failure of gateways: Neuron #2148, node-red-contrib-modbus #409). Once a slave has timed out,
 * its points read bad (`reconnect_backoff`) without touching the line, and it is probed again
 * after a growing backoff, and then only when the line has a gap at least as long as the
 * probe's timeout before the next due read of any answering slave.
 */
export function createModbusRtuDriver(config: ModbusRtuDeviceConfig, deps: DriverDeps): Driver {
  const opener = rtuOpener({
    path: config.port,
    baudRate: config.baudRate,
    parity: config.parity,
    dataBits: config.dataBits,
    stopBits: config.stopBits,
  })
  return createBusDriver({ ...config, line: config.port }, opener, modbusRtuDriverKind, deps)
}

/** Slaves behind a Modbus TCP → RTU gateway: the same line rules, over one TCP connection. */
export function createModbusGatewayDriver(config: ModbusGatewayDeviceConfig, deps: DriverDeps): Driver {
  return createBusDriver(
    { ...config, line: `${config.host}:${config.port}` },
    tcpOpener(config.host, config.port),
    modbusGatewayDriverKind,
    deps,
  )
}

/** Slaves behind a transparent serial server: RTU frames over one TCP connection, the same line rules. */
export function createModbusRtuOverTcpDriver(config: ModbusRtuOverTcpDeviceConfig, deps: DriverDeps): Driver {
  return createBusDriver(
    { ...config, line: `${config.host}:${config.port}` },
    rtuOverTcpOpener(config.host, config.port),
    modbusRtuOverTcpDriverKind,
    deps,
  )
}

interface BusSpec {
  id: string
  /** The serial port or the gateway's address, for logs and errors. */
  line: string
  order: ModbusRtuDeviceConfig['order']
  maxGap: number
  maxRegistersPerRead: number
  units: readonly ModbusRtuUnitConfig[]
}

function createBusDriver(config: BusSpec, opener: Opener, kind: string, deps: DriverDeps): Driver {
  const { clock, log } = deps
  const slaves: Slave[] = config.units.map((u) => ({
    config: u,
    unit: createUnit({
      device: config.id,
      unitId: u.unitId,
      timeoutMs: u.timeoutMs,
      order: u.order ?? config.order,
      maxGap: config.maxGap,
      maxRegistersPerRead: config.maxRegistersPerRead,
      points: u.points,
    }),
    silent: false,
    lastError: null,
    attempts: 0,
    nextProbeAt: 0,
    lastCallAt: null,
  }))
  const slaveOf = new Map<string, number>()
  slaves.forEach((s, k) => s.unit.ids.forEach((id) => slaveOf.set(id, k)))
  const transport = new ModbusTransport(opener, OPEN_TIMEOUT_MS)
  let status: DriverStatus = { state: 'stopped', since: null, lastError: null }
  let stopped = true
  let portError: string | null = null
  let portAttempts = 0
  let nextOpenAt = 0

  // The line: one transaction at a time; waiters are told when it is released.
  let line: Promise<void> = Promise.resolve()
  let released: Array<() => void> = []
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = line.then(fn)
    line = run
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        const waiting = released
        released = []
        for (const w of waiting) w()
      })
    return run
  }

  const setState = () => {
    const silent = slaves.filter((s) => s.silent)
    const state: DriverState = stopped
      ? 'stopped'
      : portError !== null
        ? 'disconnected'
        : silent.length === slaves.length
          ? 'disconnected'
          : silent.length > 0
            ? 'degraded'
            : 'connected'
    const lastError =
      portError ?? (silent.length > 0 ? silent.map((s) => `unit ${s.config.unitId}: ${s.lastError}`).join('; ') : null)
    if (state !== status.state) {
      log[state === 'connected' ? 'info' : 'warn'](
        { port: config.line, from: status.state, to: state, error: lastError ?? undefined },
        `modbus line ${config.line} ${state}`,
      )
      status = { state, since: clock.now(), lastError }
    } else {
      // The first failure after a start (state already 'disconnected') says why, once.
      if (state === 'disconnected' && lastError !== null && status.lastError === null)
        log.warn({ port: config.line, error: lastError }, `device not reachable since start: ${lastError}`)
      status = { ...status, lastError }
    }
  }

  const openPort = async (): Promise<string | null> => {
    if (transport.connected) return null
    if (clock.now() < nextOpenAt) return `${QualityReasons.BACKOFF}:${portError ?? 'serial port not open'}`
    try {
      await exclusive(() => transport.connect())
      portAttempts = 0
      portError = null
      return null
    } catch (err) {
      const e = classify(err)
      nextOpenAt = clock.now() + backoffDelay(portAttempts++, RECONNECT_BASE_MS, RECONNECT_MAX_MS)
      portError = `${config.line}: ${e.message}`
      setState()
      return `${QualityReasons.UNREACHABLE}:${e.message}`
    }
  }

  /** Time until the next due read of an answering slave other than `self` (Infinity if none is known). */
  const slack = (self: Slave) => {
    const now = clock.now()
    let min = Infinity
    for (const s of slaves) {
      if (s === self || s.silent || s.lastCallAt === null) continue
      min = Math.min(min, s.lastCallAt + s.config.pollMs - now)
    }
    return min
  }

  /** Waits (bounded) until the line has a gap for a probe of `s`; false if none came in time. */
  const waitForGap = async (s: Slave): Promise<boolean> => {
    const need = s.config.timeoutMs + PROBE_MARGIN_MS
    const giveUpAt = clock.now() + s.config.pollMs
    while (!stopped) {
      const gap = slack(s)
      if (gap >= need) return true
      const now = clock.now()
      if (now >= giveUpAt) return false
      // The blocking slave's read is due within the gap: wait for it to pass (the line is
      // released after it), or for its due time plus its own timeout, whichever is first.
      let timer: TimerHandle | undefined
      await new Promise<void>((resolve) => {
        released.push(resolve)
        timer = clock.setTimeout(resolve, Math.max(10, Math.min(giveUpAt - now, Math.max(gap, 0) + need)))
      })
      if (timer !== undefined) clock.clearTimeout(timer)
    }
    return false
  }

  const readSlave = async (s: Slave, wanted: Set<number>): Promise<Sample[]> => {
    const bad = (reason: string) => [...wanted].map((i) => badSample(s.unit.ids[i]!, clock.now(), reason.slice(0, 256)))
    s.lastCallAt = clock.now()
    // No slave answers at all: the line itself may be gone (a pulled USB adapter leaves a dead
    // file descriptor behind), so a due probe reopens the port first.
    if (s.silent && clock.now() >= s.nextProbeAt && transport.connected && slaves.every((x) => x.silent))
      await exclusive(() => transport.close())
    const portFailure = await openPort()
    if (portFailure !== null) return bad(portFailure)
    if (s.silent) {
      if (clock.now() < s.nextProbeAt || !(await waitForGap(s)))
        return bad(`${QualityReasons.BACKOFF}:unit ${s.config.unitId}: ${s.lastError}`)
    }
    const { samples, failed } = await exclusive(() => s.unit.read(transport, wanted, clock))
    if (failed?.fatal && failed.reason.startsWith(QualityReasons.TIMEOUT)) {
      // The slave is silent; the line is fine.
      if (!s.silent)
        log.warn(
          { unitId: s.config.unitId, timeoutMs: s.config.timeoutMs },
          'slave does not answer: probing it only in gaps of the line from now on',
        )
      s.silent = true
      s.lastError = failed.message
      s.nextProbeAt = clock.now() + backoffDelay(s.attempts++, s.config.pollMs, RECONNECT_MAX_MS)
    } else if (failed?.fatal) {
      // The port itself failed (adapter unplugged, line closed): reopen after a backoff.
      await transport.close()
      portError = `${config.line}: ${failed.message}`
      nextOpenAt = clock.now() + backoffDelay(portAttempts++, RECONNECT_BASE_MS, RECONNECT_MAX_MS)
    } else {
      if (s.silent) log.info({ unitId: s.config.unitId }, 'slave answers again')
      s.silent = false
      s.attempts = 0
      s.lastError = failed ? failed.message : null
    }
    setState()
    return [...wanted].map((i) => samples.get(i)!)
  }

  return {
    device: config.id,
    kind,
    schedules: slaves.map((s) => ({
      id: `unit-${s.config.unitId}`,
      pollIntervalMs: s.config.pollMs,
      points: s.unit.ids,
    })),
    points: config.units.flatMap((u) =>
      u.points.map(
        (p): PointInfo => ({
          id: p.id,
          device: config.id,
          ...(p.name ? { name: p.name } : {}),
          ...(p.unit ? { unit: p.unit } : {}),
        }),
      ),
    ),

    async start() {
      if (!stopped) return
      stopped = false
      status = { state: 'disconnected', since: clock.now(), lastError: null }
      nextOpenAt = 0
      for (const s of slaves)
        Object.assign(s, { silent: false, attempts: 0, nextProbeAt: 0, lastCallAt: null, lastError: null })
      if ((await openPort()) === null) setState()
    },

    async stop() {
      stopped = true
      for (const w of released.splice(0)) w()
      await exclusive(() => transport.close()).catch(() => {})
      portError = null
      setState()
    },

    status: () => status,

    async read(ids?: readonly string[]) {
      const bySlave = new Map<number, Set<number>>()
      for (const id of ids ?? [...slaveOf.keys()]) {
        const k = slaveOf.get(id)
        if (k === undefined) continue
        const i = slaves[k]!.unit.indexOf(id)!
        bySlave.set(k, (bySlave.get(k) ?? new Set()).add(i))
      }
      const out: Sample[] = []
      for (const [k, wanted] of bySlave) {
        const s = slaves[k]!
        out.push(
          ...(stopped
            ? [...wanted].map((i) =>
                badSample(s.unit.ids[i]!, clock.now(), `${QualityReasons.UNREACHABLE}:driver stopped`),
              )
            : await readSlave(s, wanted)),
        )
      }
      return out
    },

    async write(id: string, value: Value) {
      const k = slaveOf.get(id)
      const s = slaves[k ?? 0]!
      await exclusive(() => s.unit.write(transport, id, value))
    },
  }
}
