/**
 * Gas-leak warnings (易燃易爆有毒有害气体泄漏监测预警, brief §5, 001:L1933–1985), pure: from the
 * gas alarms of one area, a colour red > orange > yellow > blue, set by repeat counts, duration,
 * time to clear and spread to neighbouring detectors (the detectors of the same area). The seed
 * names these indicators but no figures: the thresholds below are this module's choice and are
 * configuration (`GasWarningRules`).
 *
 * Also from the seed: who is told per colour, enterprise-internal vs public area (L1937–1940);
 * a notice when an orange warning is unhandled for a day or a red one for half a day (L1944);
 * an investigation report before an orange or red warning is cleared (L1985).
 */
export type WarningColour = 'blue' | 'yellow' | 'orange' | 'red'
export const COLOURS: readonly WarningColour[] = ['blue', 'yellow', 'orange', 'red']

/** One gas alarm of a detector (a gas point): level 1 (H) or level 2 (HH), raised and, once the value came back, cleared. */
export interface GasAlarmFact {
  detector: string
  level: 'H' | 'HH'
  raisedAt: number
  clearedAt: number | null
}

export interface GasWarningRules {
  /** Look-back for repeat counts and times to clear. */
  windowMs: number
  /** Raises of one detector within the window. */
  repeats: { yellow: number; orange: number; red: number }
  /** How long the longest alarm has lasted (still active: until now). */
  durationMs: { yellow: number; orange: number; red: number }
  /** Mean time to clear over the window's cleared alarms. */
  meanClearMs: { yellow: number; orange: number }
  /** Detectors of the area in alarm at the same time (level-2 alarms count twice). */
  spread: { yellow: number; orange: number; red: number }
}

export const defaultGasWarningRules: GasWarningRules = Object.freeze({
  windowMs: 86_400_000,
  repeats: { yellow: 3, orange: 5, red: 10 },
  durationMs: { yellow: 10 * 60_000, orange: 30 * 60_000, red: 2 * 3_600_000 },
  meanClearMs: { yellow: 15 * 60_000, orange: 60 * 60_000 },
  spread: { yellow: 2, orange: 3, red: 4 },
}) as GasWarningRules

export interface GasWarning {
  colour: WarningColour
  /** Why, one line per criterion met at the chosen colour (e.g. "spread 3 ≥ 3"). */
  reasons: string[]
  /** Detectors alarming now. */
  active: string[]
}

const rank = (c: WarningColour) => COLOURS.indexOf(c)
const max = (a: WarningColour, b: WarningColour) => (rank(a) >= rank(b) ? a : b)

/** The colour a measured figure reaches against its thresholds (null: none). */
function level(value: number, t: Partial<Record<WarningColour, number>>): WarningColour | null {
  for (const c of ['red', 'orange', 'yellow'] as const) if (t[c] !== undefined && value >= t[c]) return c
  return null
}

/** The area's warning at `now` from its detectors' gas alarms; null when none is in the window. */
export function gasWarning(
  alarms: readonly GasAlarmFact[],
  now: number,
  rules: GasWarningRules = defaultGasWarningRules,
): GasWarning | null {
  // Alarms active now, or cleared within the window.
  const recent = alarms.filter((a) => a.raisedAt <= now && (a.clearedAt === null || a.clearedAt > now - rules.windowMs))
  if (recent.length === 0) return null
  const activeNow = recent.filter((a) => a.clearedAt === null || a.clearedAt > now)
  const active = [...new Set(activeNow.map((a) => a.detector))].sort()
  const spread = active.reduce((n, d) => n + (activeNow.some((a) => a.detector === d && a.level === 'HH') ? 2 : 1), 0)
  const raises = new Map<string, number>()
  for (const a of recent)
    if (a.raisedAt > now - rules.windowMs) raises.set(a.detector, (raises.get(a.detector) ?? 0) + 1)
  const repeats = Math.max(0, ...raises.values())
  const longest = Math.max(...recent.map((a) => Math.min(a.clearedAt ?? now, now) - a.raisedAt))
  const cleared = recent.filter((a) => a.clearedAt !== null && a.clearedAt <= now)
  const meanClear =
    cleared.length === 0 ? 0 : cleared.reduce((n, a) => n + (a.clearedAt! - a.raisedAt), 0) / cleared.length

  const criteria: Array<[string, number, WarningColour | null, number | undefined]> = [
    ['spread', spread, level(spread, rules.spread), undefined],
    ['repeats', repeats, level(repeats, rules.repeats), undefined],
    ['durationMin', Math.round(longest / 60_000), level(longest, rules.durationMs), undefined],
    ['meanClearMin', Math.round(meanClear / 60_000), level(meanClear, rules.meanClearMs), undefined],
  ]
  const colour = criteria.reduce<WarningColour>((c, [, , l]) => (l === null ? c : max(c, l)), 'blue')
  const reasons = criteria.filter(([, , l]) => l === colour).map(([name, value]) => `${name} ${value}`)
  return { colour, reasons: colour === 'blue' ? ['gas alarm'] : reasons, active }
}

/** Who is told (001:L1937–1940), by the area's kind: an enterprise's own area, or a public (三公) area. */
export const WARNING_RECIPIENTS: Record<WarningColour, { enterprise: string[]; public: string[] }> = {
  blue: {
    enterprise: ['enterprise.safety_department_head', 'park.duty_leader'],
    public: ['park.duty_leader', 'affected_enterprise.safety_department_head'],
  },
  yellow: {
    enterprise: ['enterprise.safety_director', 'park.safety_bureau_director'],
    public: ['park.safety_bureau_director', 'affected_enterprise.safety_director'],
  },
  orange: {
    enterprise: ['enterprise.safety_leader', 'park.deputy_in_charge'],
    public: ['park.deputy_director_safety_emergency', 'affected_enterprise.safety_leader'],
  },
  red: {
    enterprise: ['enterprise.principal', 'park.principal', 'supervisor.principal'],
    public: ['enterprise.principal', 'park.principal', 'supervisor.principal'],
  },
}

/** When an unhandled warning brings a notice (001:L1944): orange after a day, red after half a day; null for the others. */
export function noticeDueAt(colour: WarningColour, since: number): number | null {
  return colour === 'orange' ? since + 86_400_000 : colour === 'red' ? since + 43_200_000 : null
}

/** An investigation report: text and attachments (001:L1985). */
export interface InvestigationReport {
  text: string
  attachments: readonly string[]
  by: string
  at: number
}

/** Whether a warning may be cleared: orange and red need an investigation report with text (null: may). */
export function clearRefusal(colour: WarningColour, report: InvestigationReport | null): string | null {
  if (rank(colour) < rank('orange')) return null
  if (!report || !report.text.trim())
    return `a ${colour} warning is cleared with an investigation report (text and attachments): upload it first`
  return null
}
