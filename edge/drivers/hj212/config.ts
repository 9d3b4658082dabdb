import { isIP } from 'node:net'
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

export const Hj212Instrument = z
  .strictObject({
    /** The instrument's MN (设备唯一标识). */
    mn: z.string().min(1).max(24),
    /** The access password (PW, HJ 212-2017 §6.3.2) lives in this environment variable. */
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional(),
    /** Packets must carry the password (default). `false` takes any PW and logs a warning at start: only for an instrument that cannot be given one. */
    requirePassword: z.boolean().default(true),
    points: z.array(Hj212Point).min(1),
    /** How often this instrument uploads (s); its points turn bad after silentAfterIntervals × this (default: staleAfterMs). */
    intervalS: z.number().int().min(1).max(86_400).optional(),
  })
  .refine((i) => i.passwordEnv !== undefined || i.requirePassword === false, {
    path: ['passwordEnv'],
    message:
      "required: the environment variable holding this instrument's PW (HJ 212-2017 §6.3.2), e.g. PARKLINK_HJ212_PW_WS01 in /etc/parklink/edge.env; only if the instrument cannot be given a password, write requirePassword: false",
  })

/** Every interface: refused, the listener must sit on the plant side only. */
const WILDCARD = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0'])
const LISTEN_HOST_HINT =
  'the plant-side address this box listens on, e.g. "192.168.10.5" (the NIC the instruments reach: ip -4 addr); parklink never listens on every interface'

export const Hj212DeviceConfig = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, "_", "-", "."'),
  kind: z.literal('hj212'),
  /** Required, an IP address of this box (no default: a listener on every interface would also face the park line). */
  host: z
    .string({ error: (iss) => (iss.input === undefined ? `required: ${LISTEN_HOST_HINT}` : undefined) })
    .refine((h) => isIP(h) !== 0, `not an IP address: ${LISTEN_HOST_HINT}`)
    .refine((h) => !WILDCARD.has(h), `every interface is refused: ${LISTEN_HOST_HINT}`),
  port: z.number().int().min(1).max(65535),
  /** DataTime is local time at the instrument (China: +08:00). */
  utcOffset: z
    .string()
    .regex(/^[+-]\d{2}:\d{2}$/, 'an offset such as +08:00')
    .default('+08:00'),
  /** An instrument silent this long has its points reported bad (real-time data comes every 30–60 s). */
  staleAfterMs: z.number().int().min(100).default(180_000),
  /** An instrument with `intervalS` turns bad after this many expected intervals without data. */
  silentAfterIntervals: z.number().int().min(1).max(1_000).default(3),
  instruments: z.array(Hj212Instrument).min(1),
  /**
   * Open connections in all and per remote address: an instrument holds one (a few while it
   * reconnects), so the defaults leave room for a whole station yet bound what a scan can take.
   */
  maxConnections: z.number().int().min(1).max(4096).default(64),
  maxConnectionsPerAddress: z.number().int().min(1).max(4096).default(8),
  /**
   * A connection that sends nothing for this long is closed. Default 120 s: four times the usual
   * real-time upload interval (30 s, set with CN 1062 in HJ 212-2017), so a live instrument is
   * never cut; the instrument (the HJ 212 client) simply dials in again.
   */
  idleTimeoutMs: z.number().int().min(100).max(3_600_000).default(120_000),
})
export type Hj212DeviceConfig = z.infer<typeof Hj212DeviceConfig>
