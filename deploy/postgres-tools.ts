import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { ErrorCodes, ParklinkError, errorMessage } from '../shared/errors.ts'

const run = promisify(execFile)

/**
 * Where PostgreSQL's programs are (pg_dump and pg_restore for `parklink cloud backup|restore` on
 * PostgreSQL, initdb and pg_ctl for the tests' throwaway clusters): PARKLINK_PG_BIN when set,
 * else the newest major installed that has `tool` (Debian: /usr/lib/postgresql/{major}/bin; the
 * bare /usr/bin wrappers pick a version by cluster, which a remote database does not have).
 */
export function postgresBinDir(tool = 'pg_dump'): string {
  const fromEnv = process.env.PARKLINK_PG_BIN
  if (fromEnv) return fromEnv
  const base = '/usr/lib/postgresql'
  const majors = existsSync(base) ? readdirSync(base).filter((d) => existsSync(path.join(base, d, 'bin', tool))) : []
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0]
  if (!newest)
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `PostgreSQL's ${tool} is not installed`, {
      hint: "install the PostgreSQL client of the server's major version or newer (Debian: apt-get install postgresql-client), or set PARKLINK_PG_BIN to its bin directory",
    })
  return path.join(base, newest, 'bin')
}

/** The major version a PostgreSQL program reports (`pg_dump (PostgreSQL) 15.10 (Debian …)` → 15). */
export function parseToolMajor(versionLine: string): number | null {
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(versionLine)
  return m ? Number(m[1]) : null
}

export async function toolMajor(file: string): Promise<number> {
  let out: string
  try {
    out = (await run(file, ['--version'], { timeout: 30_000 })).stdout
  } catch (err) {
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `cannot run ${file}: ${errorMessage(err)}`, {
      hint: 'install the PostgreSQL client programs, or set PARKLINK_PG_BIN to their bin directory',
      cause: err,
    })
  }
  const major = parseToolMajor(out)
  if (major === null)
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `${file} does not say its PostgreSQL version ("${out.trim()}")`, {
      hint: 'set PARKLINK_PG_BIN to the bin directory of a PostgreSQL installation',
    })
  return major
}

/** pg_dump and pg_restore read every older server's format, never a newer one's: refuse before starting. */
export function checkToolVersion(tool: string, toolMajorVersion: number, serverMajorVersion: number): void {
  if (toolMajorVersion < serverMajorVersion)
    throw new ParklinkError(
      ErrorCodes.STORE_FAILED,
      `${tool} is PostgreSQL ${toolMajorVersion} but the server is PostgreSQL ${serverMajorVersion}`,
      {
        hint: `install the PostgreSQL ${serverMajorVersion} client programs (or newer) and set PARKLINK_PG_BIN to their bin directory`,
      },
    )
}
