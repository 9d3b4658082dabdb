import { execFile, execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { postgresBinDir } from '../../deploy/postgres-tools.ts'
import { freePort } from './ports.ts'
import { waitFor } from './wait.ts'

const run = promisify(execFile)

/**
 * A throwaway PostgreSQL cluster for tests: Debian's `postgresql` package (installed by .ci/run),
 * never a server assumed running. initdb into a temp dir, pg_ctl on a free loopback port, the
 * unix socket in the temp dir too, so nothing outside it is touched. As root (CI) every binary
 * runs as the `postgres` user through runuser, since PostgreSQL refuses to run as root.
 *
 * Made for tests, not for keeping data: trust authentication on 127.0.0.1 only, and fsync off
 * (a killed server loses nothing the OS already has; only a machine crash would).
 */
export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:{port}/{database}, stable across restarts. */
  url: string
  port: number
  /**
   * `fast`: a clean shutdown; `immediate`: as a crash (no checkpoint; recovery at the next start).
   * `whileDown` runs between the stop and the start (a fault campaign holding the server down).
   */
  restart(mode?: StopMode, whileDown?: () => Promise<void>): Promise<void>
  /** The server's log file (pg_ctl -l), appended across restarts. */
  logFile: string
  /** Stops the server and removes the temp dir. Idempotent. */
  stop(): Promise<void>
}

export type StopMode = 'fast' | 'immediate'

export interface TestPostgresOptions {
  /** Created after the first start (default `parklink`). */
  database?: string
  /** Readiness bound (default 30 s: initdb and a first start on a loaded 2-core machine). */
  timeoutMs?: number
}

/** The newest installed server's bin dir (Debian: /usr/lib/postgresql/{major}/bin), or PARKLINK_PG_BIN. */
export const serverBinDir = (): string => postgresBinDir('initdb')

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
function pgCommand(bin: string, args: readonly string[]): [string, string[]] {
  const file = path.join(serverBinDir(), bin)
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, [...args]]
}

async function pg(bin: string, args: readonly string[]): Promise<void> {
  const [file, argv] = pgCommand(bin, args)
  await run(file, argv, { timeout: 60_000 })
}

/** A temp dir the server may write: owned by the postgres user when we are root. */
function makeTempDir(): { dir: string; data: string; socket: string; log: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-pg-'))
  const socket = path.join(dir, 'sock')
  mkdirSync(socket)
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString())
    chownSync(dir, uid, gid)
    chownSync(socket, uid, gid)
  }
  return { dir, data: path.join(dir, 'data'), socket, log: path.join(dir, 'server.log') }
}

const serverOptions = (port: number, socket: string) =>
  [
    `-p ${port}`,
    `-k ${socket}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c shared_buffers=32MB',
    '-c max_connections=50',
  ].join(' ')

/** Ready means a query answers (a listening socket alone may still say "the database system is starting up"). */
async function waitReady(url: string, log: string, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} })
      try {
        await sql`select 1`
        return true
      } finally {
        await sql.end({ timeout: 1 })
      }
    },
    { timeoutMs, intervalMs: 50, message: () => `PostgreSQL ready at ${url} (server log: ${tail(log)})` },
  )
}

const tail = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ') : 'none'

export async function startPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const database = options.database ?? 'parklink'
  const timeoutMs = options.timeoutMs ?? 30_000
  const paths = makeTempDir()
  const port = await freePort()
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`
  const start = async () => {
    await pg('pg_ctl', ['start', '-W', '-D', paths.data, '-l', paths.log, '-o', serverOptions(port, paths.socket)])
    await waitReady(admin, paths.log, timeoutMs)
  }
  const halt = (mode: StopMode) => pg('pg_ctl', ['stop', '-D', paths.data, '-m', mode, '-w'])
  // The safety net for a test process that ends without stop(): no server outlives it.
  const onExit = () => {
    const [file, argv] = pgCommand('pg_ctl', ['stop', '-D', paths.data, '-m', 'immediate', '-w'])
    try {
      execFileSync(file, argv, { stdio: 'ignore', timeout: 10_000 })
    } catch {}
    rmSync(paths.dir, { recursive: true, force: true })
  }
  process.once('exit', onExit)
  try {
    await pg('initdb', [
      '-D',
      paths.data,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
    ])
    await start()
    const sql = postgres(admin, { max: 1, onnotice: () => {} })
    await sql.unsafe(`create database "${database}"`).finally(() => sql.end({ timeout: 1 }))
  } catch (err) {
    process.off('exit', onExit)
    onExit()
    throw err
  }
  let stopped: Promise<void> | null = null
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    logFile: paths.log,
    async restart(mode = 'fast', whileDown) {
      await halt(mode)
      try {
        await whileDown?.()
      } finally {
        await start()
      }
    },
    stop() {
      stopped ??= (async () => {
        process.off('exit', onExit)
        await halt('fast').catch(() => halt('immediate').catch(() => {}))
        rmSync(paths.dir, { recursive: true, force: true })
      })()
      return stopped
    },
  }
}
