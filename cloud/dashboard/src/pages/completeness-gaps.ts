import { h } from '../dom.ts'
import { time } from '../format.ts'
import { t } from '../i18n.ts'
import type { PointView } from '../types.ts'
import { raw, table } from './admin-parts.ts'

/** A gap as GET /api/v1/gaps answers (cloud/store/repos/gaps.ts StoredGap): an edge's record, or a replaced outbox. */
export interface GapView {
  edge: string
  reason: 'cap' | 'age' | 'disk_full' | 'outbox_replaced'
  from: number
  to: number
  samples: number | null
  batches: number | null
  points: 'all' | string[]
  receivedAt: number
}

const reasonText = (reason: string) => {
  const key = `gap_${reason}` as Parameters<typeof t>[0]
  return t(key) ?? reason
}

/** The gaps, newest first; with an enterprise chosen, those naming one of its points or every point of an edge. */
export function gapTable(
  gaps: readonly GapView[],
  enterprise: string,
  points: ReadonlyMap<string, PointView>,
  pointName: (id: string) => string,
): HTMLElement {
  const shown = gaps.filter(
    (g) => !enterprise || g.points === 'all' || g.points.some((p) => points.get(p)?.enterprise === enterprise),
  )
  if (shown.length === 0) return h('p', { class: 'muted', 'data-testid': 'compl-gaps' }, t('complNoGaps'))
  return table(
    { 'data-testid': 'compl-gaps' },
    [t('gapEdge'), t('gapReason'), t('gapFrom'), t('gapTo'), t('gapSamples'), t('gapPoints')],
    shown.map((g) =>
      h(
        'tr',
        { 'data-gap': g.reason },
        h('td', {}, raw(g.edge)),
        h('td', {}, reasonText(g.reason)),
        h('td', {}, time(g.from)),
        h('td', {}, time(g.to)),
        h('td', { class: 'num' }, g.samples === null ? t('gapUnknown') : String(g.samples)),
        h('td', {}, g.points === 'all' ? t('gapAllPoints') : g.points.map(pointName).join('、')),
      ),
    ),
  )
}
