import { ThresholdLimits } from '../../shared/rules/threshold.ts'
import type { SourceLimits } from '../../shared/wire/messages.ts'

/**
 * Limits taken from the control system (brief §2: the enterprise engineer keeps the park's
 * thresholds equal to the control room's alarm limits). For a point registered with
 * `limitsFromSource`, the levels announced by the edge (e.g. OPC UA limit alarm properties)
 * become the alarm engine's limits, with the registry's deadband.
 */
export type Adoption = { ok: true; limits: ThresholdLimits } | { ok: false; problem: string }

export function adoptSourceLimits(source: SourceLimits | null | undefined, deadband: number): Adoption {
  const levels = {
    ...(source?.hh === undefined ? {} : { hh: source.hh }),
    ...(source?.h === undefined ? {} : { h: source.h }),
    ...(source?.l === undefined ? {} : { l: source.l }),
    ...(source?.ll === undefined ? {} : { ll: source.ll }),
  }
  const parsed = ThresholdLimits.safeParse({ ...levels, deadband })
  if (!parsed.success) {
    // An inconsistent set (hh below h, …) is not adopted: the previous limits stay in force.
    return { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }
  }
  return { ok: true, limits: parsed.data }
}

/** Whether the park's limits equal the source's; null when the source announced none. */
export function limitsMatchSource(limits: ThresholdLimits | null, source: SourceLimits | null): boolean | null {
  if (source === null || (source.hh ?? source.h ?? source.l ?? source.ll) === undefined) return null
  return (['hh', 'h', 'l', 'll'] as const).every((k) => (limits?.[k] ?? null) === (source[k] ?? null))
}

export const sameLimits = (a: ThresholdLimits | null, b: ThresholdLimits | null): boolean =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.hh === b.hh &&
    a.h === b.h &&
    a.l === b.l &&
    a.ll === b.ll &&
    a.deadband === b.deadband)
