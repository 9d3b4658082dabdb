import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import { ensurePrivateDir } from '../../../shared/private-files.ts'
import { verifyAuditChain } from './audit-chain.ts'

/**
 * A consistent copy of the cloud's SQLite databases, taken while the service runs: SQLite's
 * online backup API (better-sqlite3 `backup()`), which copies pages in steps and restarts a step
 * a writer touched, so the copy is one committed state of the database (sqlite.org/backup.html).
 * Then checked as a restore would need it: `integrity_check` and the audit log's SM3 chain.
 */
export interface DatabaseCopy {
  /** The file name inside the backup directory. */
  name: string
  bytes: number
  /** SM3 of the copy's bytes: restore refuses a file that no longer matches. */
  sm3: string
}

export async function backupDatabase(from: string, dir: string, name: string): Promise<DatabaseCopy> {
  const to = path.join(dir, name)
  const source = new Database(from, { readonly: true, fileMustExist: true })
  try {
    await source.backup(to)
  } catch (err) {
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `cannot back up ${from}: ${errorMessage(err)}`, {
      hint: 'check the free space and the permissions of the backup directory',
      cause: err,
    })
  } finally {
    source.close()
  }
  fs.chmodSync(to, 0o600)
  checkDatabaseFile(to)
  return { name, bytes: fs.statSync(to).size, sm3: fileSm3(to) }
}

/** integrity_check on a database file (read-only); throws STORE_FAILED naming what SQLite found. */
export function checkDatabaseFile(file: string): void {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>
    const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok')
    if (problems.length > 0)
      throw new ParklinkError(ErrorCodes.STORE_FAILED, `${file} fails SQLite's integrity check: ${problems[0]}`, {
        hint: 'do not restore from this copy; take a new backup, or use an older one',
      })
  } finally {
    db.close()
  }
}

/** The audit chain of a cloud.db copy: its head and row count, or STORE_FAILED where it breaks. */
export function auditHeadOf(file: string): { rows: number; head: string | null } {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const verdict = verifyAuditChain(db)
    if (!verdict.ok)
      throw new ParklinkError(
        ErrorCodes.AUDIT_CHAIN_BROKEN,
        `${file}: the audit chain breaks at row ${verdict.brokenAt}: ${verdict.reason}`,
        { hint: 'keep this copy as evidence and report it to the security administrator; restore from another backup' },
      )
    return { rows: verdict.rows, head: verdict.head }
  } finally {
    db.close()
  }
}

export function fileSm3(file: string): string {
  return createHash('sm3').update(fs.readFileSync(file)).digest('hex')
}

/** A new, empty, private backup directory (an existing non-empty one is refused, never overwritten). */
export function makeBackupDir(dir: string): void {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `the backup directory ${dir} is not empty`, {
      hint: 'give a new directory for each backup (e.g. one named by the date); an old backup is never overwritten',
    })
  ensurePrivateDir(fs, dir)
}
