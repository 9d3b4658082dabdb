import { createReporter } from '../../edge/report/reporter.ts'
import { ReportConfig } from '../../edge/report/config.ts'
import { createLogger } from '../../edge/log.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import { driftStep, mulberry32, scenarioLevel, shilianPlantPoints } from '../sim/plant.ts'
import { result, type BenchResult } from './table.ts'

/**
 * (6) SDT storage ratio on the demo plant's signals: every analog point of Shilian's plant
 * simulator (the same drift model and TK-101 HH scenario as test/sim/plant.ts), sampled every
 * second for `hours`, through the edge's reporter with SDT at 0.5 % of each point's range
 * (the simulator's physical bounds) and the 5-minute forced refresh. Kept / offered samples.
 */
export function benchSdt(hours: number): BenchResult[] {
  const analog = shilianPlantPoints.filter((p) => p.type !== 'bool')
  const ranges = new Map(analog.map((p) => [p.id, { low: p.model.min, high: p.model.max }]))
  const config = ReportConfig.parse({ default: { sdt: { deviationPct: 0.5 }, maxSilenceS: 300 } })
  const reporter = createReporter(config, (id) => ranges.get(id) ?? null, createLogger('bench', 'silent'))
  const random = mulberry32(101)
  const state = new Map(analog.map((p) => [p.id, p.model.mean]))
  const t0 = Date.UTC(2026, 11, 1)
  const seconds = hours * 3600
  let kept = 0
  for (let s = 0; s < seconds; s++) {
    const batch: Sample[] = analog.map((p) => {
      const v = driftStep(p, state.get(p.id)!, random)
      state.set(p.id, v)
      const value = p.id === 'shilian.tk101.level' ? scenarioLevel((s % 60) / 60, v) : v
      return { point: p.id, ts: t0 + s * 1000, value, quality: 'good' }
    })
    kept += reporter.filter(batch).length
  }
  kept += reporter.flush().length
  const offered = seconds * analog.length
  return [
    result(
      `SDT storage ratio (0.5 % of range, ${analog.length} demo signals, ${hours} h at 1 s)`,
      (kept / offered) * 100,
      '% of raw',
      { target: { op: '<=', value: 10 } },
    ),
  ]
}
