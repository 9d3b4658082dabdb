import type { TableDef } from './tables.ts'
import type { Problem, Row } from './validate.ts'

/**
 * The front-end database behind a small interface (issue 18): SQLite today
 * (./sqlite-writer.ts); a PostgreSQL schema is a second implementation of the same methods.
 * The writer owns the audit fields: created_* on insert, updated_* on every write, the delete
 * flag; each commit is one transaction, so a data set's rows, its held-back list and its
 * watermark change together or not at all.
 */
export interface StoredRow {
  hash: string
  deleted: boolean
}

/** A row held back, with what to fix. `key`: the parklink id (point, device, alarm). */
export interface HeldRow {
  dataset: string
  key: string
  problems: Problem[]
  since: number
}

export interface DatasetCommit {
  table: TableDef
  /** Rows to insert or update, with their content hash. */
  rows: Array<{ row: Row; hash: string }>
  /** Row ids whose source is gone: delete flag set to 1. */
  deleted: string[]
  /** Audit time ("YYYY-MM-DD HH:MM:SS") and actor of this run. */
  at: string
  actor: string
  /** The held-back list: `replace` for a full data set (the list is the whole truth), else keys to add and keys written now. */
  held: { replace: boolean; rows: HeldRow[]; cleared: string[] }
  watermark?: number
}

export interface LogEntry {
  runId: string
  dataset: string
  table: string
  startedAt: number
  finishedAt: number
  inserted: number
  updated: number
  deleted: number
  unchanged: number
  heldBack: number
  error: string | null
}

export interface ExchangeWriter {
  /** Creates the tables that do not exist yet (never drops or rewrites one). */
  prepare(tables: readonly TableDef[]): Promise<void>
  /** The stored hash and delete flag of these row ids (absent: not written yet). */
  stored(table: TableDef, ids: readonly string[]): Promise<Map<string, StoredRow>>
  /** Ids of rows not deleted (a full data set's deletions are the ids its source no longer has). */
  liveIds(table: TableDef): Promise<string[]>
  commit(c: DatasetCommit): Promise<{ inserted: number; updated: number; deleted: number }>
  watermark(dataset: string): Promise<number | null>
  held(dataset?: string): Promise<HeldRow[]>
  log(entry: LogEntry): Promise<void>
  /** Newest first. */
  recentLog(limit: number): Promise<LogEntry[]>
  close(): Promise<void>
}
