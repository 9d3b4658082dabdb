import type Database from 'better-sqlite3'
import type { Sample } from '../../../shared/wire/sample.ts'
import { encodeBlock, groupByPoint } from '../historian/block.ts'
import { toStoredSample } from './values.ts'

interface LegacyRow {
  rowid: number
  edge: string
  seq: number
  point: string
  ts: number
  value: number | null
  text: string | null
  quality: string
  reason: string | null
}

const PAGE = 50_000

/**
 * One-time startup step (issue 15): rows a version before the historian left in `samples` (one
 * row per sample) become blocks, one per (edge, seq) run in rowid order, so their arrival order
 * is the blocks' id order; a batch still waiting for evaluation gets its samples back in
 * `pending_samples` first. Then the rows are deleted. One transaction: an interrupted start
 * leaves the rows as they were. Not a migration because the block encoding lives in TypeScript
 * (cloud/store/historian/block.ts). Returns the rows moved.
 */
export function moveLegacySamples(sqlite: Database.Database): number {
  if (sqlite.prepare('SELECT 1 FROM samples LIMIT 1').get() === undefined) return 0
  return sqlite.transaction(() => {
    const batches = new Map<string, { outbox: string; receivedAt: number; pending: boolean }>()
    for (const b of sqlite
      .prepare(
        'SELECT edge, seq, outbox, received_at AS receivedAt, evaluated = 0 AND pending_samples IS NULL AS pending FROM batches ORDER BY received_at',
      )
      .all() as Array<{ edge: string; seq: number; outbox: string; receivedAt: number; pending: number }>)
      batches.set(`${b.edge}\u0000${b.seq}`, { outbox: b.outbox, receivedAt: b.receivedAt, pending: b.pending === 1 })
    const page = sqlite.prepare<[number, number], LegacyRow>(
      'SELECT rowid, edge, seq, point, ts, value, value_text AS text, quality, reason FROM samples WHERE rowid > ? ORDER BY rowid LIMIT ?',
    )
    const insert = sqlite.prepare(
      'INSERT INTO sample_blocks (edge, outbox, seq, received_at, min_ts, max_ts, count, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    const pending = sqlite.prepare(
      'UPDATE batches SET pending_samples = ? WHERE edge = ? AND outbox = ? AND seq = ? AND evaluated = 0 AND pending_samples IS NULL',
    )
    let run: LegacyRow[] = []
    let moved = 0
    const flush = () => {
      const first = run[0]
      if (!first) return
      const list: Sample[] = run.map((r) => ({ point: r.point, ...toStoredSample(r) }))
      const batch = batches.get(`${first.edge}\u0000${first.seq}`)
      const times = list.map((s) => s.ts)
      insert.run(
        first.edge,
        batch?.outbox ?? '',
        first.seq,
        batch?.receivedAt ?? 0,
        Math.min(...times),
        Math.max(...times),
        list.length,
        encodeBlock(groupByPoint(list)),
      )
      if (batch?.pending) pending.run(JSON.stringify(list), first.edge, batch.outbox, first.seq)
      moved += run.length
      run = []
    }
    for (let after = -1; ; ) {
      const rows = page.all(after, PAGE)
      if (rows.length === 0) break
      for (const r of rows) {
        const head = run[0]
        if (head && (head.edge !== r.edge || head.seq !== r.seq)) flush()
        run.push(r)
      }
      after = (rows.at(-1) as LegacyRow).rowid
    }
    flush()
    sqlite.prepare('DELETE FROM samples').run()
    return moved
  })()
}
