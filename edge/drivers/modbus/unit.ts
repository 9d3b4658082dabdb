import type { Clock } from '../../../shared/clock.ts'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import { QualityReasons } from '../../../shared/quality.ts'
import { badSample, goodSample, type Sample, type Value } from '../../../shared/wire/sample.ts'
import type { ModbusAddress } from './address.ts'
import type { ByteOrder, ModbusDataType, ModbusPointConfig } from './config.ts'
import { bitOf, decodeRegisters, decodeString, encodeRegisters, toEngineering } from './decode.ts'
import { isShapeProblem, resolvePointShape } from './point-check.ts'
import { planReads, type ReadRequest } from './plan.ts'
import { TransportError, classify, type ModbusTransport } from './transport.ts'

/**
 * One Modbus slave (unit id) as the drivers see it: its points resolved and its reads planned
 * once, then read over whatever transport carries it (a TCP connection, a gateway, an RS485
 * line shared with other slaves).
 */
export interface UnitSpec {
  device: string
  unitId: number
  timeoutMs: number
  order: ByteOrder
  maxGap: number
  maxRegistersPerRead: number
  points: readonly ModbusPointConfig[]
}

interface ResolvedPoint {
  config: ModbusPointConfig
  at: ModbusAddress
  type: ModbusDataType
  /** Registers (or bits) read for it. */
  width: number
}

export interface UnitReadResult {
  samples: Map<number, Sample>
  /** The last failure, if any; `fatal` means the connection or the slave is gone. */
  failed: TransportError | null
  failedRequests: number
}

export interface Unit {
  readonly unitId: number
  readonly timeoutMs: number
  readonly ids: readonly string[]
  indexOf(id: string): number | undefined
  /** Reads the wanted points (indexes); after a fatal error the remaining points are marked bad with its reason. */
  read(transport: ModbusTransport, wanted: ReadonlySet<number>, clock: Clock): Promise<UnitReadResult>
  write(transport: ModbusTransport, id: string, value: Value): Promise<void>
}

export function createUnit(spec: UnitSpec): Unit {
  const points = spec.points.map((p, i) => resolvePoint(spec, p, i))
  const plan: ReadRequest[] = planReads(
    points.map((p, index) => ({ index, table: p.at.table, address: p.at.address, width: p.width })),
    spec,
  )
  const byId = new Map(points.map((p, i) => [p.config.id, i]))

  const decode = (p: ResolvedPoint, data: number[] | boolean[], offset: number): Value => {
    const order = p.config.order ?? spec.order
    if (p.config.bit !== undefined) return bitOf(data[offset] as number, p.config.bit)
    if (p.type === 'bool') {
      const bit = data[offset]
      return typeof bit === 'boolean' ? bit : ((bit as number) & 1) === 1
    }
    const words = (data as number[]).slice(offset, offset + p.width)
    if (p.type === 'string') return decodeString(words, order)
    return toEngineering(decodeRegisters(words, p.type, order), p.config.scale, p.config.offset)
  }

  return {
    unitId: spec.unitId,
    timeoutMs: spec.timeoutMs,
    ids: points.map((p) => p.config.id),
    indexOf: (id) => byId.get(id),

    async read(transport, wanted, clock) {
      const out = new Map<number, Sample>()
      let failed: TransportError | null = null
      let failedRequests = 0
      for (const req of plan) {
        if (!req.points.some((s) => wanted.has(s.index))) continue
        try {
          const data = await transport.read(spec.unitId, spec.timeoutMs, req.table, req.start, req.count)
          const ts = clock.now()
          if (data.length < req.count)
            throw new TransportError(
              `short response: ${data.length} of ${req.count}`,
              `${QualityReasons.DECODE}:short response`,
              false,
            )
          for (const slot of req.points) {
            if (!wanted.has(slot.index)) continue
            const p = points[slot.index]!
            const value = decode(p, data, slot.offset)
            out.set(
              slot.index,
              typeof value === 'number' && !Number.isFinite(value)
                ? badSample(p.config.id, ts, `${QualityReasons.DECODE}:not a finite number`)
                : goodSample(p.config.id, ts, value),
            )
          }
        } catch (err) {
          const e = classify(err)
          failedRequests++
          failed = e
          const ts = clock.now()
          for (const slot of req.points)
            if (wanted.has(slot.index)) out.set(slot.index, badSample(points[slot.index]!.config.id, ts, e.reason))
          if (e.fatal) {
            for (const i of wanted) if (!out.has(i)) out.set(i, badSample(points[i]!.config.id, ts, e.reason))
            break
          }
        }
      }
      return { samples: out, failed, failedRequests }
    },

    async write(transport, id, value) {
      const index = byId.get(id)
      const p = index === undefined ? undefined : points[index]
      if (!p?.config.writable) {
        throw new ParklinkError(ErrorCodes.BAD_REQUEST, `point ${id} is not writable on device ${spec.device}`, {
          hint: 'the edge writes to a control system only for points configured with writable: true',
        })
      }
      if (p.at.table === 'coil' && typeof value === 'boolean')
        return await transport.writeCoil(spec.unitId, spec.timeoutMs, p.at.address, value)
      if (
        p.at.table === 'holding' &&
        typeof value === 'number' &&
        p.type !== 'bool' &&
        p.type !== 'string' &&
        p.config.bit === undefined
      ) {
        const raw = (value - p.config.offset) / p.config.scale
        return await transport.writeRegisters(
          spec.unitId,
          spec.timeoutMs,
          p.at.address,
          encodeRegisters(raw, p.type, p.config.order ?? spec.order),
        )
      }
      throw new ParklinkError(ErrorCodes.BAD_REQUEST, `cannot write ${typeof value} to ${p.at.table} point ${id}`, {
        hint: 'only coils (true/false) and holding registers (numbers) can be written',
      })
    },
  }
}

function resolvePoint(spec: UnitSpec, p: ModbusPointConfig, i: number): ResolvedPoint {
  const r = resolvePointShape(p)
  if (isShapeProblem(r))
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `device ${spec.device}, unit ${spec.unitId}, points.${i} (${p.id}): ${r.message}`,
      { hint: r.hint },
    )
  return { config: p, ...r }
}
