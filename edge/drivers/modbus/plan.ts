import type { ModbusTable } from './address.ts'

/**
 * Read planning (pure): which requests read a device's points with the fewest round trips.
 * Limits per request: 125 registers (Modbus application protocol §6.3 / §6.4, FC 03 / 04) and
 * 2000 bits (§6.1 / §6.2, FC 01 / 02).
 */
export const MAX_REGISTERS_PER_READ = 125
export const MAX_BITS_PER_READ = 2000

export interface PlannedPoint {
  /** Index into the caller's point list. */
  index: number
  table: ModbusTable
  address: number
  /** Registers (or bits) the value occupies. */
  width: number
}

export interface ReadRequest {
  table: ModbusTable
  start: number
  count: number
  /** The points answered by this request, with their offset from `start`. */
  points: Array<{ index: number; offset: number; width: number }>
}

export interface PlanOptions {
  /** Read through at most this many unused registers (or bits) to merge two reads. */
  maxGap: number
  /** Per-request register limit, ≤ 125; bit tables use MAX_BITS_PER_READ. */
  maxRegistersPerRead: number
}

const isBitTable = (t: ModbusTable) => t === 'coil' || t === 'discrete'

export function planReads(points: readonly PlannedPoint[], options: PlanOptions): ReadRequest[] {
  const requests: ReadRequest[] = []
  for (const table of ['coil', 'discrete', 'input', 'holding'] as const) {
    const limit = isBitTable(table) ? MAX_BITS_PER_READ : Math.min(options.maxRegistersPerRead, MAX_REGISTERS_PER_READ)
    const gap = isBitTable(table) ? Math.max(options.maxGap, 0) * 16 : options.maxGap
    const sorted = points.filter((p) => p.table === table).sort((a, b) => a.address - b.address || a.index - b.index)
    let current: ReadRequest | null = null
    for (const p of sorted) {
      if (p.width > limit)
        throw new RangeError(`a point of ${p.width} registers exceeds the ${limit}-register request limit`)
      const end = p.address + p.width // exclusive
      const currentEnd: number = current ? current.start + current.count : 0
      const fits =
        current !== null && p.address - currentEnd <= gap && Math.max(end, currentEnd) - current.start <= limit
      if (!fits || current === null) {
        current = { table, start: p.address, count: p.width, points: [] }
        requests.push(current)
      } else {
        current.count = Math.max(end, currentEnd) - current.start
      }
      current.points.push({ index: p.index, offset: p.address - current.start, width: p.width })
    }
  }
  return requests
}
