import * as fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { ensurePrivateDatabase, ensurePrivateDir } from '../../shared/private-files.ts'
import { HELD_TABLE, LOG_TABLE, WATERMARK_TABLE, type ColumnType } from './tables.ts'
import type { DatasetCommit, ExchangeWriter, HeldRow, LogEntry, StoredRow } from './writer.ts'

/**
 * The front-end database as a SQLite file (exchange.engine: sqlite), separate from cloud.db.
 * Provincial tables get TEXT/REAL columns as their data (the spec gives no types); parklink's
 * bookkeeping lives in parklink_exchange_* tables next to them.
 */
const SQL_TYPE: Record<ColumnType, string> = {
  uuid: 'TEXT',
  text: 'TEXT',
  number: 'REAL',
  time: 'TEXT',
  date: 'TEXT',
  code: 'TEXT',
}
const q = (name: string) => `"${name.replace(/"/g, '""')}"`

const BOOKKEEPING = [
  `CREATE TABLE IF NOT EXISTS ${LOG_TABLE} (run_id TEXT NOT NULL, dataset TEXT NOT NULL, table_name TEXT NOT NULL,
    started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL, inserted INTEGER NOT NULL, updated INTEGER NOT NULL,
    deleted INTEGER NOT NULL, unchanged INTEGER NOT NULL, held_back INTEGER NOT NULL, error TEXT)`,
  `CREATE INDEX IF NOT EXISTS ${LOG_TABLE}_started ON ${LOG_TABLE} (started_at)`,
  `CREATE TABLE IF NOT EXISTS ${HELD_TABLE} (dataset TEXT NOT NULL, key TEXT NOT NULL, problems TEXT NOT NULL,
    since INTEGER NOT NULL, PRIMARY KEY (dataset, key))`,
  `CREATE TABLE IF NOT EXISTS ${WATERMARK_TABLE} (dataset TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
]

export function openSqliteExchange(file: string): ExchangeWriter {
  let db: Database.Database
  try {
    if (file !== ':memory:') ensurePrivateDir(fs, path.dirname(file))
    ensurePrivateDatabase(fs, file)
    db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.pragma('busy_timeout = 5000')
    for (const s of BOOKKEEPING) db.exec(s)
  } catch (err) {
    throw new ParklinkError(
      ErrorCodes.STORE_FAILED,
      `cannot open the exchange database ${file}: ${errorMessage(err)}`,
      {
        hint: 'check exchange.file (relative to dataDir) and that the service user may write there',
        cause: err,
      },
    )
  }
  const run = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn())
    } catch (err) {
      return Promise.reject(err)
    }
  }

  const writeRows = (c: DatasetCommit) => {
    let inserted = 0
    let updated = 0
    const names = c.table.columns.map((col) => col.name)
    const audit = new Set(['created_at', 'created_by', 'updated_at', 'updated_by', 'delete_flag'])
    const business = names.filter((n) => !audit.has(n))
    const insert = db.prepare(
      `INSERT INTO ${q(c.table.name)} (${[...names, 'row_hash'].map(q).join(', ')})
       VALUES (${[...names, 'row_hash'].map((n) => `@${n}`).join(', ')})`,
    )
    const update = db.prepare(
      `UPDATE ${q(c.table.name)} SET ${[...business.filter((n) => n !== 'id'), 'row_hash']
        .map((n) => `${q(n)} = @${n}`)
        .join(', ')}, delete_flag = '0', updated_at = @updated_at, updated_by = @updated_by WHERE id = @id`,
    )
    for (const { row, hash } of c.rows) {
      const values = { ...row, row_hash: hash, updated_at: c.at, updated_by: c.actor }
      if (update.run(values).changes > 0) updated++
      else {
        insert.run({ ...values, delete_flag: '0', created_at: c.at, created_by: c.actor })
        inserted++
      }
    }
    const del = db.prepare(
      `UPDATE ${q(c.table.name)} SET delete_flag = '1', updated_at = ?, updated_by = ? WHERE id = ? AND delete_flag = '0'`,
    )
    let deleted = 0
    for (const id of c.deleted) deleted += del.run(c.at, c.actor, id).changes
    return { inserted, updated, deleted }
  }

  const writeHeld = (c: DatasetCommit) => {
    const dataset = c.table.dataset
    if (c.held.replace) db.prepare(`DELETE FROM ${HELD_TABLE} WHERE dataset = ?`).run(dataset)
    const clear = db.prepare(`DELETE FROM ${HELD_TABLE} WHERE dataset = ? AND key = ?`)
    for (const key of c.held.cleared) clear.run(dataset, key)
    const put = db.prepare(
      `INSERT INTO ${HELD_TABLE} (dataset, key, problems, since) VALUES (?, ?, ?, ?)
       ON CONFLICT (dataset, key) DO UPDATE SET problems = excluded.problems`,
    )
    for (const h of c.held.rows) put.run(dataset, h.key, JSON.stringify(h.problems), h.since)
    if (c.watermark !== undefined)
      db.prepare(
        `INSERT INTO ${WATERMARK_TABLE} (dataset, value) VALUES (?, ?) ON CONFLICT (dataset) DO UPDATE SET value = excluded.value`,
      ).run(dataset, c.watermark)
  }

  return {
    prepare: (tables) =>
      run(() => {
        for (const t of tables) {
          const cols = t.columns.map(
            (c) =>
              `${q(c.name)} ${SQL_TYPE[c.type]}${c.name === 'id' ? ' PRIMARY KEY' : c.required === true ? ' NOT NULL' : ''}`,
          )
          db.exec(`CREATE TABLE IF NOT EXISTS ${q(t.name)} (${[...cols, 'row_hash TEXT NOT NULL'].join(', ')})`)
        }
      }),
    stored: (table, ids) =>
      run(() => {
        const out = new Map<string, StoredRow>()
        const get = db.prepare(`SELECT row_hash, delete_flag FROM ${q(table.name)} WHERE id = ?`)
        for (const id of ids) {
          const r = get.get(id) as { row_hash: string; delete_flag: string } | undefined
          if (r) out.set(id, { hash: r.row_hash, deleted: r.delete_flag === '1' })
        }
        return out
      }),
    liveIds: (table) =>
      run(() =>
        (db.prepare(`SELECT id FROM ${q(table.name)} WHERE delete_flag = '0'`).all() as Array<{ id: string }>).map(
          (r) => r.id,
        ),
      ),
    commit: (c) =>
      run(() =>
        db
          .transaction(() => {
            const counts = writeRows(c)
            writeHeld(c)
            return counts
          })
          .immediate(),
      ),
    watermark: (dataset) =>
      run(() => {
        const r = db.prepare(`SELECT value FROM ${WATERMARK_TABLE} WHERE dataset = ?`).get(dataset) as
          | { value: number }
          | undefined
        return r?.value ?? null
      }),
    held: (dataset) =>
      run(() =>
        (
          (dataset === undefined
            ? db.prepare(`SELECT * FROM ${HELD_TABLE} ORDER BY dataset, key`).all()
            : db.prepare(`SELECT * FROM ${HELD_TABLE} WHERE dataset = ? ORDER BY key`).all(dataset)) as Array<{
            dataset: string
            key: string
            problems: string
            since: number
          }>
        ).map((r): HeldRow => ({ ...r, problems: JSON.parse(r.problems) })),
      ),
    log: (e) =>
      run(() => {
        db.prepare(
          `INSERT INTO ${LOG_TABLE} VALUES (@runId, @dataset, @table, @startedAt, @finishedAt, @inserted, @updated, @deleted, @unchanged, @heldBack, @error)`,
        ).run(e)
      }),
    recentLog: (limit) =>
      run(() =>
        (
          db.prepare(`SELECT * FROM ${LOG_TABLE} ORDER BY started_at DESC, rowid DESC LIMIT ?`).all(limit) as Array<
            Record<string, unknown>
          >
        ).map(
          (r): LogEntry => ({
            runId: r.run_id as string,
            dataset: r.dataset as string,
            table: r.table_name as string,
            startedAt: r.started_at as number,
            finishedAt: r.finished_at as number,
            inserted: r.inserted as number,
            updated: r.updated as number,
            deleted: r.deleted as number,
            unchanged: r.unchanged as number,
            heldBack: r.held_back as number,
            error: (r.error as string | null) ?? null,
          }),
        ),
      ),
    close: () =>
      run(() => {
        if (db.open) db.close()
      }),
  }
}
