import { parseAddress } from './address.ts'

/**
 * Toward the control system the edge is read-only unless a point says `writable: true` (brief
 * §7); the drivers refuse any other write. A point marked writable must also be one Modbus can
 * write: a coil, or a whole holding register value — not an input register or discrete input
 * (read-only tables, §4.3), not one bit of a register or a string (a write would clobber the
 * rest of the register). Such a config is refused rather than failing at the first write.
 */
export function writableProblem(point: unknown): string | null {
  if (typeof point !== 'object' || point === null) return null
  const p = point as { writable?: unknown; address?: unknown; type?: unknown; bit?: unknown }
  if (p.writable !== true) return null
  let table: string
  try {
    table = parseAddress(p.address as string | number).table
  } catch {
    return null // the address itself is reported by the device's own checks
  }
  if (table === 'input' || table === 'discrete')
    return `writable: true on a read-only ${table === 'input' ? 'input register' : 'discrete input'}: only coils and holding registers can be written`
  if (p.bit !== undefined || p.type === 'string')
    return 'writable: true on a bit of a register or a string cannot be written safely: map the setpoint to its own holding register or coil'
  return null
}
