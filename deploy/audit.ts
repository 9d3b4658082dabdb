import path from 'node:path'
import type { Command } from 'commander'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'

/**
 * `parklink cloud audit verify --config FILE`: walks the audit log's SM3 hash chain
 * (cloud/store/sqlite/audit-chain.ts) and names the first broken link; prints the head hash to
 * record elsewhere (a rewrite of the whole chain from some row on is caught only against it).
 */
export function addAuditCommands(cloud: Command): void {
  const audit = cloud.command('audit').description('the audit log and its SM3 hash chain')
  audit
    .command('verify')
    .description('check every audit row against its SM3 chain hash and report the first broken link (exit 1)')
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML): its dataDir holds cloud.db')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { config: string; json?: boolean }) => {
      const [{ loadCloudConfig }, { openDatabase }, { verifyAuditChain }] = await Promise.all([
        import('../cloud/config.ts'),
        import('../cloud/store/sqlite/db.ts'),
        import('../cloud/store/sqlite/audit-chain.ts'),
      ])
      const file = path.join(loadCloudConfig(opts.config).dataDir, 'cloud.db')
      const db = openDatabase(file)
      try {
        const verdict = verifyAuditChain(db.$client)
        if (opts.json) console.log(JSON.stringify({ file, ...verdict }))
        if (!verdict.ok) {
          throw new ParklinkError(
            ErrorCodes.AUDIT_CHAIN_BROKEN,
            `${file}: the audit chain breaks at row ${verdict.brokenAt}: ${verdict.reason}`,
            {
              hint: 'keep the file as evidence (copy it before anything else writes), compare with a backup, and report it to the security administrator',
            },
          )
        }
        if (!opts.json) console.log(`${file}: audit chain intact, ${verdict.rows} rows; head SM3 ${verdict.head}`)
      } finally {
        db.$client.close()
      }
    })
}
