import { existsSync, renameSync } from 'node:fs'

/** SQLite's answers for a file that is not (or no longer) a readable database. */
const CORRUPTION = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT'])

/** Whether an error (or one of its causes) says the database file is damaged. */
export function isCorruption(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (CORRUPTION.has(String((e as { code?: unknown }).code))) return true
  }
  return false
}

/**
 * Moves a damaged outbox (and its -wal/-shm) aside as `{file}.corrupt-{ms}`, so a new one can
 * start and the old one stays for a forensic look or a manual recovery. Returns the new name.
 */
export function moveAside(file: string, now: number): string {
  const target = `${file}.corrupt-${now}`
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, target + suffix)
  }
  return target
}
