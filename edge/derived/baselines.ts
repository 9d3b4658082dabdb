import Database from 'better-sqlite3'
import * as fs from 'node:fs'
import { ensurePrivateDatabase } from '../../shared/private-files.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import type { AtRestCipher } from '../at-rest/cipher.ts'
import { fieldSeal, type FieldSeal } from '../at-rest/fields.ts'

/**
 * Settlement baselines, durable at the edge ({dataDir}/baselines.db). A baseline is never taken
 * silently: a person requests it (who, why), the running agent fulfils the request with the
 * next good readings of every point of the segment, and both steps are kept — the history is
 * the audit trail (brief §6: re-baselining is an audited act). The latest fulfilled capture of a
 * segment is the one in force.
 */
export interface BaselineRecord {
  id: number
  segment: string
  by: string
  reason: string
  requestedAt: number
  capturedAt: number | null
  /** Readings (as the gauges report them) at capture, by point id. */
  values: Record<string, number> | null
}

export interface BaselineStore {
  request(segment: string, by: string, reason: string, at: number): BaselineRecord
  pending(): BaselineRecord[]
  fulfil(id: number, values: Record<string, number>, at: number): void
  /** The baseline in force per segment. */
  current(): Map<string, BaselineRecord>
  history(segment?: string): BaselineRecord[]
  get(id: number): BaselineRecord | null
  close(): void
}

interface Row {
  id: number
  segment: string
  by: string
  reason: string
  requested_at: number
  captured_at: number | null
  values_json: string | Buffer | null
}
const VALUES = 'baselines.values'
const toRecord = (seal: FieldSeal, r: Row): BaselineRecord => ({
  id: r.id,
  segment: r.segment,
  by: r.by,
  reason: r.reason,
  requestedAt: r.requested_at,
  capturedAt: r.captured_at,
  values: r.values_json ? seal.readJson<Record<string, number>>(r.values_json, VALUES) : null,
})

/**
 * `cipher` (storage.encryption): the captured readings are sealed with SM4 (edge/at-rest/fields.ts);
 * segment, who, why and the times stay clear (the audit trail of who re-baselined what, no values).
 */
export function openBaselineStore(file: string, cipher: AtRestCipher | null = null): BaselineStore {
  const seal = fieldSeal(cipher)
  const rec = (r: Row) => toRecord(seal, r)
  let db: Database.Database
  try {
    ensurePrivateDatabase(fs, file) // 0600 whatever the umask (brief §7)
    db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('busy_timeout = 5000') // the CLI and the agent share the file
    db.exec(`CREATE TABLE IF NOT EXISTS baselines (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      segment TEXT NOT NULL, by TEXT NOT NULL, reason TEXT NOT NULL,
      requested_at INTEGER NOT NULL, captured_at INTEGER, values_json TEXT)`)
  } catch (err) {
    throw new ParklinkError(ErrorCodes.OUTBOX_FAILED, `cannot open the baseline store ${file}: ${errorMessage(err)}`, {
      hint: 'check that the edge data directory exists and the service user may write there',
      cause: err,
    })
  }
  const all = db.prepare<[], Row>('SELECT * FROM baselines ORDER BY id')
  const bySegment = db.prepare<[string], Row>('SELECT * FROM baselines WHERE segment = ? ORDER BY id')
  const one = db.prepare<[number], Row>('SELECT * FROM baselines WHERE id = ?')
  const pending = db.prepare<[], Row>('SELECT * FROM baselines WHERE captured_at IS NULL ORDER BY id')
  const current = db.prepare<[], Row>(
    `SELECT * FROM baselines b WHERE captured_at IS NOT NULL AND id = (SELECT max(id) FROM baselines WHERE segment = b.segment AND captured_at IS NOT NULL)`,
  )
  const insert = db.prepare('INSERT INTO baselines (segment, by, reason, requested_at) VALUES (?, ?, ?, ?)')
  const fulfil = db.prepare(
    'UPDATE baselines SET captured_at = ?, values_json = ? WHERE id = ? AND captured_at IS NULL',
  )
  return {
    request(segment, by, reason, at) {
      const id = Number(insert.run(segment, by, reason, at).lastInsertRowid)
      return rec(one.get(id)!)
    },
    pending: () => pending.all().map(rec),
    fulfil: (id, values, at) => void fulfil.run(at, seal.json(values, VALUES), id),
    current: () => new Map(current.all().map((r) => [r.segment, rec(r)])),
    history: (segment) => (segment === undefined ? all.all() : bySegment.all(segment)).map(rec),
    get: (id) => {
      const r = one.get(id)
      return r ? rec(r) : null
    },
    close: () => {
      if (db.open) db.close()
    },
  }
}
