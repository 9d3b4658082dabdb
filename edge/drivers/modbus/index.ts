import { backoffDelay } from '../../../shared/clock.ts'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import { QualityReasons } from '../../../shared/quality.ts'
import type { PointInfo } from '../../../shared/wire/messages.ts'
import { badSample, goodSample, type Sample, type Value } from '../../../shared/wire/sample.ts'
import type { Driver, DriverDeps, DriverState, DriverStatus } from '../driver.ts'
import { parseAddress, type ModbusAddress } from './address.ts'
import type { ModbusDataType, ModbusPointConfig, ModbusTcpDeviceConfig } from './config.ts'
import { decodeRegisters, encodeRegisters, toEngineering, widthOf } from './decode.ts'
import { planReads, type ReadRequest } from './plan.ts'
import { ModbusTcpTransport, TransportError, classify } from './transport.ts'

export const modbusTcpDriverKind = 'modbus-tcp'

const RECONNECT_BASE_MS = 1_000
const RECONNECT_MAX_MS = 30_000

interface ResolvedPoint {
  config: ModbusPointConfig
  at: ModbusAddress
  type: ModbusDataType
}

/**
 * Modbus TCP: one connection per device, requests one at a time (a real device serves one
 * request at a time), planned once at construction. The driver owns no timers: a reconnect
 * happens inside read() once the backoff has elapsed on the injected clock.
 */
export function createModbusTcpDriver(config: ModbusTcpDeviceConfig, deps: DriverDeps): Driver {
  const points = config.points.map((p, i) => resolvePoint(config, p, i))
  const plan = planReads(points.map((p, index) => ({ index, table: p.at.table, address: p.at.address, width: p.type === 'bool' ? 1 : widthOf(p.type) })), config)
  const byId = new Map(points.map((p, i) => [p.config.id, i]))
  const transport = new ModbusTcpTransport({ host: config.host, port: config.port, unitId: config.unitId, timeoutMs: config.timeoutMs })
  const log = deps.log
  let status: DriverStatus = { state: 'stopped', since: null, lastError: null }
  let attempts = 0
  let nextAttemptAt = 0
  let stopped = false

  const setState = (state: DriverState, lastError: string | null) => {
    if (state !== status.state) {
      const level = state === 'connected' ? 'info' : 'warn'
      log[level]({ host: config.host, port: config.port, unitId: config.unitId, from: status.state, to: state, error: lastError ?? undefined }, `modbus device ${state}`)
      status = { state, since: deps.clock.now(), lastError }
    } else status = { ...status, lastError }
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

  const decode = (p: ResolvedPoint, data: number[] | boolean[], offset: number): Value => {
    if (p.type === 'bool') {
      const bit = data[offset]
      return typeof bit === 'boolean' ? bit : ((bit as number) & 1) === 1
    }
    const raw = decodeRegisters((data as number[]).slice(offset, offset + widthOf(p.type)), p.type, p.config.order ?? config.order)
    return toEngineering(raw, p.config.scale, p.config.offset)
  }

  const readRequest = async (req: ReadRequest, wanted: Set<number>, out: Map<number, Sample>): Promise<TransportError | null> => {
    try {
      const data = await transport.read(req.table, req.start, req.count)
      const ts = deps.clock.now()
      for (const slot of req.points) {
        if (!wanted.has(slot.index)) continue
        const p = points[slot.index]!
        const value = decode(p, data, slot.offset)
        out.set(slot.index, typeof value === 'number' && !Number.isFinite(value) ? badSample(p.config.id, ts, `${QualityReasons.DECODE}:not a finite number`) : goodSample(p.config.id, ts, value))
      }
      return null
    } catch (err) {
      const e = classify(err)
      const ts = deps.clock.now()
      for (const slot of req.points) if (wanted.has(slot.index)) out.set(slot.index, badSample(points[slot.index]!.config.id, ts, e.reason))
      return e
    }
  }

  return {
    device: config.id,
    kind: modbusTcpDriverKind,
    pollIntervalMs: config.pollMs,
    points: points.map((p): PointInfo => ({ id: p.config.id, device: config.id, ...(p.config.name ? { name: p.config.name } : {}), ...(p.config.unit ? { unit: p.config.unit } : {}) })),

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

    async read(ids?: readonly string[]) {
      const wanted = new Set(ids === undefined ? points.map((_, i) => i) : ids.map((id) => byId.get(id)).filter((i): i is number => i !== undefined))
      const out = new Map<number, Sample>()
      if (stopped) return [...wanted].map((i) => badSample(points[i]!.config.id, deps.clock.now(), `${QualityReasons.UNREACHABLE}:driver stopped`))
      const failure = await connect()
      if (failure !== null) return [...wanted].map((i) => badSample(points[i]!.config.id, deps.clock.now(), failure))
      let failed: TransportError | null = null
      let failedRequests = 0
      for (const req of plan) {
        if (!req.points.some((s) => wanted.has(s.index))) continue
        const err = await readRequest(req, wanted, out)
        if (!err) continue
        failedRequests++
        failed = err
        if (err.fatal) {
          // The connection is gone or the device stopped answering: drop it, mark the rest bad
          // with the same reason and reconnect (after the backoff) on a later poll.
          await transport.close()
          nextAttemptAt = deps.clock.now() + backoffDelay(attempts++, RECONNECT_BASE_MS, RECONNECT_MAX_MS)
          const ts = deps.clock.now()
          for (const i of wanted) if (!out.has(i)) out.set(i, badSample(points[i]!.config.id, ts, err.reason))
          break
        }
      }
      if (failed?.fatal) setState('disconnected', `${config.host}:${config.port}: ${failed.message}`)
      else if (failedRequests > 0) setState('degraded', `${failedRequests} request(s) failed: ${failed?.message}`)
      else setState('connected', null)
      return [...wanted].map((i) => out.get(i)!)
    },

    async write(id: string, value: Value) {
      const index = byId.get(id)
      const p = index === undefined ? undefined : points[index]
      if (!p || !p.config.writable) {
        throw new ParklinkError(ErrorCodes.BAD_REQUEST, `point ${id} is not writable on device ${config.id}`, {
          hint: 'the edge writes to a control system only for points configured with writable: true',
        })
      }
      if (p.at.table === 'coil' && typeof value === 'boolean') return await transport.writeCoil(p.at.address, value)
      if (p.at.table === 'holding' && typeof value === 'number' && p.type !== 'bool') {
        const raw = (value - p.config.offset) / p.config.scale
        return await transport.writeRegisters(p.at.address, encodeRegisters(raw, p.type, p.config.order ?? config.order))
      }
      throw new ParklinkError(ErrorCodes.BAD_REQUEST, `cannot write ${typeof value} to ${p.at.table} point ${id}`, {
        hint: 'only coils (true/false) and holding registers (numbers) can be written',
      })
    },
  }
}

function resolvePoint(device: ModbusTcpDeviceConfig, p: ModbusPointConfig, i: number): ResolvedPoint {
  let at: ModbusAddress
  try {
    at = parseAddress(p.address)
  } catch (err) {
    const e = err as ParklinkError
    throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `device ${device.id}, points.${i} (${p.id}): ${e.message}`, { hint: e.hint, cause: err })
  }
  const bitTable = at.table === 'coil' || at.table === 'discrete'
  const type = p.type ?? (bitTable ? 'bool' : 'uint16')
  if (bitTable !== (type === 'bool')) {
    throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `device ${device.id}, points.${i} (${p.id}): type ${type} does not fit the ${at.table} table`, {
      hint: 'coils and discrete inputs are bool; input and holding registers are int16/uint16/int32/uint32/float32',
    })
  }
  return { config: p, at, type }
}
