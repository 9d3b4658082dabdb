import '../journal.css'
import '../kpi.css'
import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { fill, t } from '../i18n.ts'
import { raw, table } from './admin-parts.ts'
import { errorText } from './common.ts'
import { dailyChart, hourlyChart } from './kpi-charts.ts'
import type { ParkKpiView } from './kpi-types.ts'
import { enterpriseSelect } from './enterprise-select.ts'
import { periodPicker } from './period.ts'
import type { Span } from './trend-data.ts'

/**
 * #/kpi: the park's alarm KPI model (001:L3335) over a period of days, for the park or one
 * enterprise (GET /api/v1/kpi/park): figures per day on average, the ISA-18.2 flood share and
 * chattering points, a daily chart, alarms per hour, and the daily and repeating-point tables.
 */
export function kpiPage(root: HTMLElement): () => void {
  const body = h('div', { 'data-testid': 'kpi' }, t('loading'))
  const enterprise = enterpriseSelect(() => void load())
  const period = periodPicker(
    7,
    () => void load(),
    (text) => mount(body, h('p', { class: 'error' }, text)),
  )
  let generation = 0
  const load = async () => {
    const r = period.current()
    if (!r) return
    const mine = ++generation
    try {
      const k = await request<ParkKpiView>(`/api/v1/kpi/park?${query(r, enterprise.value())}`)
      if (mine === generation) mount(body, ...kpiBody(k))
    } catch (err) {
      if (mine === generation) mount(body, h('p', { class: 'error' }, errorText(err)))
    }
  }
  period.el.append(enterprise.el)
  mount(root, h('h1', {}, t('kpi')), period.el, body)
  void load()
  return () => void generation++
}

const query = (r: Span, enterprise: string) =>
  new URLSearchParams({ from: String(r.from), to: String(r.to), ...(enterprise ? { enterprise } : {}) })

const pct = (x: number) => `${x} %`

function kpiBody(k: ParkKpiView): HTMLElement[] {
  const tile = (key: string, label: string, figure: string) =>
    h('div', { class: 'kpi-tile', 'data-kpi': key }, h('b', { 'data-figure': '' }, figure), h('span', {}, label))
  return [
    h(
      'div',
      { class: 'kpi-tiles' },
      tile('perDay', t('kpiPerDay'), String(k.perDay.total)),
      tile('perHour', t('kpiPerHour'), String(k.perHour)),
      tile('busyHourPercent', t('kpiBusyHours'), pct(k.busyHourPercent)),
      tile('valid', t('kpiValid'), String(k.perDay.valid)),
      tile('aClass', t('kpiAClass'), String(k.perDay.aClass)),
      tile('stale', t('kpiStale'), String(k.perDay.stale)),
      tile('fleeting', t('kpiFleeting'), String(k.perDay.fleeting)),
      tile('offline', t('kpiOffline'), String(k.perDay.offline)),
      tile('repeatingPoints', t('kpiRepeating'), String(k.perDay.repeatingPoints)),
      tile('floodPercent', t('kpiFlood'), pct(k.isa.floodPercent)),
      tile('chattering', t('kpiChattering'), String(k.isa.chattering.length)),
    ),
    h('p', { class: 'muted' }, fill(t('kpiFleetingNote'), { s: k.fleetingS })),
    k.truncated ? h('p', { class: 'error' }, fill(t('kpiTruncated'), { n: 100_000 })) : h('span'),
    h(
      'div',
      { class: 'kpi-charts' },
      h('section', {}, h('h2', {}, t('kpiDaily')), dailyChart(k)),
      h('section', {}, h('h2', {}, t('kpiHourly')), hourlyChart(k)),
    ),
    h('h2', {}, t('kpiDaily')),
    dailyTable(k),
    h('h2', {}, t('kpiRepeatList')),
    pointTable(
      'kpi-repeating',
      [t('point'), t('kpiRaises'), t('kpiDays')],
      k.repeatingPoints.map((p) => [p.pointName, p.point, [p.raises, p.days]]),
    ),
    h('h2', {}, t('kpiChattering')),
    pointTable(
      'kpi-chattering',
      [t('point'), t('kpiBursts')],
      k.isa.chattering.map((c) => [null, c.point, [c.bursts]]),
    ),
  ]
}

function dailyTable(k: ParkKpiView): HTMLElement {
  const cols = ['total', 'busyHours', 'valid', 'aClass', 'stale', 'fleeting', 'offline', 'repeatingPoints'] as const
  return table(
    { 'data-testid': 'kpi-days' },
    [
      t('kpiDate'),
      t('kpiTotal'),
      t('kpiBusyHourCount'),
      t('valid'),
      'A',
      t('kpiStaleCol'),
      t('kpiFleetingCol'),
      t('kpiOfflineCol'),
      t('kpiRepeatingCol'),
    ],
    k.days.map((d) =>
      h(
        'tr',
        { 'data-day': d.date },
        h('td', {}, d.date),
        ...cols.map((c) => h('td', { class: 'num', 'data-col': c }, String(d[c]))),
      ),
    ),
  )
}

function pointTable(testid: string, head: string[], rows: Array<[string | null, string, number[]]>): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted', 'data-testid': testid }, t('none'))
  return table(
    { 'data-testid': testid },
    head,
    rows.map(([name, id, figures]) =>
      h(
        'tr',
        {},
        h('td', {}, name ?? '', h('small', {}, raw(id))),
        ...figures.map((f) => h('td', { class: 'num' }, String(f))),
      ),
    ),
  )
}
