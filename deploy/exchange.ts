import type { Command } from 'commander'
import type { ExchangeRun } from '../cloud/exchange/job.ts'
import type { ExchangeStatus } from '../cloud/exchange/service.ts'
import { withCloudStore } from './cloud-store.ts'

/**
 * `parklink cloud exchange run` and `parklink cloud exchange status` (issue 18): one run of the
 * provincial exchange on the cloud's database next to (or without) the running service, and
 * what the last run wrote and held back, with what to fix.
 */
async function withExchange<T>(
  configFile: string,
  fn: (exchange: import('../cloud/exchange/service.ts').Exchange) => Promise<T>,
): Promise<T> {
  const [{ openExchange }, { systemClock }] = await Promise.all([
    import('../cloud/exchange/service.ts'),
    import('../shared/clock.ts'),
  ])
  return withCloudStore(configFile, async (store, config) => {
    const exchange = openExchange({ config, store, clock: systemClock })
    try {
      return await fn(exchange)
    } finally {
      await exchange.close()
    }
  })
}

export const runExchange = (configFile: string): Promise<ExchangeRun> => withExchange(configFile, (e) => e.run())
export const exchangeStatus = (configFile: string): Promise<ExchangeStatus> =>
  withExchange(configFile, (e) => e.status())

/** One line per data set, then each held-back row with its problems. */
export function formatStatus(s: ExchangeStatus): string[] {
  const out = [
    `exchange ${s.engine} ${s.file} park ${s.parkCode} schedule "${s.schedule}"${s.enabled ? '' : ' (not scheduled: exchange.enabled is false)'}`,
  ]
  if (!s.lastRun) out.push('no run yet: parklink cloud exchange run -c <config>')
  else {
    out.push(`last run ${s.lastRun.runId} at ${new Date(s.lastRun.startedAt).toISOString()}`)
    for (const d of s.lastRun.datasets)
      out.push(
        `#${d.dataset}\t${d.table}\t+${d.inserted} ~${d.updated} -${d.deleted} =${d.unchanged} held ${d.heldBack}${d.error ? `\terror: ${d.error}` : ''}`,
      )
  }
  for (const h of s.heldBack) out.push(`held #${h.dataset} ${h.key}: ${h.problems.map((p) => p.message).join('; ')}`)
  return out
}

export function addExchangeCommands(cloud: Command): void {
  const exchange = cloud
    .command('exchange')
    .description('the provincial data exchange: run it now, show its state (README "Provincial exchange")')
  exchange
    .command('run')
    .description('bring the front-end database up to date now and print what each data set wrote')
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML)')
    .action(async (o: { config: string }) => {
      const run = await runExchange(o.config)
      for (const d of run.datasets)
        console.log(
          `#${d.dataset}\t${d.table}\t+${d.inserted} ~${d.updated} -${d.deleted} =${d.unchanged} held ${d.heldBack}${d.error ? `\terror: ${d.error}` : ''}`,
        )
      if (run.datasets.some((d) => d.heldBack > 0)) console.log('rows held back: parklink cloud exchange status -c …')
    })
  exchange
    .command('status')
    .description('the last run per data set and every row held back, with what to fix')
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML)')
    .option('--json', 'print the status as JSON')
    .action(async (o: { config: string; json?: boolean }) => {
      const s = await exchangeStatus(o.config)
      if (o.json) console.log(JSON.stringify(s, null, 2))
      else for (const line of formatStatus(s)) console.log(line)
    })
}
