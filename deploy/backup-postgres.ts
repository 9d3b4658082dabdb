import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { redact } from '../cloud/store/postgres/db.ts'
import { ensurePrivateDir } from '../shared/private-files.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../shared/errors.ts'
import { MANIFEST, readManifest } from './backup-manifest.ts'
import { checkToolVersion, postgresBinDir, toolMajor } from './postgres-tools.ts'

const run = promisify(execFile)

/**
 * Backup and restore of the cloud's PostgreSQL database (issue 15: "a documented backup/restore
 * (pg_dump; SQLite's online backup API)"): `pg_dump -Fc` of the configured database into a new
 * directory, with a manifest like the SQLite backup's (deploy/backup.ts) giving the dump's size
 * and SM3; restore checks that SM3 first and then replaces the configured database's contents
 * with the dump's, in one transaction (restorePostgres). The password reaches the programs only through
 * PGPASSWORD in their environment, never on their command line (where `ps` would show it): a
 * password written in the URL is taken out of it and passed the same way.
 */
export const DUMP = 'cloud.pgdump'

export interface PgBackupManifest {
  version: 1
  engine: 'postgres'
  createdAt: string
  databases: Array<{ name: string; bytes: number; sm3: string }>
  /** The server's and pg_dump's major versions. */
  server: number
  pgDump: number
}

export interface PgTarget {
  /** store.url (postgres://user@host:port/db). */
  url: string
  /** The password from the variable store.passwordEnv names (absent: none, or the URL's). */
  password?: string
}

/** The URL without its password, and the password to pass in the environment. */
export function toolConnection(target: PgTarget): { url: string; env: NodeJS.ProcessEnv } {
  let url: URL
  try {
    url = new URL(target.url)
  } catch (err) {
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `store.url is not a URL`, {
      hint: 'write it as postgres://user@host:5432/database',
      cause: err,
    })
  }
  const password = target.password ?? (url.password ? decodeURIComponent(url.password) : undefined)
  url.password = ''
  return { url: url.toString(), env: password === undefined ? process.env : { ...process.env, PGPASSWORD: password } }
}

async function serverMajor(target: PgTarget): Promise<number> {
  const sql = postgres(target.url, {
    ...(target.password === undefined ? {} : { password: target.password }),
    max: 1,
    connect_timeout: 10,
    onnotice: () => {},
  })
  try {
    const [row] = await sql<{ v: string }[]>`select current_setting('server_version_num') as v`
    return Math.floor(Number(row?.v) / 10_000)
  } catch (err) {
    throw new ParklinkError(
      ErrorCodes.STORE_FAILED,
      `cannot reach the cloud database at ${redact(target.url)}: ${errorMessage(err)}`,
      {
        hint: 'check store.url, that PostgreSQL is running, and the password in the variable store.passwordEnv names',
        cause: err,
      },
    )
  } finally {
    await sql.end({ timeout: 1 })
  }
}

/** The tool's path once its major version is at least the server's. */
async function toolFor(
  tool: 'pg_dump' | 'pg_restore',
  target: PgTarget,
): Promise<{ file: string; major: number; server: number }> {
  const file = path.join(postgresBinDir(tool), tool)
  const [major, server] = await Promise.all([toolMajor(file), serverMajor(target)])
  checkToolVersion(tool, major, server)
  return { file, major, server }
}

async function runTool(file: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<void> {
  try {
    await run(file, args, { env, maxBuffer: 16 * 1024 * 1024 })
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim()
    throw new ParklinkError(
      ErrorCodes.STORE_FAILED,
      `${what} failed: ${stderr.split('\n').slice(-3).join(' | ') || errorMessage(err)}`,
      {
        hint: 'check store.url, the password, that the database user may read (backup) or own and replace (restore) the tables, and the free space',
        cause: err,
      },
    )
  }
}

async function sm3Of(file: string): Promise<string> {
  const hash = createHash('sm3')
  await pipeline(fs.createReadStream(file), hash)
  return hash.digest('hex')
}

/** `pg_dump -Fc` of the configured database into `to` (a new or empty directory), with its manifest. */
export async function backupPostgres(o: PgTarget & { to: string; now?: Date }): Promise<PgBackupManifest> {
  if (fs.existsSync(o.to) && fs.readdirSync(o.to).length > 0)
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `the backup directory ${o.to} is not empty`, {
      hint: 'give a new directory for each backup (e.g. one named by the date); an old backup is never overwritten',
    })
  ensurePrivateDir(fs, o.to)
  const tool = await toolFor('pg_dump', o)
  const { url, env } = toolConnection(o)
  const dump = path.join(o.to, DUMP)
  await runTool(tool.file, ['--format=custom', `--file=${dump}`, `--dbname=${url}`], env, 'pg_dump')
  fs.chmodSync(dump, 0o600)
  const manifest: PgBackupManifest = {
    version: 1,
    engine: 'postgres',
    createdAt: (o.now ?? new Date()).toISOString(),
    databases: [{ name: DUMP, bytes: fs.statSync(dump).size, sm3: await sm3Of(dump) }],
    server: tool.server,
    pgDump: tool.major,
  }
  fs.writeFileSync(path.join(o.to, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 })
  return manifest
}

/** The manifest of a PostgreSQL backup whose dump is the one it names (size and SM3); throws otherwise. */
export async function checkPgBackup(dir: string): Promise<PgBackupManifest> {
  const manifest = readManifest<PgBackupManifest>(dir)
  const dump = manifest.engine === 'postgres' ? manifest.databases?.find((d) => d.name === DUMP) : undefined
  if (!dump)
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `${dir} is not a backup of a PostgreSQL cloud database`, {
      hint: 'a backup of the embedded (SQLite) store is restored with store.engine: sqlite',
    })
  const file = path.join(dir, DUMP)
  if (!fs.existsSync(file) || (await sm3Of(file)) !== dump.sm3)
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `${file} is missing or changed since the backup`, {
      hint: 'the backup was altered or damaged: restore from another one',
    })
  return manifest
}

/**
 * The schemas a cloud database dump holds (the tables, and drizzle's record of the migrations
 * applied): dropped and made anew before the dump is replayed, in the same transaction.
 */
const CLEAN = 'DROP SCHEMA IF EXISTS drizzle CASCADE; DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;'

/**
 * `pg_restore --file=- dump | psql` inside one transaction that psql commits only once pg_restore
 * ended well: BEGIN and the clean-up first, then the script, then COMMIT; pg_restore failing (a
 * damaged dump, cut mid-script) ends psql without it, and the server rolls everything back.
 */
function replay(pgRestore: string[], psql: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const [restoreFile = '', ...restoreArgs] = pgRestore
    const [psqlFile = '', ...psqlArgs] = psql
    const source = spawn(restoreFile, restoreArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const sink = spawn(psqlFile, psqlArgs, { env, stdio: ['pipe', 'ignore', 'pipe'] })
    const errors = { pg_restore: '', psql: '' }
    source.stderr.on('data', (d) => void (errors.pg_restore += d))
    sink.stderr.on('data', (d) => void (errors.psql += d))
    sink.stdin.on('error', () => {}) // psql gone early: its own exit code says why
    sink.stdin.write(`BEGIN;\n${CLEAN}\n`)
    source.stdout.pipe(sink.stdin, { end: false })
    const exit = (child: typeof source | typeof sink) =>
      new Promise<number | null>((done) => child.on('close', (code) => done(code)).on('error', () => done(-1)))
    const restored = exit(source).then((code) => {
      if (code === 0) sink.stdin.end('COMMIT;\n')
      else sink.kill('SIGKILL')
      return code
    })
    void Promise.all([restored, exit(sink)]).then(([a, b]) => {
      if (a === 0 && b === 0) return resolve()
      const [what, text] = a !== 0 ? ['pg_restore', errors.pg_restore] : ['psql', errors.psql]
      reject(
        new ParklinkError(
          ErrorCodes.STORE_FAILED,
          `restore failed (${what}): ${text.trim().split('\n').slice(-3).join(' | ')}`,
          {
            hint: 'nothing was changed (one transaction); check the backup, that the database user owns the database, store.url and the password',
          },
        ),
      )
    })
  })
}

/**
 * Replaces the configured database's contents with the backup's (the cloud service must be
 * stopped): refused unless the dump's SM3 is the manifest's. What `pg_restore --clean --if-exists`
 * would do, made atomic and able to replace time-partitioned tables: its --clean stops at the
 * partitions' primary keys ("cannot drop inherited constraint"), so the schemas the dump holds are
 * dropped instead, and the dump (pg_restore's script of it) replayed by psql in the same
 * transaction (replay): a failed restore leaves the database as it was. The database user must own the database.
 */
export async function restorePostgres(o: PgTarget & { from: string }): Promise<PgBackupManifest> {
  const manifest = await checkPgBackup(o.from)
  const tool = await toolFor('pg_restore', o)
  const { url, env } = toolConnection(o)
  const psql = path.join(path.dirname(tool.file), 'psql')
  await replay(
    [tool.file, '--no-owner', '--no-acl', '--file=-', path.join(o.from, DUMP)],
    [psql, '--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', '--file=-', `--dbname=${url}`],
    env,
  )
  return manifest
}
