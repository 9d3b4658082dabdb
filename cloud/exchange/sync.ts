import { rowHash } from './ids.ts'
import { AUDIT_COLUMNS, type TableDef } from './tables.ts'
import { validateRow } from './validate.ts'
import type { CodeLists } from './codes.ts'
import type { Mapped } from './context.ts'
import type { ExchangeWriter, HeldRow } from './writer.ts'

/**
 * Brings one data set's table up to date from its mapped rows: each row validated (a bad one
 * held back whole, with what to fix), only rows whose content hash changed written, and — for
 * a full data set — rows whose source is gone flagged deleted. One commit per data set.
 */
export interface SyncResult {
  inserted: number
  updated: number
  deleted: number
  unchanged: number
  heldBack: number
  /** Keys held back in this run. */
  held: Set<string>
}

export async function syncDataset(o: {
  writer: ExchangeWriter
  table: TableDef
  mapped: readonly Mapped[]
  lists: CodeLists
  /** The mapped rows are the whole source: others are deleted, and the held list is replaced. */
  full: boolean
  now: number
  at: string
  actor: string
  watermark?: number
}): Promise<SyncResult> {
  const held: HeldRow[] = []
  const good: Array<{ key: string; row: Mapped['row']; hash: string }> = []
  for (const m of o.mapped) {
    const problems = [...validateRow(o.table, m.row, o.lists, m.fixes), ...(m.problems ?? [])]
    if (problems.length > 0) held.push({ dataset: o.table.dataset, key: m.key, problems, since: o.now })
    else good.push({ key: m.key, row: m.row, hash: rowHash(m.row, AUDIT_COLUMNS) })
  }
  const stored = await o.writer.stored(
    o.table,
    good.map((g) => g.row.id as string),
  )
  const changed = good.filter((g) => {
    const s = stored.get(g.row.id as string)
    return !s || s.deleted || s.hash !== g.hash
  })
  const present = new Set(o.mapped.map((m) => m.row.id as string))
  const deleted = o.full ? (await o.writer.liveIds(o.table)).filter((id) => !present.has(id)) : []
  const counts = await o.writer.commit({
    table: o.table,
    rows: changed.map(({ row, hash }) => ({ row, hash })),
    deleted,
    at: o.at,
    actor: o.actor,
    held: { replace: o.full, rows: held, cleared: good.map((g) => g.key) },
    ...(o.watermark === undefined ? {} : { watermark: o.watermark }),
  })
  return {
    ...counts,
    unchanged: good.length - changed.length,
    heldBack: held.length,
    held: new Set(held.map((h) => h.key)),
  }
}
