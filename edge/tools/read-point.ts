import { systemClock } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import type { Value } from '../../shared/wire/sample.ts'
import { ModbusPointConfig, type ByteOrder, type ModbusDataType } from '../drivers/modbus/config.ts'
import { ModbusTransport, classify } from '../drivers/modbus/transport.ts'
import type { ModbusTable } from '../drivers/modbus/address.ts'
import { createUnit } from '../drivers/modbus/unit.ts'
import { openTarget, type ScanTarget } from './scan-modbus.ts'

/**
 * `parklink edge read`: one live read of one Modbus address, with the raw registers as they came
 * off the wire beside the decoded value — for checking a register map against the DCS screen.
 * The point is resolved, read and decoded by the driver's own unit (edge/drivers/modbus/unit.ts),
 * so the value and its quality are exactly what the agent would send (a NaN is bad in both).
 */
export interface ModbusReadSpec {
  target: ScanTarget
  unitId: number
  address: string | number
  type?: ModbusDataType
  order?: ByteOrder
  scale?: number
  offset?: number
  length?: number
  bit?: number
  timeoutMs: number
}

export interface ReadOutcome {
  quality: 'good' | 'uncertain' | 'bad'
  value: Value
  /** Registers as hex words (or bits), as received. */
  raw: string[]
  reason?: string
}

/** A transport that keeps what the last read returned, so the raw words can be shown beside the value. */
class RecordingTransport extends ModbusTransport {
  last: number[] | boolean[] = []
  override async read(
    unitId: number,
    timeoutMs: number,
    table: ModbusTable,
    start: number,
    count: number,
  ): Promise<number[] | boolean[]> {
    this.last = await super.read(unitId, timeoutMs, table, start, count)
    return this.last
  }
}

export async function readModbusAddress(spec: ModbusReadSpec): Promise<ReadOutcome> {
  const point = ModbusPointConfig.safeParse({
    id: 'read.point',
    address: spec.address,
    scale: spec.scale ?? 1,
    offset: spec.offset ?? 0,
    ...(spec.type ? { type: spec.type } : {}),
    ...(spec.order ? { order: spec.order } : {}),
    ...(spec.length !== undefined ? { length: spec.length } : {}),
    ...(spec.bit !== undefined ? { bit: spec.bit } : {}),
  })
  if (!point.success) {
    const issue = point.error.issues[0]!
    const hint = (issue as { params?: { hint?: string } }).params?.hint
    throw new ParklinkError(ErrorCodes.BAD_REQUEST, `${issue.path.join('.') || 'point'}: ${issue.message}`, {
      hint: hint ?? 'check --type, --length and --bit against the address',
    })
  }
  const unit = createUnit({
    device: 'read',
    unitId: spec.unitId,
    timeoutMs: spec.timeoutMs,
    order: spec.order ?? 'ABCD',
    maxGap: 0,
    maxRegistersPerRead: 125,
    points: [point.data],
  })
  const transport = new RecordingTransport(openTarget(spec.target).opener, Math.max(spec.timeoutMs, 2_000))
  try {
    await transport.connect()
    const { samples } = await unit.read(transport, new Set([0]), systemClock)
    const s = samples.get(0)!
    const raw = transport.last.map((w) => (typeof w === 'boolean' ? String(w) : `0x${w.toString(16).padStart(4, '0')}`))
    return { quality: s.quality, value: s.value, raw, ...(s.reason ? { reason: s.reason } : {}) }
  } catch (err) {
    const e = classify(err)
    return { quality: 'bad', value: null, raw: [], reason: `${e.reason} (${e.message})` }
  } finally {
    await transport.close()
  }
}
