import * as fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import type { CloudConfig } from '../cloud/config.ts'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'
import { MANIFEST, readManifest } from './backup-manifest.ts'

export { MANIFEST, readManifest }

/**
 * `parklink cloud backup --to DIR` and `parklink cloud restore --from DIR` for the embedded
 * (SQLite) store. What a backup holds: cloud.db and the provincial exchange file, copied with
 * SQLite's online backup API while the service runs; then every other file of dataDir
 * (snapshots, plan image, reports, the live-view key), copied after the databases so that every
 * file a copied row names is there. Not the cloud's signing counters (crypto-state.json): a
 * restored older counter would make the edges refuse the cloud's acks as replays, so restore
 * keeps the running one. A manifest.json lists each database's size and SM3, and the audit
 * chain's head.
 */
/** What a backup directory holds that is not dataDir's: the manifest, and on PostgreSQL the dump. */
const BACKUP_ONLY = [MANIFEST, 'cloud.pgdump']
const COUNTERS = 'crypto-state.json'

export interface BackupManifest {
  version: 1
  createdAt: string
  databases: Array<{ name: string; bytes: number; sm3: string }>
  audit: { rows: number; head: string | null }
  files: number
}

export function addBackupCommands(cloud: Command): void {
  cloud
    .command('backup')
    .description("copy the cloud's databases (online, while it runs) and its files into a new directory")
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML)')
    .requiredOption('--to <dir>', 'a new, empty directory for this backup')
    .action(async (opts: { config: string; to: string }) => {
      const config = await loadConfig(opts.config)
      const manifest = await backupCloud(config, path.resolve(opts.to), new Date())
      const size = manifest.databases.reduce((n, d) => n + d.bytes, 0)
      console.log(
        `backup in ${path.resolve(opts.to)}: ${manifest.databases.map((d) => d.name).join(', ')} (${size} bytes, integrity ok), ${manifest.files} files; audit chain ${manifest.audit.rows} rows, head SM3 ${manifest.audit.head ?? '-'}`,
      )
    })
  cloud
    .command('restore')
    .description('replace the cloud data directory with a backup (the service must be stopped)')
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML)')
    .requiredOption('--from <dir>', 'a directory `parklink cloud backup` wrote')
    .action(async (opts: { config: string; from: string }) => {
      const config = await loadConfig(opts.config)
      await refuseWhileServing(config)
      const aside = await restoreCloud(config, path.resolve(opts.from), new Date())
      console.log(
        `restored ${config.dataDir} from ${path.resolve(opts.from)}; the data it replaced is in ${aside} (delete it once the service runs well)`,
      )
    })
}

async function loadConfig(file: string): Promise<CloudConfig> {
  const { loadCloudConfig } = await import('../cloud/config.ts')
  return loadCloudConfig(file)
}

const databasesOf = async (config: CloudConfig): Promise<string[]> => {
  const { exchangeFile } = await import('../cloud/exchange/service.ts')
  const exchange = path.relative(config.dataDir, exchangeFile(config))
  return ['cloud.db', ...(exchange.startsWith('..') || path.isAbsolute(exchange) ? [] : [exchange])]
}

/** Is `name` (relative to dataDir) a database file, one of its -wal/-shm/-journal, or the counters? */
const handledApart = (name: string, databases: readonly string[]): boolean =>
  name === COUNTERS || databases.some((d) => name === d || name.startsWith(`${d}-`))

/** Copies dataDir's files into `dir`, all but the databases (copied apart) and the signing counters; how many. */
function copyDataFiles(dataDir: string, dir: string, databases: readonly string[]): number {
  if (!fs.existsSync(dataDir)) return 0
  let files = 0
  fs.cpSync(dataDir, dir, {
    recursive: true,
    force: false,
    errorOnExist: false,
    filter: (src) => {
      const name = path.relative(dataDir, src)
      const skip = name !== '' && handledApart(name, databases)
      if (!skip && fs.statSync(src).isFile()) files++
      return !skip
    },
  })
  return files
}

export async function backupCloud(config: CloudConfig, dir: string, now: Date): Promise<BackupManifest> {
  if (config.store.engine === 'postgres') return backupPostgresCloud(config, dir, now)
  const { backupDatabase, makeBackupDir, auditHeadOf } = await import('../cloud/store/sqlite/backup.ts')
  makeBackupDir(dir)
  const databases = await databasesOf(config)
  const copies = []
  for (const name of databases) {
    const from = path.join(config.dataDir, name)
    if (!fs.existsSync(from)) continue
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true, mode: 0o700 })
    copies.push(await backupDatabase(from, dir, name))
  }
  if (copies.length === 0 || copies[0]?.name !== 'cloud.db')
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `no cloud database in ${config.dataDir}`, {
      hint: 'check dataDir in the cloud config: it names the directory the service writes cloud.db to',
    })
  const files = copyDataFiles(config.dataDir, dir, databases)
  const manifest: BackupManifest = {
    version: 1,
    createdAt: now.toISOString(),
    databases: copies,
    audit: auditHeadOf(path.join(dir, 'cloud.db')),
    files,
  }
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 })
  return manifest
}

/** Checks a backup as restore needs it: the manifest, each database's SM3 and integrity, the audit chain. */
export async function checkBackup(dir: string): Promise<BackupManifest> {
  const { checkDatabaseFile, fileSm3, auditHeadOf } = await import('../cloud/store/sqlite/backup.ts')
  const manifest = readManifest<BackupManifest>(dir)
  for (const d of manifest.databases) {
    const file = path.join(dir, d.name)
    if (!fs.existsSync(file) || fileSm3(file) !== d.sm3)
      throw new ParklinkError(ErrorCodes.STORE_FAILED, `${file} is missing or changed since the backup`, {
        hint: 'the backup was altered or damaged: restore from another one',
      })
    checkDatabaseFile(file)
  }
  const audit = auditHeadOf(path.join(dir, 'cloud.db'))
  if (audit.head !== manifest.audit.head)
    throw new ParklinkError(ErrorCodes.AUDIT_CHAIN_BROKEN, `the audit chain in ${dir} does not end where it did`, {
      hint: 'the backup was altered: keep it as evidence and restore from another one',
    })
  return manifest
}

/**
 * Moves dataDir aside (`{dataDir}.before-restore-{time}`), copies the backup in its place, and
 * carries the running signing counters over. Returns where the replaced data went.
 */
export async function restoreCloud(config: CloudConfig, from: string, now: Date): Promise<string> {
  if (config.store.engine === 'postgres') await restorePostgresCloud(config, from)
  else await checkBackup(from)
  const dataDir = path.resolve(config.dataDir)
  const aside = `${dataDir}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`
  if (fs.existsSync(dataDir)) fs.renameSync(dataDir, aside)
  fs.cpSync(from, dataDir, { recursive: true, filter: (src) => !BACKUP_ONLY.includes(path.relative(from, src)) })
  fs.chmodSync(dataDir, 0o700)
  const counters = path.join(aside, COUNTERS)
  if (fs.existsSync(counters)) fs.copyFileSync(counters, path.join(dataDir, COUNTERS))
  return aside
}

/** A service answering on the configured HTTP port is using dataDir: restoring under it would lose its writes. */
export async function refuseWhileServing(config: CloudConfig): Promise<void> {
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}/api/v1/health`
  const answered = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    () => true,
    () => false,
  )
  if (answered)
    throw new ParklinkError(
      ErrorCodes.STORE_FAILED,
      `a cloud service answers at ${url}: it is using ${config.dataDir}`,
      {
        hint: 'stop it first (systemctl stop parklink-cloud), restore, then start it again',
      },
    )
}

/**
 * PostgreSQL (store.engine: postgres): the database with pg_dump (deploy/backup-postgres.ts), then
 * dataDir's files (snapshots, plan image, reports; the provincial exchange's SQLite file with the
 * online backup API, as on the embedded engine) beside it. The manifest is pg_dump's, with the
 * file count; the audit chain is checked in the database after a restore (`parklink cloud audit verify`).
 */
async function backupPostgresCloud(config: CloudConfig, dir: string, now: Date): Promise<BackupManifest> {
  const [{ backupPostgres }, { storePassword }, { backupDatabase }] = await Promise.all([
    import('./backup-postgres.ts'),
    import('../cloud/store/store-config.ts'),
    import('../cloud/store/sqlite/backup.ts'),
  ])
  const target = { url: config.store.url as string, password: storePassword(config.store) }
  const audit = await pgAuditHead(target)
  const dump = await backupPostgres({ ...target, to: dir, now })
  const databases = (await databasesOf(config)).filter((d) => d !== 'cloud.db')
  const copies = []
  for (const name of databases) {
    const from = path.join(config.dataDir, name)
    if (!fs.existsSync(from)) continue
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true, mode: 0o700 })
    copies.push(await backupDatabase(from, dir, name))
  }
  const files = copyDataFiles(config.dataDir, dir, databases)
  const manifest = { ...dump, databases: [...dump.databases, ...copies], audit, files }
  fs.writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 })
  return manifest
}

async function restorePostgresCloud(config: CloudConfig, from: string): Promise<void> {
  const [{ restorePostgres }, { storePassword }] = await Promise.all([
    import('./backup-postgres.ts'),
    import('../cloud/store/store-config.ts'),
  ])
  await restorePostgres({ url: config.store.url as string, password: storePassword(config.store), from })
}

/** The audit chain verified in the database just before a dump (rows appended during the dump are in it too); a broken chain stops the backup. */
async function pgAuditHead(target: { url: string; password: string | undefined }): Promise<BackupManifest['audit']> {
  const [{ openPostgres }, { verifyAuditChain }] = await Promise.all([
    import('../cloud/store/postgres/db.ts'),
    import('../cloud/store/postgres/audit-chain.ts'),
  ])
  const db = await openPostgres({ ...target, max: 1 })
  try {
    const verdict = await verifyAuditChain(db)
    if (!verdict.ok)
      throw new ParklinkError(
        ErrorCodes.AUDIT_CHAIN_BROKEN,
        `the audit chain is broken at row ${verdict.brokenAt}: ${verdict.reason}`,
        {
          hint: 'keep the database as evidence (`parklink cloud audit verify`) before backing it up',
        },
      )
    return { rows: verdict.rows, head: verdict.rows === 0 ? null : verdict.head }
  } finally {
    await db.$client.end({ timeout: 5 })
  }
}
