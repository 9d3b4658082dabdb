import { z } from 'zod'

/** What a point's registers hold (edge config `type`). */
export const ModbusDataType = z.enum(['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'string'])
export type ModbusDataType = z.infer<typeof ModbusDataType>

/**
 * Byte order of a value as letters: A is the most significant byte. 32-bit: ABCD (big-endian),
 * CDAB (word swap), BADC (byte swap), DCBA (little-endian). A 16-bit value is big-endian as the
 * spec says (Modbus app. protocol §4.2) under ABCD and CDAB, byte-swapped under BADC and DCBA.
 */
export const ByteOrder = z.enum(['ABCD', 'CDAB', 'BADC', 'DCBA'])
export type ByteOrder = z.infer<typeof ByteOrder>
