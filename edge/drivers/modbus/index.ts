import { backoffDelay } from '../../../shared/clock.ts'
import { QualityReasons } from '../../../shared/quality.ts'
import type { PointInfo } from '../../../shared/wire/messages.ts'
import { badSample, type Sample, type Value } from '../../../shared/wire/sample.ts'
import type { Driver, DriverDeps, DriverState, DriverStatus } from '../driver.ts'
import type { ModbusTcpDeviceConfig } from './config.ts'
import { ModbusTransport, classify, tcpOpener } from './transport.ts'
import { createUnit } from './unit.ts'

export const modbusTcpDriverKind = 'modbus-tcp'

export const RECONNECT_BASE_MS = 1_000
export const RECONNECT_MAX_MS = 30_000

/**
 * Modbus TCP: one connection per device, requests one at a time (a real device serves one
 * request at a time), planned once at construction. The driver owns no timers: a reconnect
 * happens inside read() once the backoff has elapsed on the injected clock.
 */
export function createModbusTcpDriver(config: ModbusTcpDeviceConfig, deps: DriverDeps): Driver {
  const unit = createUnit({
    device: config.id,
    unitId: config.unitId,
    timeoutMs: config.timeoutMs,
    order: config.order,
    maxGap: config.maxGap,
    maxRegistersPerRead: config.maxRegistersPerRead,
    points: config.points,
  })
  const transport = new ModbusTransport(tcpOpener(config.host, config.port), config.timeoutMs)
  const log = deps.log
  let status: DriverStatus = { state: 'stopped', since: null, lastError: null }
  let attempts = 0
  let nextAttemptAt = 0
  let stopped = false

  const setState = (state: DriverState, lastError: string | null) => {
    if (state !== status.state) {
      const level = state === 'connected' ? 'info' : 'warn'
      log[level](
        {
          host: config.host,
          port: config.port,
          unitId: config.unitId,
          from: status.state,
          to: state,
          error: lastError ?? undefined,
        },
        `modbus device ${state}`,
      )
      status = { state, since: deps.clock.now(), lastError }
    } else {
      // The first failure after a start (state already 'disconnected') says why, once.
      if (state === 'disconnected' && lastError !== null && status.lastError === null)
        log.warn(
          { host: config.host, port: config.port, unitId: config.unitId, error: lastError },
          `device not reachable since start: ${lastError}`,
        )
      status = { ...status, lastError }
    }
  }

  const connect = async (): Promise<string | null> => {
    if (transport.connected) return null
    const now = deps.clock.now()
    if (now < nextAttemptAt) return `${QualityReasons.BACKOFF}:${status.lastError ?? 'unreachable'}`
    try {
      await transport.connect()
      attempts = 0
      return null
    } catch (err) {
      const e = classify(err)
      nextAttemptAt = deps.clock.now() + backoffDelay(attempts++, RECONNECT_BASE_MS, RECONNECT_MAX_MS)
      setState('disconnected', `${config.host}:${config.port}: ${e.message}`)
      return e.reason
    }
  }

  return {
    device: config.id,
    kind: modbusTcpDriverKind,
    pollIntervalMs: config.pollMs,
    points: config.points.map(
      (p): PointInfo => ({
        id: p.id,
        device: config.id,
        ...(p.name ? { name: p.name } : {}),
        ...(p.unit ? { unit: p.unit } : {}),
      }),
    ),

    async start() {
      stopped = false
      status = { state: 'disconnected', since: deps.clock.now(), lastError: null }
      nextAttemptAt = 0
      const failure = await connect()
      if (failure === null) setState('connected', null)
    },

    async stop() {
      stopped = true
      await transport.close()
      setState('stopped', null)
    },

    status: () => status,

    async read(ids?: readonly string[]): Promise<Sample[]> {
      const wanted = new Set(
        ids === undefined
          ? unit.ids.map((_, i) => i)
          : ids.map((id) => unit.indexOf(id)).filter((i): i is number => i !== undefined),
      )
      const bad = (reason: string) => [...wanted].map((i) => badSample(unit.ids[i]!, deps.clock.now(), reason))
      if (stopped) return bad(`${QualityReasons.UNREACHABLE}:driver stopped`)
      const failure = await connect()
      if (failure !== null) return bad(failure)
      const { samples, failed, failedRequests } = await unit.read(transport, wanted, deps.clock)
      if (failed?.fatal) {
        // The connection is gone or the device stopped answering: drop it and reconnect (after
        // the backoff) on a later poll.
        await transport.close()
        nextAttemptAt = deps.clock.now() + backoffDelay(attempts++, RECONNECT_BASE_MS, RECONNECT_MAX_MS)
        setState('disconnected', `${config.host}:${config.port}: ${failed.message}`)
      } else if (failedRequests > 0) setState('degraded', `${failedRequests} request(s) failed: ${failed?.message}`)
      else setState('connected', null)
      return [...wanted].map((i) => samples.get(i)!)
    },

    write: (id: string, value: Value) => unit.write(transport, id, value),
  }
}
