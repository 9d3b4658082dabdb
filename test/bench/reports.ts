/**
 * Issue 18's figure: a month of a 1 000-point park renders in under a minute. Builds a temp
 * store with 20 enterprises × 50 points, a month of alarms (`PERDAY`, default 1 000 a day, with
 * triage, responses, closures and comm-loss episodes) and good samples every 5 min for every
 * point (8.6 M rows), then makes each standard report kind over the month, XLSX and PDF, and
 * prints the times. Run: `npx tsx test/bench/reports.ts` (takes a few minutes, ~1 GB of disk).
 */
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { createLogger } from '../../cloud/log.ts'
import { ReportsConfig } from '../../cloud/reports/config.ts'
import { createReportRunner } from '../../cloud/reports/generate.ts'
import { zonedTime } from '../../cloud/reports/period.ts'
import { openSqliteStore } from '../../cloud/store/sqlite/store.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { systemClock } from '../../shared/clock.ts'
import { insertAlarms, insertSamples, parkAlarms, parkRegistry } from '../cloud/report-fixture.ts'
import { tempDir } from '../cloud/helpers.ts'

const perDay = Number(process.env.PERDAY ?? 1_000)
const withSamples = process.env.SAMPLES !== '0'
const TZ = 'Asia/Shanghai'
const month = { from: zonedTime(TZ, 2026, 2, 1), to: zonedTime(TZ, 2026, 3, 1) }

const tmp = tempDir('parklink-report-bench-')
const file = path.join(tmp.dir, 'cloud.db')
const store = openSqliteStore({ file, evaluate: createEvaluator(), log: createLogger({ level: 'silent' }) })
try {
  const registry = parkRegistry(20, 50)
  await store.applyRegistry(registry)
  const points = registry.points.map((p) => p.id)
  let t = performance.now()
  const alarms = parkAlarms(points, month, perDay)
  insertAlarms(file, alarms)
  console.log(`fixture: ${points.length} points, ${alarms.length} alarms in ${Math.round(performance.now() - t)} ms`)
  if (withSamples) {
    t = performance.now()
    insertSamples(file, points, month, 300_000, 97)
    console.log(
      `fixture: samples every 5 min for a month (every 97th missing) in ${Math.round(performance.now() - t)} ms`,
    )
  }
  const config = ReportsConfig.parse({
    definitions: [
      { name: 'monthly-alarms', kind: 'alarm_analysis', period: 'month', top: 20 },
      { name: 'monthly-offline', kind: 'offline_points', period: 'month' },
      { name: 'monthly-completeness', kind: 'completeness', period: 'month' },
      { name: 'monthly-shift', kind: 'shift', period: 'month' },
    ],
  })
  const runner = createReportRunner({ store, config, dir: path.join(tmp.dir, 'reports'), clock: systemClock })
  for (const def of config.definitions) {
    const report = await runner.run(def.name, month, { trigger: 'manual', requestedBy: 'bench' })
    console.log(
      `${def.name.padEnd(22)} ${String(report.durationMs).padStart(7)} ms  ${report.files.map((f) => `${f.format} ${Math.round(f.bytes / 1024)} KiB`).join(', ')}`,
    )
  }
} finally {
  await store.close()
  tmp.remove()
}
