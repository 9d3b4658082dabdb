import type { AlarmView } from '../types.ts'

/**
 * Chattering alarms in the journal (ANSI/ISA-18.2 §16.6; the KPI's rule, cloud/alarms/kpi.ts):
 * a point that raised the same kind 3 or more times with at most 60 s between one raise and the
 * next. Its records on the page become one row with the count, expandable to the records. The
 * raises a latched episode held (`repeats`, shared/rules/latch.ts) count too, so one record that
 * held two repeats is chattering on its own. Grouped within the page that was read.
 */
export const CHATTER_GAP_MS = 60_000
export const CHATTER_COUNT = 3

export type JournalRow =
  | { type: 'one'; alarm: AlarmView }
  | { type: 'chatter'; key: string; alarms: AlarmView[]; count: number }

const raisesOf = (a: AlarmView) => 1 + (a.repeats ?? 0)

/** The page's alarms as rows, in the page's order; a chattering group stands where its newest record stood. */
export function chatterRows(list: readonly AlarmView[]): JournalRow[] {
  const byKey = new Map<string, AlarmView[]>()
  for (const a of list) {
    const key = `${a.point}|${a.kind}`
    byKey.set(key, [...(byKey.get(key) ?? []), a])
  }
  const groupOf = new Map<number, AlarmView[]>()
  for (const alarms of byKey.values()) {
    const sorted = [...alarms].sort((a, b) => a.raisedAt - b.raisedAt || a.id - b.id)
    let run: AlarmView[] = []
    const close = () => {
      if (run.reduce((n, a) => n + raisesOf(a), 0) >= CHATTER_COUNT) for (const a of run) groupOf.set(a.id, run)
      run = []
    }
    for (const a of sorted) {
      const last = run[run.length - 1]
      if (last && a.raisedAt - last.raisedAt > CHATTER_GAP_MS) close()
      run.push(a)
    }
    close()
  }
  const rows: JournalRow[] = []
  const placed = new Set<AlarmView[]>()
  for (const a of list) {
    const group = groupOf.get(a.id)
    if (!group) rows.push({ type: 'one', alarm: a })
    else if (!placed.has(group)) {
      placed.add(group)
      const newestFirst = [...group].sort((x, y) => y.raisedAt - x.raisedAt || y.id - x.id)
      rows.push({
        type: 'chatter',
        key: `${a.point}|${a.kind}|${newestFirst[newestFirst.length - 1]!.id}`,
        alarms: newestFirst,
        count: group.reduce((n, x) => n + raisesOf(x), 0),
      })
    }
  }
  return rows
}
