import '../journal.css'
import '../kpi.css'
import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { fill, t } from '../i18n.ts'
import type { PointView } from '../types.ts'
import { raw, table } from './admin-parts.ts'
import { errorText } from './common.ts'
import { type GapView, gapTable } from './completeness-gaps.ts'
import { enterpriseSelect } from './enterprise-select.ts'
import { type Names, idsOnly, loadNames } from './names.ts'
import { periodPicker } from './period.ts'

/** GET /api/v1/completeness's answer (cloud/telemetry/completeness.ts). */
interface Completeness {
  step: number
  expected: number
  points: Array<{ id: string; enterprise: string | null; received: number; completeness: number }>
  enterprises: Array<{ id: string; points: number; completeness: number; connected: boolean }>
  park: { completeness: number | null; enterprises: number; connected: number }
}

/** Below the brief's bar (§3: a complete record; 90 % of the enterprises connected) the share is marked. */
const LOW = 0.9
const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10} %`)

/**
 * #/completeness: data completeness per enterprise and per point over a period of days (the share
 * of 5-minute intervals with a good sample), and the gaps the edges recorded in it (data dropped
 * before the cloud stored it: outbox cap, age, full disk, replaced outbox). A role that may not
 * read the edges' gaps sees the completeness alone.
 */
export function completenessPage(root: HTMLElement): () => void {
  const body = h('div', { class: 'compl', 'data-testid': 'completeness' }, t('loading'))
  const enterprise = enterpriseSelect(() => void load())
  const period = periodPicker(
    1,
    () => void load(),
    (text) => mount(body, h('p', { class: 'error' }, text)),
  )
  let names: Names = idsOnly
  let points = new Map<string, PointView>()
  let generation = 0
  const load = async () => {
    const r = period.current()
    if (!r) return
    const mine = ++generation
    try {
      const [c, gaps] = await Promise.all([
        request<Completeness>(`/api/v1/completeness?from=${r.from}&to=${r.to}`),
        request<GapView[]>(`/api/v1/gaps?from=${r.from}&to=${r.to}&limit=1000`).catch(() => null),
      ])
      if (mine === generation) mount(body, ...view(c, gaps, enterprise.value(), names, points))
    } catch (err) {
      if (mine === generation) mount(body, h('p', { class: 'error' }, errorText(err)))
    }
  }
  period.el.append(enterprise.el)
  mount(root, h('h1', {}, t('completeness')), period.el, body)
  void Promise.all([
    loadNames().then((n) => (names = n)),
    request<PointView[]>('/api/v1/points')
      .then((list) => (points = new Map(list.map((p) => [p.id, p]))))
      .catch(() => {}),
  ]).then(load)
  return () => void generation++
}

function view(c: Completeness, gaps: GapView[] | null, only: string, names: Names, points: Map<string, PointView>) {
  const mine = (e: string | null) => !only || e === only
  const pointName = (id: string) => points.get(id)?.name ?? id
  return [
    h(
      'div',
      { class: 'kpi-tiles' },
      h(
        'div',
        { class: 'kpi-tile', 'data-kpi': 'park' },
        h('b', {}, pct(c.park.completeness)),
        h('span', {}, t('complPark')),
      ),
      h(
        'div',
        { class: 'kpi-tile', 'data-kpi': 'connected' },
        h('b', {}, `${c.park.connected} / ${c.park.enterprises}`),
        h('span', {}, t('complConnected')),
      ),
    ),
    h('p', { class: 'muted' }, fill(t('complInterval'), { m: c.step / 60_000 })),
    table(
      { 'data-testid': 'compl-enterprises' },
      [t('enterprise'), t('points'), t('completeness'), t('state')],
      c.enterprises
        .filter((e) => mine(e.id))
        .map((e) =>
          h(
            'tr',
            { 'data-enterprise': e.id },
            h('td', {}, names.enterprise(e.id)),
            h('td', { class: 'num' }, String(e.points)),
            h('td', { class: `num${e.completeness < LOW ? ' low' : ''}` }, pct(e.completeness)),
            h('td', {}, t(e.connected ? 'connected' : 'notConnected')),
          ),
        ),
    ),
    h('h2', {}, t('complPoints')),
    table(
      { 'data-testid': 'compl-points' },
      [t('point'), t('enterprise'), t('complReceived'), t('completeness')],
      c.points
        .filter((p) => mine(p.enterprise))
        .sort((a, b) => a.completeness - b.completeness || a.id.localeCompare(b.id))
        .map((p) =>
          h(
            'tr',
            { 'data-point': p.id },
            h(
              'td',
              {},
              h('a', { href: `#/points/${encodeURIComponent(p.id)}` }, pointName(p.id)),
              h('small', {}, raw(p.id)),
            ),
            h('td', {}, names.enterprise(p.enterprise)),
            h('td', { class: 'num' }, `${p.received} / ${c.expected}`),
            h('td', { class: `num${p.completeness < LOW ? ' low' : ''}` }, pct(p.completeness)),
          ),
        ),
    ),
    ...(gaps === null ? [] : [h('h2', {}, t('complGaps')), gapTable(gaps, only, points, pointName)]),
  ]
}
