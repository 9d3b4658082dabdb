import { Cron } from 'croner'
import { z } from 'zod'
import { CODE_LISTS, DEFAULT_INDICATOR_TYPE_BY_UNIT, DEFAULT_UNIT_CODES, type CodeLists } from './codes.ts'

/**
 * `exchange:` in the cloud config (issue 18; README "Provincial exchange"). The front-end
 * database is separate from cloud.db: `engine: sqlite` with `file` (relative to dataDir) today;
 * the writer sits behind ExchangeWriter (./writer.ts) so a PostgreSQL schema is a second
 * implementation. Every choice made where the spec is silent is a setting here.
 */
const validTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}
const validCron = (pattern: string): boolean => {
  try {
    new Cron(pattern, { paused: true }).stop()
    return true
  } catch {
    return false
  }
}
const Code = z.string().regex(/^[0-9A-Za-z]{1,8}$/)

export const ExchangeConfig = z.strictObject({
  /** Run the job on its schedule inside the cloud service (`parklink cloud exchange run` works either way). */
  enabled: z.boolean().default(false),
  engine: z.literal('sqlite').default('sqlite'),
  /** The front-end database file; relative to dataDir. */
  file: z.string().min(1).default('exchange.db'),
  /** 园区编号 / 园区编码 written on every row (the province assigns it). */
  parkCode: z.string().min(1).max(64).default('PARK'),
  /** UUIDs are v5 of (namespace, data set, parklink id): stable across runs and rebuilds. */
  uuidNamespace: z.uuid().default('6f1c1b52-3a57-4f0e-9a3c-52e3b1a7c001'),
  /** 创建人 / 最后修改人 on rows the job writes. */
  actor: z.string().min(1).max(64).default('parklink'),
  /** Times are written as "YYYY-MM-DD HH:MM:SS" in this zone (the spec gives no format). */
  timeZone: z.string().refine(validTimeZone, 'an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  /** When the job runs: cron (minute hour day month weekday, optional seconds first) in timeZone; default every minute. */
  schedule: z.string().refine(validCron, 'a cron pattern such as "* * * * *" (every minute)').default('* * * * *'),
  /** #154: at most one reading per gas indicator per this many seconds (the spec says 实时 and defers to §5.4.3). */
  realtimeIntervalS: z.number().int().min(1).max(3_600).default(60),
  /** Point classes whose indicators get #154 real-time rows. */
  realtimeClasses: z.array(z.string()).default(['gas']),
  /** parklink unit text → U code (a point's own unitCode wins). */
  unitCodes: z.record(z.string(), z.string().regex(/^\d{2}$/)).default({ ...DEFAULT_UNIT_CODES }),
  /** A point without its own indicatorType gets this one by its unit. */
  indicatorTypeByUnit: z.record(z.string(), Code).default({ ...DEFAULT_INDICATOR_TYPE_BY_UNIT }),
  /** #152 linked device category of a point without a registry device, by point class. */
  categoryByClass: z
    .record(z.string(), z.string().regex(/^\d{2}$/))
    .default({ mhs: '01', authorised: '01', process: '01', gas: '02', general: '99' }),
  /** Units of toxic gas: a gas indicator in one of these needs its CAS (combustible %LEL ones too when a substance is named). */
  toxicUnits: z.array(z.string()).default(['ppm', 'mg/m³', 'mg/m3']),
  /** Replace or extend a code list (e.g. indicatorType once Appendix A.208 is at hand). */
  codeLists: z.record(z.string(), z.record(z.string(), z.string())).default({}),
})
export type ExchangeConfig = z.infer<typeof ExchangeConfig>

export const defaultExchangeConfig = (): ExchangeConfig => ExchangeConfig.parse({})

/** The code lists in force: the spec's, with the config's replacements. */
export const codeListsOf = (config: ExchangeConfig): CodeLists => ({ ...CODE_LISTS, ...config.codeLists }) as CodeLists
