import { h, mount } from '../dom.ts'
import { fill, kindName, t } from '../i18n.ts'
import type { AlarmView } from '../types.ts'
import type { Names } from './names.ts'
import { PRIORITIES, type WallData } from './wall-types.ts'

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`)
const hhmm = (ms: number) =>
  new Date(ms).toLocaleTimeString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
const hourOf = (ms: number) =>
  Number(new Date(ms).toLocaleString('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', hour12: false }))

/** One KPI tile: a big number and its label; `alert` when it calls for attention. */
function tile(key: string, label: string, big: string, cls = ''): HTMLElement {
  const long = [...big].length > 4 ? ' long' : '' // wall.css sets a long figure to fit its tile
  return h('div', { class: `tile ${cls}${long}`, 'data-tile': key }, h('b', {}, big), h('span', {}, label))
}

/** The KPI tiles of brief §5: today's alarms by class, active, overdue, disposal rate, online, completeness. */
export function drawTiles(box: HTMLElement, d: WallData): void {
  mount(
    box,
    ...PRIORITIES.map((p) =>
      tile(
        `today-${p}`,
        `${t('todayAlarms')} · ${fill(t('prioLevel'), { p })}`,
        String(d.today.byPriority[p]),
        `prio p-${p}${d.today.byPriority[p] > 0 ? ' nonzero' : ''}`,
      ),
    ),
    tile('active', t('activeNow'), String(d.active), d.active > 0 ? 'alert' : ''),
    tile('overdue', t('overdueNow'), String(d.overdue), d.overdue > 0 ? 'alert' : ''),
    tile('disposal', t('disposalRate'), pct(d.today.disposalRate)),
    tile(
      'edges',
      t('edgesOnline'),
      `${d.edges.online} / ${d.edges.total}`,
      d.edges.online < d.edges.total ? 'warn' : '',
    ),
    tile(
      'enterprises',
      t('enterprisesOnline'),
      `${d.enterprises.online} / ${d.enterprises.total}`,
      d.enterprises.online < d.enterprises.total ? 'warn' : '',
    ),
    tile('completeness', t('completenessToday'), pct(d.completenessToday)),
  )
}

/** Alarms per hour over the last 24 h as bars (plain elements: no chart library needed for 24 bars). */
export function drawHours(box: HTMLElement, perHour: WallData['perHour']): void {
  const max = Math.max(1, ...perHour.map((x) => x.count))
  mount(
    box,
    ...perHour.map((x) => {
      const hour = hourOf(x.at)
      // Set through the CSSOM: the Content-Security-Policy refuses inline style attributes.
      const bar = h('i')
      bar.style.height = `${(x.count / max) * 100}%`
      return h(
        'div',
        { class: 'hour', 'data-count': x.count, title: `${fill(t('hourMark'), { h: hour })} ${x.count}` },
        h('span', { class: 'n' }, x.count > 0 ? String(x.count) : ''),
        bar,
        h('small', {}, hour % 3 === 0 ? fill(t('hourMark'), { h: hour }) : ''),
      )
    }),
  )
}

export function drawTop(box: HTMLElement, top: WallData['topPoints'], names: Names): void {
  mount(
    box,
    top.length === 0
      ? h('p', { class: 'muted' }, t('none'))
      : h(
          'ol',
          {},
          ...top.map((p) =>
            h(
              'li',
              { 'data-point': p.point },
              h('span', {}, p.pointName ?? p.point, h('small', {}, names.enterprise(p.enterprise))),
              h('b', {}, `${p.count} ${t('times')}`),
            ),
          ),
        ),
  )
}

/** The live ticker: the newest alarms first, as many as fit (the box clips the rest). */
export function drawTicker(box: HTMLElement, alarms: Iterable<AlarmView>, names: Names): void {
  const list = [...alarms].sort((a, b) => b.raisedAt - a.raisedAt || b.id - a.id).slice(0, 40)
  mount(
    box,
    ...list.map((a) =>
      h(
        'li',
        {
          class: `tick p-${a.priority}${a.closedAt ? ' closed' : a.state === 'active' ? ' active' : ''}`,
          'data-alarm': a.id,
        },
        h('b', { class: 'prio' }, a.priority),
        h('time', {}, hhmm(a.raisedAt)),
        h('span', { class: 'what' }, `${names.enterprise(a.enterprise)} · ${a.pointName ?? a.point}`),
        h('span', { class: 'kind' }, kindName(a.kind)),
        h('em', {}, a.closedAt ? t('closed') : a.state === 'active' ? t('active') : t('recovered')),
      ),
    ),
  )
}

/** An S or A alarm pops up over the wall for a minute (the operator sees it from across the room). */
export function popUp(box: HTMLElement, a: AlarmView, names: Names): void {
  const card = h(
    'div',
    { class: `wall-popup p-${a.priority}`, role: 'alert', 'data-alarm': a.id },
    h('b', {}, `${t('newAlarm')} · ${fill(t('prioLevel'), { p: a.priority })}`),
    h('span', {}, `${names.enterprise(a.enterprise)} · ${a.pointName ?? a.point}`),
    h('span', {}, kindName(a.kind)),
  )
  box.prepend(card)
  while (box.children.length > 3) box.lastElementChild?.remove()
  setTimeout(() => card.remove(), 60_000)
}

export const clockText = (ms: number) =>
  new Date(ms).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
