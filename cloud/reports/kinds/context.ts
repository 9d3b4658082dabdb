import type { Store } from '../../store/store.ts'
import type { ReportDefinition } from '../config.ts'
import type { Section } from '../document.ts'
import type { Labels } from '../labels.ts'
import type { Range } from '../period.ts'

/** What a report kind is given: where to read, the definition, the period, its words. */
export interface KindContext {
  store: Pick<Store, 'reports' | 'completenessIntervals'>
  def: ReportDefinition
  range: Range
  timeZone: string
  t: Labels
  /** Free text given with an on-demand run (the shift report's handover note). */
  note?: string
  /** Local time "YYYY-MM-DD HH:MM" in the park's zone. */
  local(ts: number): string
}

/** A kind's content; `empty` when the period held no data (the document then says so). */
export interface KindResult {
  sections: Section[]
  empty: boolean
}

export type KindBuilder = (ctx: KindContext) => Promise<KindResult>

/** Enterprise id → "name (id)", or the id alone when unknown. */
export const enterpriseLabel = (names: ReadonlyMap<string, string>, id: string | null): string =>
  id === null ? '—' : names.has(id) ? `${names.get(id)} (${id})` : id

export const countBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, number> => {
  const m = new Map<string, number>()
  for (const item of items) m.set(key(item), (m.get(key(item)) ?? 0) + 1)
  return m
}
