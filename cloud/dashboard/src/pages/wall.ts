import '../wall.css'
import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { t } from '../i18n.ts'
import { time } from '../format.ts'
import { openEventStream, type SseEvent } from '../sse.ts'
import type { AlarmView } from '../types.ts'
import { tone } from './board.ts'
import { errorText } from './common.ts'
import { idsOnly, loadNames, type Names } from './names.ts'
import { drawPlan, planLegend } from './wall-plan.ts'
import { clockText, drawHours, drawTicker, drawTiles, drawTop, popUp } from './wall-parts.ts'
import type { WallData } from './wall-types.ts'

/** The summary is read again this often even without a change (today's counts, online, completeness). */
const REFRESH_MS = 10_000
/** Changes arriving together read the summary once. */
const SETTLE_MS = 1_000
const TICKER_SIZE = 40
/** The service is asked this often whether it is there, and given this long to say so: a link that hangs (no reset, no close) shows within 5 s. */
const PROBE_MS = 2_000
const PROBE_TIMEOUT_MS = 3_000

/**
 * The wall display (/wall; 智慧化工园区 大屏, issue 17): dark, full screen, no scrolling at
 * 1920×1080 or 3840×2160 (sizes follow the screen's height), readable from 5 m. KPI tiles, the
 * generated park plan lit by the worst active alarm, the live ticker with S/A pop-ups, alarms per
 * hour and top points, a clock that moves every second. When the alarm stream (or the API) is
 * lost, a red banner says so at once (the stream's reader fails as the connection does), and the
 * wall catches up on reconnect: the stream replays after its Last-Event-ID and the wall reloads.
 */
export function wallPage(root: HTMLElement): () => void {
  const clock = h('time', { class: 'clock', 'data-testid': 'wall-clock' }, clockText(Date.now()))
  const streamState = h('span', { class: 'stream', 'data-testid': 'wall-stream' }, t('loading'))
  const outage = h('div', { class: 'outage', role: 'alert', 'data-testid': 'wall-outage', hidden: true }, t('streamDown'))
  const tiles = h('section', { class: 'tiles', 'data-testid': 'wall-tiles' })
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('class', 'plan-svg')
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet')
  const ticker = h('ol', { class: 'ticker-list', 'data-testid': 'wall-ticker' })
  const hours = h('div', { class: 'bars', 'data-testid': 'wall-hours' })
  const top = h('div', { class: 'top-list', 'data-testid': 'wall-top' })
  const popups = h('div', { class: 'wall-popups', 'aria-live': 'assertive' })
  const updated = h('span', { class: 'updated' })
  const wall = h('div', { class: 'wall', 'data-testid': 'wall' },
    h('header', { class: 'wall-top' }, h('h1', {}, t('wallTitle')), streamState, updated, clock),
    outage, tiles,
    h('section', { class: 'panel plan' }, h('h2', {}, t('parkPlan')), svg, planLegend()),
    h('section', { class: 'panel ticker' }, h('h2', {}, t('alarmTicker')), ticker),
    h('section', { class: 'panel hours' }, h('h2', {}, t('perHour')), hours),
    h('section', { class: 'panel top' }, h('h2', {}, t('topPoints')), top),
    popups)
  document.documentElement.classList.add('kiosk')
  mount(root, wall)

  let names: Names = idsOnly
  const alarms = new Map<number, AlarmView>()
  // stream: null until its first answer (no alarm banner while the wall is still opening).
  const link: { stream: boolean | null; api: boolean; data: boolean } = { stream: null, api: true, data: true }
  const showLink = () => {
    const up = link.stream !== false && link.api && link.data
    outage.hidden = up
    wall.classList.toggle('down', !up)
    streamState.textContent = !up ? t('disconnected') : link.stream ? t('streamUp') : t('loading')
    streamState.className = up ? 'stream up' : 'stream down'
  }

  const loadSummary = async () => {
    try {
      const d = await request<WallData>('/api/v1/wall')
      drawTiles(tiles, d)
      drawPlan(svg, d.plan)
      drawHours(hours, d.perHour)
      drawTop(top, d.topPoints, names)
      updated.textContent = `${t('updatedAt')} ${time(d.at)}`
      link.data = true
      outage.textContent = t('streamDown')
    } catch (err) {
      link.data = false
      outage.textContent = `${t('streamDown')} ${errorText(err)}`
    }
    showLink()
  }
  const loadTicker = async () => {
    const list = await request<AlarmView[]>(`/api/v1/alarms?state=all&limit=${TICKER_SIZE}`).catch(() => null)
    if (!list) return
    alarms.clear()
    for (const a of list) alarms.set(a.id, a)
    drawTicker(ticker, alarms.values(), names)
  }

  // The stream's reader fails when its connection does; a link that silently hangs does not fail,
  // so a cheap probe (the public health check) with a deadline watches the link as well.
  const probe = async () => {
    try {
      const res = await fetch('/api/v1/health', { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })
      link.api = res.ok
    } catch {
      link.api = false
      outage.textContent = t('streamDown')
    }
    showLink()
  }

  let settle: ReturnType<typeof setTimeout> | undefined
  const soon = () => {
    clearTimeout(settle)
    settle = setTimeout(() => void loadSummary(), SETTLE_MS)
  }
  const onEvent = (e: SseEvent) => {
    if (e.event === 'ready') {
      // Each (re)connection: what the replay cannot carry is read again.
      void loadTicker()
      soon()
      return
    }
    try {
      const { alarm } = JSON.parse(e.data) as { alarm: AlarmView | null }
      if (!alarm) return
      alarms.set(alarm.id, alarm)
      drawTicker(ticker, alarms.values(), names)
      if ((e.event === 'raise' || e.event === 'edge_raise') && (alarm.priority === 'S' || alarm.priority === 'A')) {
        popUp(popups, alarm, names)
        tone(alarm.priority === 'S' ? 3 : 1)
      }
    } catch {
      // an unreadable change still refreshes the summary
    }
    soon()
  }
  const close = openEventStream('/api/v1/alarms/stream', onEvent, (up) => {
    link.stream = up
    showLink()
  })
  void loadNames().then((n) => {
    names = n
    void loadSummary()
    drawTicker(ticker, alarms.values(), names)
  })
  void loadSummary()
  const tick = setInterval(() => (clock.textContent = clockText(Date.now())), 1_000)
  const refresh = setInterval(() => void loadSummary(), REFRESH_MS)
  const probing = setInterval(() => void probe(), PROBE_MS)
  return () => {
    close()
    clearInterval(tick)
    clearInterval(refresh)
    clearInterval(probing)
    clearTimeout(settle)
    document.documentElement.classList.remove('kiosk')
  }
}
