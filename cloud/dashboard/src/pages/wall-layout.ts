import { h } from '../dom.ts'
import { t } from '../i18n.ts'
import { clockText } from './wall-parts.ts'
import { planLegend } from './wall-plan.ts'

/** The wall's parts, laid out once (wall.css places them on a grid that fills the screen). */
export function wallLayout() {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('class', 'plan-svg')
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet')
  const parts = {
    clock: h('time', { class: 'clock', 'data-testid': 'wall-clock' }, clockText(Date.now())),
    state: h('span', { class: 'stream', 'data-testid': 'wall-stream' }, t('loading')),
    outage: h('div', { class: 'outage', role: 'alert', 'data-testid': 'wall-outage', hidden: true }, t('streamDown')),
    tiles: h('section', { class: 'tiles', 'data-testid': 'wall-tiles' }),
    svg,
    ticker: h('ol', { class: 'ticker-list', 'data-testid': 'wall-ticker' }),
    hours: h('div', { class: 'bars', 'data-testid': 'wall-hours' }),
    top: h('div', { class: 'top-list', 'data-testid': 'wall-top' }),
    popups: h('div', { class: 'wall-popups', 'aria-live': 'assertive' }),
    updated: h('span', { class: 'updated' }),
  }
  const wall = h(
    'div',
    { class: 'wall', 'data-testid': 'wall' },
    h('header', { class: 'wall-top' }, h('h1', {}, t('wallTitle')), parts.state, parts.updated, parts.clock),
    parts.outage,
    parts.tiles,
    h('section', { class: 'panel plan' }, h('h2', {}, t('parkPlan')), svg, planLegend()),
    h('section', { class: 'panel ticker' }, h('h2', {}, t('alarmTicker')), parts.ticker),
    h('section', { class: 'panel hours' }, h('h2', {}, t('perHour')), parts.hours),
    h('section', { class: 'panel top' }, h('h2', {}, t('topPoints')), parts.top),
    parts.popups,
  )
  return { wall, ...parts }
}
