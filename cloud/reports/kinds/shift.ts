import type { AlarmRecord } from '../../store/store.ts'
import { figures, type Cell } from '../document.ts'
import type { Labels } from '../labels.ts'
import { enterpriseLabel, type KindBuilder } from './context.ts'

/**
 * The shift report (001:L7612 "每班次统计记录当班预警数据和处理情况 … 形成交接班工作记录"): the
 * alarms raised in the shift with their state at its end, the alarms carried over from the
 * previous shift, those handed over to the next, and the handover note (generated lines plus
 * the note given with the run). States are as of the shift's end, so a regenerated report of a
 * past shift tells what the handover saw.
 */
type State = 'stateActive' | 'stateRecovered' | 'stateClosed'

export function stateAt(a: AlarmRecord, at: number): State {
  if (a.closedAt !== null && a.closedAt <= at) return 'stateClosed'
  if (a.recoveredAt !== null && a.recoveredAt <= at) return 'stateRecovered'
  return 'stateActive'
}

const verdictAt = (a: AlarmRecord, at: number, t: Labels): string => {
  const v = a.disposal.triage
  return v && v.at <= at ? t(v.verdict) : t('untriaged')
}

export const shiftReport: KindBuilder = async ({ store, range, t, local, note }) => {
  const [raised, carriedIn, handedOver, enterprises] = await Promise.all([
    store.reports.alarmsRaised(range),
    store.reports.alarmsOpenAt(range.from),
    store.reports.alarmsOpenAt(range.to),
    store.reports.enterprises(),
  ])
  const names = new Map(enterprises.map((e) => [e.id, e.name]))
  const columns = [
    { label: t('raisedAt'), width: 1.3 },
    { label: t('enterprise'), width: 1.6 },
    { label: t('point'), width: 1.3 },
    { label: t('pointName'), width: 1.3 },
    { label: t('kind'), width: 0.7 },
    { label: t('priority'), width: 0.5 },
    { label: t('state'), width: 1.2 },
    { label: t('verdict'), width: 0.8 },
  ]
  const row = (a: AlarmRecord): Cell[] => [
    local(a.raisedAt),
    enterpriseLabel(names, a.enterprise),
    a.point,
    a.pointName ?? '',
    a.kind,
    a.priority,
    t(stateAt(a, range.to)),
    verdictAt(a, range.to, t),
  ]
  const byState = (s: State) => raised.filter((a) => stateAt(a, range.to) === s).length
  const closedInShift = [...raised, ...carriedIn].filter(
    (a) => a.closedAt !== null && a.closedAt >= range.from && a.closedAt <= range.to,
  ).length
  const urgent = handedOver.filter((a) => a.priority === 'S' || a.priority === 'A').length
  const oldest = handedOver[0]
  const handover = [
    handedOver.length === 0 ? t('handoverNone') : t('handoverOpen', { n: handedOver.length, a: urgent }),
    ...(oldest
      ? [t('handoverOldest', { point: oldest.point, name: oldest.pointName ?? '', at: local(oldest.raisedAt) })]
      : []),
    ...(note?.trim() ? [`${t('note')}: ${note.trim()}`] : []),
  ]
  return {
    empty: raised.length === 0 && carriedIn.length === 0 && handedOver.length === 0,
    sections: [
      figures(
        t('summary'),
        [t('item'), t('count')],
        [
          [t('raisedInShift'), raised.length],
          [t('closedInShift'), closedInShift],
          [t('carriedIn'), carriedIn.length],
          [t('handedOver'), handedOver.length],
        ],
      ),
      {
        type: 'bars',
        heading: t('shiftByState'),
        bars: (['stateActive', 'stateRecovered', 'stateClosed'] as const).map((s) => ({
          label: t(s),
          value: byState(s),
        })),
      },
      { type: 'table', heading: t('shiftAlarms'), columns, rows: raised.map(row) },
      { type: 'table', heading: t('carriedIn'), columns, rows: carriedIn.map(row) },
      { type: 'table', heading: t('handedOver'), columns, rows: handedOver.map(row) },
      { type: 'text', heading: t('handoverNote'), lines: handover },
    ],
  }
}
