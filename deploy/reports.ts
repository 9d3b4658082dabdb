import path from 'node:path'
import { userInfo } from 'node:os'
import type { Command } from 'commander'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'
import type { StoredReport } from '../cloud/store/report-store.ts'
import { withCloudStore } from './cloud-store.ts'

/**
 * `parklink cloud report run <name> [--from] [--to] [--note]` and `parklink cloud report list`:
 * a report for any period, made on the cloud's database next to (or without) the running
 * service. Times: epoch ms, ISO-8601 with a zone, or a local "YYYY-MM-DD[ HH:MM]" in the park's
 * zone (reports.timeZone). Without --from/--to: the definition's last complete period.
 */
const WHEN_HINT =
  'epoch ms, ISO-8601 with a zone (2026-03-02T08:00:00+08:00), or a local date "2026-03-02" / "2026-03-02 08:00" in reports.timeZone'

export function parseWhen(
  text: string,
  timeZone: string,
  zonedTime: (tz: string, y: number, m: number, d: number, h?: number, mi?: number) => number,
): number {
  if (/^\d{1,15}$/.test(text)) return Number(text)
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?$/.exec(text)
  if (local)
    return zonedTime(
      timeZone,
      Number(local[1]),
      Number(local[2]),
      Number(local[3]),
      Number(local[4] ?? 0),
      Number(local[5] ?? 0),
    )
  const ms = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isFinite(ms)) return ms
  throw new ParklinkError(ErrorCodes.BAD_REQUEST, `"${text}" is not a time`, { hint: WHEN_HINT })
}

async function withRunner<T>(
  configFile: string,
  fn: (deps: {
    runner: import('../cloud/reports/generate.ts').ReportRunner
    store: import('../cloud/store/store.ts').Store
    config: import('../cloud/config.ts').CloudConfig
    dir: string
  }) => Promise<T>,
): Promise<T> {
  const [{ reportRunner, reportsDir }, { systemClock }] = await Promise.all([
    import('../cloud/reports/service.ts'),
    import('../shared/clock.ts'),
  ])
  return withCloudStore(configFile, (store, config) =>
    fn({ runner: reportRunner({ config, store, clock: systemClock }), store, config, dir: reportsDir(config) }),
  )
}

export async function runReport(
  configFile: string,
  name: string,
  o: { from?: string; to?: string; note?: string },
  now: number = Date.now(),
): Promise<{ report: StoredReport; files: string[] }> {
  const { periodBefore, zonedTime } = await import('../cloud/reports/period.ts')
  return withRunner(configFile, async ({ runner, config, dir }) => {
    const def = runner.definition(name)
    const tz = config.reports.timeZone
    const last = periodBefore(def.period, now, tz, config.board)
    const range = {
      from: o.from === undefined ? last.from : parseWhen(o.from, tz, zonedTime),
      to: o.to === undefined ? last.to : parseWhen(o.to, tz, zonedTime),
    }
    const report = await runner.run(name, range, {
      trigger: 'manual',
      requestedBy: `cli:${userInfo().username}`,
      ...(o.note === undefined ? {} : { note: o.note }),
    })
    return { report, files: report.files.map((f) => path.join(dir, f.file)) }
  })
}

export function addReportCommands(cloud: Command): void {
  const report = cloud
    .command('report')
    .description('reports: make one for any period, list those made (README "Reports")')
  report
    .command('run <name>')
    .description('make a report (a definition name from reports.definitions) and print its files')
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML)')
    .option('--from <time>', `start of the period (${WHEN_HINT}); default: the definition's last complete period`)
    .option('--to <time>', 'end of the period (exclusive)')
    .option('--note <text>', "the shift report's handover note")
    .action(async (name: string, o: { config: string; from?: string; to?: string; note?: string }) => {
      const { report: r, files } = await runReport(o.config, name, o)
      console.log(`report ${r.id} ${r.name}${r.empty ? ' (no data in the period)' : ''} in ${r.durationMs} ms`)
      for (const f of files) console.log(f)
    })
  report
    .command('list')
    .description('the reports made, newest first')
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML)')
    .option('--name <name>', 'one definition only')
    .action(async (o: { config: string; name?: string }) => {
      const { formatLocal } = await import('../cloud/reports/period.ts')
      await withRunner(o.config, async ({ store, config }) => {
        for (const r of await store.reports.list({ limit: 100, ...(o.name === undefined ? {} : { name: o.name }) })) {
          const tz = config.reports.timeZone
          console.log(
            `${r.id}\t${r.name}\t${formatLocal(r.from, tz)} — ${formatLocal(r.to, tz)}\t${r.trigger}\t${r.files.map((f) => f.format).join(',')}${r.empty ? '\t(empty)' : ''}`,
          )
        }
      })
    })
}
