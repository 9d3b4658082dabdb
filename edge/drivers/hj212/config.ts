import { z } from 'zod'
import { PointId } from '../../../shared/wire/ids.ts'

/**
 * An HJ 212-2017 listener: the park's data-acquisition instruments (环保数采仪) connect to the
 * edge and upload real-time (CN 2011), minute (2051) and hour (2061) data. Each instrument is
 * known by its MN; its factors (pollutant codes such as w01018, a21026) map to points.
 */
export const Hj212Point = z.strictObject({
  id: PointId,
  /** Pollutant / factor code as the instrument sends it, e.g. w01018 (COD), a21026 (SO2). */
  factor: z.string().regex(/^[A-Za-z0-9]{1,16}$/, 'a factor code such as w01018 or a21026'),
  /** Which value of the factor: Rtd (real-time), Avg, Min, Max, Cou (cumulative). */
  field: z.enum(['Rtd', 'Avg', 'Min', 'Max', 'Cou']).default('Rtd'),
  /** The command that carries it: 2011 real-time, 2051 minute, 2061 hour data. */
  cn: z.enum(['2011', '2051', '2061']).default('2011'),
  name: z.string().max(128).optional(),
  unit: z.string().max(32).optional(),
})

export const Hj212Instrument = z.strictObject({
  /** The instrument's MN (设备唯一标识). */
  mn: z.string().min(1).max(24),
  /** The access password (PW) lives in this environment variable; absent: PW is not checked. */
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
  points: z.array(Hj212Point).min(1),
  /** How often this instrument uploads (s); its points turn bad after silentAfterIntervals × this (default: staleAfterMs). */
  intervalS: z.number().int().min(1).max(86_400).optional(),
})

export const Hj212DeviceConfig = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, "_", "-", "."'),
  kind: z.literal('hj212'),
  host: z.string().min(1).default('0.0.0.0'),
  port: z.number().int().min(1).max(65535),
  /** DataTime is local time at the instrument (China: +08:00). */
  utcOffset: z.string().regex(/^[+-]\d{2}:\d{2}$/, 'an offset such as +08:00').default('+08:00'),
  /** An instrument silent this long has its points reported bad (real-time data comes every 30–60 s). */
  staleAfterMs: z.number().int().min(100).default(180_000),
  /** An instrument with `intervalS` turns bad after this many expected intervals without data. */
  silentAfterIntervals: z.number().int().min(1).max(1_000).default(3),
  instruments: z.array(Hj212Instrument).min(1),
})
export type Hj212DeviceConfig = z.infer<typeof Hj212DeviceConfig>
