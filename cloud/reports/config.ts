import { existsSync } from 'node:fs'
import { Cron } from 'croner'
import { z } from 'zod'

/**
 * Report definitions as data (issue 18; seeds 001:L7612 shift report, L7625 daily offline
 * points, L7643/L7683/L7776 weekly and monthly alarm analysis, L4415 scheduled reports).
 * A definition names a kind (what is computed: cloud/reports/kinds/), a period (which span a
 * scheduled run covers), a cron schedule in the park's time zone, and its formats.
 */
export const ReportKind = z.enum(['offline_points', 'shift', 'alarm_analysis', 'completeness'])
export type ReportKind = z.infer<typeof ReportKind>

/** The span a scheduled run covers: the last complete one before the run (shift: the shift that just ended, board.shiftChanges). */
export const ReportPeriod = z.enum(['shift', 'day', 'week', 'month'])
export type ReportPeriod = z.infer<typeof ReportPeriod>

export const ReportFormat = z.enum(['xlsx', 'pdf'])
export type ReportFormat = z.infer<typeof ReportFormat>

const validCron = (pattern: string): boolean => {
  try {
    new Cron(pattern, { paused: true }).stop()
    return true
  } catch {
    return false
  }
}

export const ReportName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and -')

export const ReportDefinition = z.strictObject({
  name: ReportName,
  kind: ReportKind,
  /** The document's title (default: the kind's standard title in the report's language). */
  title: z.string().min(1).max(128).optional(),
  period: ReportPeriod,
  /** Cron (minute hour day month weekday) in `reports.timeZone`; absent: only run on demand. */
  schedule: z
    .string()
    .refine(validCron, 'a cron pattern such as "10 0 * * *" (minute hour day month weekday)')
    .optional(),
  formats: z.array(ReportFormat).min(1).default(['xlsx', 'pdf']),
  language: z.enum(['zh-CN', 'en']).default('zh-CN'),
  /** How many points the "top points" tables list. */
  top: z.number().int().min(1).max(100).default(10),
  /** completeness: the expected update interval in seconds (brief §3: every point at least every 5 min). */
  intervalS: z.number().int().min(10).max(86_400).default(300),
})
export type ReportDefinition = z.infer<typeof ReportDefinition>

/** The standard set a fresh config gets (times in the park's zone). */
export const defaultReportDefinitions: ReportDefinition[] = [
  {
    name: 'daily-offline',
    kind: 'offline_points',
    period: 'day',
    schedule: '10 0 * * *',
    formats: ['xlsx', 'pdf'],
    language: 'zh-CN',
    top: 10,
    intervalS: 300,
  },
  {
    name: 'shift',
    kind: 'shift',
    period: 'shift',
    schedule: '5 8,20 * * *',
    formats: ['xlsx', 'pdf'],
    language: 'zh-CN',
    top: 10,
    intervalS: 300,
  },
  {
    name: 'weekly-alarms',
    kind: 'alarm_analysis',
    period: 'week',
    schedule: '20 0 * * 1',
    formats: ['xlsx', 'pdf'],
    language: 'zh-CN',
    top: 10,
    intervalS: 300,
  },
  {
    name: 'monthly-alarms',
    kind: 'alarm_analysis',
    period: 'month',
    schedule: '30 0 1 * *',
    formats: ['xlsx', 'pdf'],
    language: 'zh-CN',
    top: 20,
    intervalS: 300,
  },
  {
    name: 'daily-completeness',
    kind: 'completeness',
    period: 'day',
    schedule: '15 0 * * *',
    formats: ['xlsx', 'pdf'],
    language: 'zh-CN',
    top: 10,
    intervalS: 300,
  },
]

const validTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

export const DEFAULT_REPORT_FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc'

export const ReportsConfig = z
  .strictObject({
    /** Run the schedules in the cloud service (on-demand runs work either way). */
    enabled: z.boolean().default(true),
    /** The park's time zone: schedules fire and periods (day, week, month) begin in it. */
    timeZone: z.string().refine(validTimeZone, 'an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
    /** Where the files are kept; relative to dataDir. */
    dir: z.string().min(1).default('reports'),
    /** A TrueType font (or collection) with the CJK glyphs for PDFs (Debian: fonts-wqy-zenhei or fonts-noto-cjk). */
    font: z.string().min(1).default(DEFAULT_REPORT_FONT),
    /** The face inside a collection (.ttc), by its PostScript name; ignored for a single-face .ttf. */
    fontFace: z.string().min(1).default('WenQuanYiZenHei'),
    definitions: z.array(ReportDefinition).default(defaultReportDefinitions),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>()
    r.definitions.forEach((d, i) => {
      if (seen.has(d.name))
        ctx.addIssue({ code: 'custom', path: ['definitions', i, 'name'], message: `duplicate report name "${d.name}"` })
      seen.add(d.name)
    })
  })
export type ReportsConfig = z.infer<typeof ReportsConfig>

export const defaultReportsConfig = (): ReportsConfig => ReportsConfig.parse({})

/** The PDF font must exist: checked when the config is loaded, naming the setting (issue 18 "Bad input"). */
export function fontProblem(config: ReportsConfig, exists: (file: string) => boolean = existsSync): string | null {
  const wantsPdf = config.definitions.some((d) => d.formats.includes('pdf'))
  if (!wantsPdf || exists(config.font)) return null
  return `reports.font: the font file ${config.font} does not exist (PDF reports need a CJK font)`
}
