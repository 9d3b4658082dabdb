import { request } from '../api.ts'
import { h } from '../dom.ts'
import { kindName, t } from '../i18n.ts'
import { time } from '../format.ts'
import type { AlarmView } from '../types.ts'
import type { Names } from './names.ts'
import { stateText } from './journal-table.ts'

/** Rows a CSV export takes at most (the API's limit). */
const MAX_ROWS = 10_000

const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** The journal's rows as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese), every page of the current filters. */
export async function exportJournal(query: URLSearchParams, names: Names, units: Map<string, string>): Promise<number> {
  const q = new URLSearchParams(query)
  q.set('limit', String(MAX_ROWS))
  const list = await request<AlarmView[]>(`/api/v1/alarms?${q}`)
  const head = [
    'ID',
    t('priority'),
    t('raisedAt'),
    t('enterprise'),
    `${t('point')} ID`,
    t('point'),
    t('kind'),
    t('value'),
    t('limits'),
    t('unit'),
    t('state'),
    t('recoveredAt'),
    t('closedAt'),
  ]
  const rows = list.map((a) => [
    a.id,
    a.priority,
    time(a.raisedAt),
    names.enterprise(a.enterprise),
    a.point,
    a.pointName ?? '',
    kindName(a.kind),
    a.value,
    a.limit,
    units.get(a.point) ?? '',
    stateText(a),
    time(a.recoveredAt),
    time(a.closedAt),
  ])
  const csv = `\ufeff${[head, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }))
  h('a', { href: url, download: `alarms-${new Date().toISOString().slice(0, 10)}.csv` }).click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return list.length
}
