import type { ContentCheck } from './content-check.ts'

/** Where a fault began: the journal's size (what the edge generated from then on) and the wall time (gap records the cloud received from then on). */
export interface FaultMark {
  kind: string
  journalAt: number
  at: number
}

export interface KindRow {
  kind: string
  count: number
  batches: number
  lost: number
  duplicated: number
  altered: number
  inGaps: number
  /** Gap records the cloud received while this fault (or what followed it until the next) was on, by reason. */
  gaps: Map<string, number>
}

const BEFORE = '(before the first fault)'

/**
 * Per fault kind: the batches generated from the fault's start until the next fault's start,
 * and what became of them; the gap records received in the same span. A batch hurt by a fault is
 * often generated just before it (held in the outbox when the link went): the table says where
 * to look, the totals decide.
 */
export function summarize(
  marks: readonly FaultMark[],
  counts: Record<string, number>,
  content: ContentCheck,
): KindRow[] {
  const rows = new Map<string, KindRow>()
  const row = (kind: string) => {
    const r = rows.get(kind) ?? {
      kind,
      count: counts[kind] ?? 0,
      batches: 0,
      lost: 0,
      duplicated: 0,
      altered: 0,
      inGaps: 0,
      gaps: new Map<string, number>(),
    }
    rows.set(kind, r)
    return r
  }
  for (const kind of Object.keys(counts)) row(kind)
  const last = (items: readonly FaultMark[], pick: (m: FaultMark) => boolean) =>
    items.filter(pick).at(-1)?.kind ?? BEFORE
  for (const c of content.checks) {
    const r = row(last(marks, (m) => m.journalAt <= c.batch.at))
    r.batches++
    r.duplicated += c.duplicates
    if (c.verdict === 'lost') r.lost++
    if (c.verdict === 'altered') r.altered++
    if (c.verdict === 'gap') r.inGaps++
  }
  for (const g of content.gapRecords) {
    const r = row(last(marks, (m) => m.at <= g.receivedAt))
    r.gaps.set(g.reason, (r.gaps.get(g.reason) ?? 0) + 1)
  }
  return [...rows.values()]
}

export function formatTable(rows: readonly KindRow[]): string[] {
  const head = ['fault kind', 'count', 'batches', 'lost', 'dup', 'altered', 'in gaps', 'gap records']
  const body = rows.map((r) =>
    [
      r.kind,
      r.count,
      r.batches,
      r.lost,
      r.duplicated,
      r.altered,
      r.inGaps,
      [...r.gaps].map(([k, n]) => `${k} ${n}`).join(', ') || '-',
    ].map(String),
  )
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)]
}
