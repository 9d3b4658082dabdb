import { z } from 'zod'

/**
 * Sample quality, the OPC UA triad (Part 4 §7.39 StatusCode severity: Good / Uncertain / Bad).
 * A non-good sample carries a reason: a stable, machine-readable code plus free text.
 */
export const Quality = z.enum(['good', 'uncertain', 'bad'])
export type Quality = z.infer<typeof Quality>

/** Stable reason codes for non-good samples. Drivers may add detail after a colon. */
export const QualityReasons = {
  /** The device did not answer in time. */
  TIMEOUT: 'timeout',
  /** No connection to the device (refused, unreachable, closed). */
  UNREACHABLE: 'unreachable',
  /** The device answered with a protocol exception (e.g. Modbus exception code). */
  DEVICE_EXCEPTION: 'device_exception',
  /** The device answered, but the frame was wrong (length, CRC, function code): wiring, baud rate or a second master. */
  MALFORMED: 'malformed_response',
  /** The raw value could not be decoded with the configured type. */
  DECODE: 'decode_error',
  /** Waiting before the next reconnect attempt; the device was unreachable. */
  BACKOFF: 'reconnect_backoff',
  /** The source itself flagged the value (e.g. OPC UA Uncertain/Bad status). */
  SOURCE: 'source_status',
  /** The value is outside the configured measuring range. */
  OUT_OF_RANGE: 'out_of_range',
  /** The framework caught a driver bug: read() rejected, threw or returned no samples. */
  DRIVER_ERROR: 'driver_error',
  /** read() has not settled for far longer than any device timeout: a hung driver. */
  DRIVER_STALLED: 'driver_stalled',
  /** A sample broke the wire contract (e.g. a fractional timestamp); sent as bad, not dropped. */
  INVALID_SAMPLE: 'invalid_sample',
  /** The source time lies outside the receiver's window (shared/rules/time-check.ts): `clock_skew:ahead:48h`. */
  CLOCK_SKEW: 'clock_skew',
} as const
