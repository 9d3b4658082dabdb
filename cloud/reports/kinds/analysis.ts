import { defaultWorkflowConfig } from '../../alarms/workflow.ts'
import type { AlarmRecord } from '../../store/store.ts'
import { formatDuration } from '../period.ts'
import type { Cell } from '../document.ts'
import { countBy, enterpriseLabel, type KindBuilder } from './context.ts'

/**
 * Weekly and monthly alarm analysis (001:L7643/L7683/L7776): counts per priority A/B/C/D (S
 * when the park's matrix uses it) with valid / invalid / false triage, per enterprise, the most
 * frequent points, and response and closure times (brief §5: S/A respond within 3 min, others 10).
 */
const PRIORITIES = ['S', 'A', 'B', 'C', 'D'] as const

const respondedAt = (a: AlarmRecord): number | null => {
  const t = Math.min(a.disposal.ack?.at ?? Infinity, a.disposal.triage?.at ?? Infinity)
  return Number.isFinite(t) ? t : null
}

const quantile = (sorted: readonly number[], q: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!

const percent = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 10

interface Tally {
  total: number
  valid: number
  invalid: number
  false: number
  untriaged: number
  closed: number
}

function tally(alarms: readonly AlarmRecord[]): Tally {
  const t: Tally = { total: alarms.length, valid: 0, invalid: 0, false: 0, untriaged: 0, closed: 0 }
  for (const a of alarms) {
    const v = a.disposal.triage?.verdict
    if (v) t[v]++
    else t.untriaged++
    if (a.closedAt !== null) t.closed++
  }
  return t
}

const tallyCells = (x: Tally): Cell[] => [x.total, x.valid, x.invalid, x.false, x.untriaged, percent(x.closed, x.total)]

export const alarmAnalysis: KindBuilder = async ({ store, range, t, def }) => {
  const [alarms, enterprises] = await Promise.all([store.reports.alarmsRaised(range), store.reports.enterprises()])
  const names = new Map(enterprises.map((e) => [e.id, e.name]))
  const used = PRIORITIES.filter((p) => p !== 'S' || alarms.some((a) => a.priority === 'S'))
  const tallyColumns = [
    { label: t('total'), numeric: true },
    { label: t('valid'), numeric: true },
    { label: t('invalid'), numeric: true },
    { label: t('false'), numeric: true },
    { label: t('untriaged'), numeric: true },
    { label: `${t('closedShare')} %`, numeric: true },
  ]
  const byPriority = used.map((p) => [p, tally(alarms.filter((a) => a.priority === p))] as const)
  const byEnterprise = [...countBy(alarms, (a) => a.enterprise ?? '—').keys()]
    .sort()
    .map((id) => [id, alarms.filter((a) => (a.enterprise ?? '—') === id)] as const)
  const topPoints = [...countBy(alarms, (a) => a.point)]
    .sort(([pa, a], [pb, b]) => b - a || pa.localeCompare(pb))
    .slice(0, def.top)
  const sample = new Map(alarms.map((a) => [a.point, a]))

  const timeRows = used.map((p) => {
    const list = alarms.filter((a) => a.priority === p)
    const respond = list
      .flatMap((a) => {
        const r = respondedAt(a)
        return r === null ? [] : [r - a.raisedAt]
      })
      .sort((x, y) => x - y)
    const close = list.flatMap((a) => (a.closedAt === null ? [] : [a.closedAt - a.raisedAt])).sort((x, y) => x - y)
    const inTime = respond.filter((ms) => ms <= defaultWorkflowConfig.responseMs[p]).length
    const fmt = (v: number | null) => (v === null ? '—' : formatDuration(v))
    return [
      p,
      respond.length,
      percent(inTime, list.length),
      fmt(quantile(respond, 0.5)),
      fmt(quantile(respond, 0.9)),
      close.length,
      fmt(quantile(close, 0.5)),
      fmt(quantile(close, 0.9)),
    ] as Cell[]
  })

  return {
    empty: alarms.length === 0,
    sections: [
      {
        type: 'table',
        heading: t('byPriority'),
        columns: [{ label: t('priority'), width: 0.6 }, ...tallyColumns],
        rows: byPriority.map(([p, x]) => [p, ...tallyCells(x)]),
      },
      { type: 'bars', heading: t('byPriorityChart'), bars: byPriority.map(([p, x]) => ({ label: p, value: x.total })) },
      {
        type: 'table',
        heading: t('byEnterprise'),
        columns: [
          { label: t('enterpriseName'), width: 2 },
          ...used.map((p) => ({ label: p, numeric: true, width: 0.5 })),
          ...tallyColumns,
        ],
        rows: byEnterprise.map(([id, list]) => [
          enterpriseLabel(names, id === '—' ? null : id),
          ...used.map((p) => list.filter((a) => a.priority === p).length),
          ...tallyCells(tally(list)),
        ]),
      },
      {
        type: 'table',
        heading: t('topPoints'),
        columns: [
          { label: t('point'), width: 1.4 },
          { label: t('pointName'), width: 1.4 },
          { label: t('enterprise'), width: 1.8 },
          { label: t('count'), numeric: true },
        ],
        rows: topPoints.map(([point, n]) => [
          point,
          sample.get(point)?.pointName ?? '',
          enterpriseLabel(names, sample.get(point)?.enterprise ?? null),
          n,
        ]),
      },
      {
        type: 'table',
        heading: t('times'),
        columns: [
          { label: t('priority'), width: 0.6 },
          { label: t('responded'), numeric: true },
          { label: `${t('withinDeadline')} %`, numeric: true },
          { label: `${t('respond')} ${t('median')}`, width: 1.3 },
          { label: t('p90') },
          { label: t('stateClosed'), numeric: true },
          { label: `${t('close')} ${t('median')}`, width: 1.3 },
          { label: t('p90') },
        ],
        rows: timeRows,
      },
    ],
  }
}
