import Database from 'better-sqlite3'
import * as fs from 'node:fs'
import path from 'node:path'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { isSealed, sealedKeyId, type AtRestCipher } from './cipher.ts'

/**
 * The key check before the agent opens anything (issue 20, bad input: "a wrong at-rest key → the
 * agent refuses to start with a clear message and moves nothing aside"). Each store is opened
 * read-only and its sealed records tried with the configured key: the outbox's key token and
 * its oldest and newest batch, every sealed value of alarms.db and baselines.db (small), the
 * newest sealed snapshot of each camera. A store sealed while no key is configured refuses too.
 * The check throws before the outbox's own open, whose corruption handling moves a file aside.
 */
export const AT_REST_SCHEMA = `
  CREATE TABLE IF NOT EXISTS at_rest (one INTEGER PRIMARY KEY CHECK (one = 1), token BLOB NOT NULL);
`
export const TOKEN_PURPOSE = 'outbox.key-token'
const TOKEN = Buffer.from('parklink at-rest key token', 'utf8')

/**
 * The outbox records the key that seals it: a token sealed with the current key. It lets the check
 * tell a wrong key from the right one even when the outbox is empty (all delivered), so a
 * mistyped keyFile never starts sealing new data under a key the old data does not open with.
 */
export function markAtRestKey(db: Database.Database, cipher: AtRestCipher | null): void {
  if (!cipher) return
  const row = db.prepare('SELECT token FROM at_rest').get() as { token: Buffer } | undefined
  if (row && sealedKeyId(row.token) === cipher.currentKeyId) return
  // Replaced only once the old key opened it (after a rotation): a wrong key throws here, unwritten.
  if (row) cipher.open(row.token, TOKEN_PURPOSE)
  db.prepare('INSERT OR REPLACE INTO at_rest (one, token) VALUES (1, ?)').run(cipher.seal(TOKEN, TOKEN_PURPOSE))
}

export interface Probe {
  table: string
  column: string
  purpose: string
  /** SQL after FROM … WHERE the column is a blob (e.g. an ORDER/LIMIT); default: every row. */
  pick?: string[]
}

export const STORES: Record<string, Probe[]> = {
  'outbox.db': [
    { table: 'at_rest', column: 'token', purpose: TOKEN_PURPOSE },
    {
      table: 'batches',
      column: 'payload',
      purpose: 'outbox.payload',
      pick: ['ORDER BY seq LIMIT 1', 'ORDER BY seq DESC LIMIT 1'],
    },
  ],
  'alarms.db': [
    { table: 'rule_state', column: 'state', purpose: 'alarms.state' },
    { table: 'active', column: 'value', purpose: 'alarms.value' },
    { table: 'active', column: 'limit_value', purpose: 'alarms.limit' },
  ],
  'baselines.db': [{ table: 'baselines', column: 'values_json', purpose: 'baselines.values' }],
}

/** Throws PL_AT_REST_KEY unless every sealed record sampled opens with `cipher` (none may be sealed when it is null). */
export function checkAtRestStores(dataDir: string, cipher: AtRestCipher | null): void {
  for (const [name, probes] of Object.entries(STORES)) {
    const file = path.join(dataDir, name)
    if (fs.existsSync(file)) checkDatabase(file, probes, cipher)
  }
  for (const sealed of newestSnapshots(dataDir))
    tryOpen(sealed.file, fs.readFileSync(sealed.file), SNAPSHOT_PURPOSE, cipher)
}

function checkDatabase(file: string, probes: Probe[], cipher: AtRestCipher | null): void {
  // A read-only connection to a WAL database creates an empty -wal and an -shm index beside it
  // when they are missing (a clean stop removed them): they go again after the check, so the
  // data directory is left exactly as found (better-sqlite3 has no URI `immutable=1` open).
  const created = ['-wal', '-shm'].filter((suffix) => !fs.existsSync(file + suffix))
  let db: Database.Database
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
  } catch (err) {
    // Not a database the check can read: the store's own open reports it (outbox: moved aside).
    if (err instanceof Error && /SQLITE_NOTADB|SQLITE_CORRUPT|not a database/i.test(errorMessage(err))) return
    throw err
  }
  try {
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      ),
    )
    for (const p of probes) {
      if (!tables.has(p.table)) continue
      for (const pick of p.pick ?? ['']) {
        const rows = db
          .prepare(`SELECT ${p.column} AS v FROM ${p.table} WHERE typeof(${p.column}) = 'blob' ${pick}`)
          .all() as { v: Buffer }[]
        // A clear BLOB is an outbox payload written before encryption was on.
        for (const r of rows) if (isSealed(r.v)) tryOpen(file, r.v, p.purpose, cipher)
      }
    }
  } finally {
    db.close()
    if (created.includes('-wal') && fs.existsSync(`${file}-wal`) && fs.statSync(`${file}-wal`).size === 0)
      for (const suffix of created) fs.rmSync(file + suffix, { force: true })
  }
}

function tryOpen(file: string, sealed: Buffer, purpose: string, cipher: AtRestCipher | null): void {
  if (!cipher)
    throw new ParklinkError(
      ErrorCodes.AT_REST_KEY,
      `${file} holds data sealed at rest, and storage.encryption is not configured: the agent does not start (nothing was changed)`,
      { hint: 'configure storage.encryption.keyFile with the key file this edge was running with' },
    )
  try {
    cipher.open(sealed, purpose)
  } catch (err) {
    if (!(err instanceof ParklinkError)) throw err
    throw new ParklinkError(
      ErrorCodes.AT_REST_KEY,
      `wrong at-rest key for ${file}: ${err.message}; the agent does not start (nothing was changed or moved)`,
      { hint: err.hint ?? '', cause: err },
    )
  }
}

/** The newest sealed snapshot of each camera ({dataDir}/devices/{id}/snapshots/*.jpg.sm4). */
export function newestSnapshots(dataDir: string): { file: string }[] {
  const devices = path.join(dataDir, 'devices')
  if (!fs.existsSync(devices)) return []
  return fs.readdirSync(devices).flatMap((d) => {
    const dir = path.join(devices, d, 'snapshots')
    if (!fs.existsSync(dir)) return []
    const newest = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(SEALED_SNAPSHOT_SUFFIX))
      .sort()
      .at(-1)
    return newest ? [{ file: path.join(dir, newest) }] : []
  })
}

export const SEALED_SNAPSHOT_SUFFIX = '.jpg.sm4'
export const SNAPSHOT_PURPOSE = 'snapshot'
