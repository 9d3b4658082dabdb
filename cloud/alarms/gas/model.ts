import { z } from 'zod'
import {
  defaultGasWarningRules,
  type GasWarningRules,
  type InvestigationReport,
  type WarningColour,
} from '../../../shared/rules/gas-warning.ts'

/**
 * A gas-leak warning of one area (易燃易爆有毒有害气体泄漏监测预警, brief §5, 001:L1933–1985):
 * opened by the first gas alarm of the area, its colour set by shared/rules/gas-warning.ts and
 * only ever raised while it is open (the park clears it, never the data); an orange or red one
 * is cleared with an investigation report.
 */
export interface GasWarningRecord {
  id: number
  area: string
  enterprise: string | null
  /** Public (三公) area: the park's and the affected enterprises' people are told, not one enterprise's. */
  publicArea: boolean
  colour: WarningColour
  state: 'open' | 'cleared'
  openedAt: number
  /** When the warning reached its colour (deadlines count from here). */
  colourSince: number
  reasons: string[]
  /** Detectors alarming at the last evaluation. */
  active: string[]
  acknowledgedAt: number | null
  acknowledgedBy: string | null
  /** An unacknowledged orange (1 day) or red (half a day) warning brings a notice then (001:L1944). */
  noticeDueAt: number | null
  noticeSentAt: number | null
  report: InvestigationReport | null
  clearedAt: number | null
  clearedBy: string | null
  /** Every step: opened, escalated, acknowledged, reported, notice, cleared; with who was to be told. */
  history: GasWarningStep[]
}

export interface GasWarningStep {
  at: number
  action: 'opened' | 'escalated' | 'acknowledged' | 'reported' | 'notice' | 'cleared'
  colour: WarningColour
  by?: string
  reasons?: string[]
  /** Recipient ids (cloud/notify/config.ts) the colour's rule names (001:L1937–1940). */
  tell?: string[]
}

const Thresholds3 = z.strictObject({
  yellow: z.number().positive(),
  orange: z.number().positive(),
  red: z.number().positive(),
})

/** `alarms.gasWarnings` in the cloud config: the colour thresholds (the seed names the criteria, not the figures). */
export const GasWarningsConfig = z
  .strictObject({
    enabled: z.boolean().default(true),
    windowMin: z
      .number()
      .int()
      .min(10)
      .max(7 * 24 * 60)
      .default(24 * 60),
    repeats: Thresholds3.default(defaultGasWarningRules.repeats),
    durationMin: Thresholds3.default({ yellow: 10, orange: 30, red: 120 }),
    meanClearMin: z
      .strictObject({ yellow: z.number().positive(), orange: z.number().positive() })
      .default({ yellow: 15, orange: 60 }),
    spread: Thresholds3.default(defaultGasWarningRules.spread),
  })
  .superRefine((c, ctx) => {
    for (const key of ['repeats', 'durationMin', 'spread'] as const) {
      const t = c[key]
      if (!(t.yellow <= t.orange && t.orange <= t.red))
        ctx.addIssue({ code: 'custom', path: [key], message: 'thresholds must rise: yellow ≤ orange ≤ red' })
    }
  })
export type GasWarningsConfig = z.infer<typeof GasWarningsConfig>

export function gasRules(c: GasWarningsConfig): GasWarningRules {
  const ms = (min: number) => min * 60_000
  return {
    windowMs: ms(c.windowMin),
    repeats: c.repeats,
    durationMs: { yellow: ms(c.durationMin.yellow), orange: ms(c.durationMin.orange), red: ms(c.durationMin.red) },
    meanClearMs: { yellow: ms(c.meanClearMin.yellow), orange: ms(c.meanClearMin.orange) },
    spread: c.spread,
  }
}
