import { z } from 'zod'
import { PointId } from '../../../shared/wire/ids.ts'
import { NetworkHost } from '../host.ts'
import { isShapeProblem, resolvePointShape } from './point-check.ts'
import { ByteOrder, ModbusDataType } from './value-types.ts'

export { ByteOrder, ModbusDataType }

/**
 * Modbus TCP device configuration, as a technician writes it in the edge's YAML.
 *
 * Addresses: a table prefix and a 0-based protocol address (`hr100`, `ir0`, `co12`, `di3`),
 * or the classic Modicon reference (`40101` = holding register 100, `30001` = input 0,
 * `00013` / `13` = coil 12, `10004` = discrete input 3; 6-digit `400101` also accepted).
 * See address.ts for the exact grammar.
 */
// Strict: a misspelt key (`scael: 0.1`) is an error, not a point silently read ten times too high.
export const ModbusPointFields = z.strictObject({
  id: PointId,
  name: z.string().max(128).optional(),
  unit: z.string().max(32).optional(),
  address: z.union([z.string(), z.number().int().nonnegative()]),
  type: ModbusDataType.optional(),
  order: ByteOrder.optional(),
  /** string: how many registers (two ASCII characters each). */
  length: z.number().int().min(1).max(125).optional(),
  /** A single bit (0 = least significant) of a 16-bit register: the point is a bool. */
  bit: z.number().int().min(0).max(15).optional(),
  /** engineering value = raw × scale + offset */
  scale: z.number().default(1),
  offset: z.number().default(0),
  /** Writes go to the device only if true (house rule: read-only by default). */
  writable: z.boolean().default(false),
})

/** A point whose address, type, bit and length the driver can read (point-check.ts: the driver's own resolution). */
export const ModbusPointConfig = ModbusPointFields.superRefine((p, ctx) => {
  const r = resolvePointShape(p)
  if (isShapeProblem(r))
    ctx.addIssue({ code: 'custom', path: [r.key], message: r.message, ...(r.hint ? { params: { hint: r.hint } } : {}) })
})
export type ModbusPointConfig = z.infer<typeof ModbusPointConfig>

export const ModbusTcpDeviceConfig = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, "_", "-", "."'),
  kind: z.literal('modbus-tcp'),
  host: NetworkHost,
  port: z.number().int().min(1).max(65535).default(502),
  unitId: z.number().int().min(0).max(255).default(1),
  pollMs: z.number().int().min(50).default(1000),
  timeoutMs: z.number().int().min(50).max(60_000).default(1000),
  /** Coalescing: read through at most this many unused registers to merge two reads. */
  maxGap: z.number().int().min(0).max(124).default(8),
  /** Upper bound per request; the protocol's own limit is 125 (§6.3) — some devices want less. */
  maxRegistersPerRead: z.number().int().min(1).max(125).default(125),
  /** Default byte order for this device's multi-register points. */
  order: ByteOrder.default('ABCD'),
  points: z.array(ModbusPointConfig).min(1),
})
export type ModbusTcpDeviceConfig = z.infer<typeof ModbusTcpDeviceConfig>

/** One slave on an RS485 line: its own poll interval, timeout and points. */
export const ModbusRtuUnitConfig = z.strictObject({
  unitId: z.number().int().min(1).max(247), // Modbus over serial line §2.2: 1–247 (0 is broadcast)
  pollMs: z.number().int().min(50).default(1000),
  /** How long to wait for this slave's answer; a silent slave costs the line this long per probe. */
  timeoutMs: z.number().int().min(20).max(10_000).default(500),
  order: ByteOrder.optional(),
  points: z.array(ModbusPointConfig).min(1),
})
export type ModbusRtuUnitConfig = z.infer<typeof ModbusRtuUnitConfig>

/** What a line of slaves has, over a serial port or behind a gateway. */
const busFields = {
  maxGap: z.number().int().min(0).max(124).default(8),
  maxRegistersPerRead: z.number().int().min(1).max(125).default(125),
  order: ByteOrder.default('ABCD'),
  units: z.array(ModbusRtuUnitConfig).min(1),
}

function uniqueUnits(c: { units: Array<{ unitId: number }> }, ctx: z.RefinementCtx): void {
  const seen = new Set<number>()
  c.units.forEach((u, i) => {
    if (seen.has(u.unitId))
      ctx.addIssue({
        code: 'custom',
        path: ['units', i, 'unitId'],
        message: `unit id ${u.unitId} appears twice on this line`,
      })
    seen.add(u.unitId)
  })
}

/**
 * Modbus RTU: one serial port (an RS485 line) with its slaves. The line carries one transaction
 * at a time (Modbus over serial line §2.1: a single master), so the slaves are polled in turn.
 */
export const ModbusRtuDeviceConfig = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, "_", "-", "."'),
    kind: z.literal('modbus-rtu'),
    /** e.g. /dev/ttyS1, /dev/ttyUSB0, or a /dev/serial/by-id/… link that survives re-plugging. */
    port: z.string().min(1),
    baudRate: z
      .number()
      .int()
      .refine(
        (b) => [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200].includes(b),
        'use a standard baud rate (1200 … 115200)',
      )
      .default(9600),
    // Modbus over serial line §2.5.1: even parity is the default; "none" needs 2 stop bits by the
    // book, but many field devices ship 8N1, so both are accepted.
    parity: z.enum(['none', 'even', 'odd']).default('even'),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    ...busFields,
  })
  .superRefine(uniqueUnits)
export type ModbusRtuDeviceConfig = z.infer<typeof ModbusRtuDeviceConfig>

/**
 * Several slaves behind one Modbus TCP → RTU gateway (a serial device server on the RS485
 * line): one TCP connection, the unit id chooses the slave, one transaction at a time on the
 * line behind it — the same rules as `modbus-rtu`, over TCP.
 */
export const ModbusGatewayDeviceConfig = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, "_", "-", "."'),
    kind: z.literal('modbus-gateway'),
    host: NetworkHost,
    port: z.number().int().min(1).max(65535).default(502),
    ...busFields,
  })
  .superRefine(uniqueUnits)
export type ModbusGatewayDeviceConfig = z.infer<typeof ModbusGatewayDeviceConfig>

/**
 * Slaves on an RS485 line behind a transparent serial server (a "serial device server" in TCP
 * server mode: Moxa NPort Real COM off, USR, ZLAN …): the server copies bytes between a TCP
 * socket and the line, so the frames on the socket are RTU frames (unit id, PDU, CRC —
 * Modbus over serial line §2.5.1), not Modbus TCP (no MBAP header). One TCP connection, the
 * same line rules as `modbus-rtu`. The port has no standard number: it is the one configured
 * on the serial server (often 4001, 8899, 20108 or 502).
 */
export const ModbusRtuOverTcpDeviceConfig = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, "_", "-", "."'),
    kind: z.literal('modbus-rtu-over-tcp'),
    host: NetworkHost,
    port: z.number().int().min(1).max(65535),
    ...busFields,
  })
  .superRefine(uniqueUnits)
export type ModbusRtuOverTcpDeviceConfig = z.infer<typeof ModbusRtuOverTcpDeviceConfig>
