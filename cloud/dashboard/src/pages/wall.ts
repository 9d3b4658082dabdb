import '../wall.css'
import { authorized, request } from '../api.ts'
import { mount } from '../dom.ts'
import { t } from '../i18n.ts'
import { time } from '../format.ts'
import { openEventStream, type SseEvent } from '../sse.ts'
import type { AlarmView } from '../types.ts'
import { tone } from './board.ts'
import { errorText } from './common.ts'
import { idsOnly, loadNames, type Names } from './names.ts'
import { drawPlan } from './wall-plan.ts'
import { wallLayout } from './wall-layout.ts'
import { watchLink } from './wall-link.ts'
import { clockText, drawHours, drawTicker, drawTiles, drawTop, popUp } from './wall-parts.ts'
import type { WallData } from './wall-types.ts'
import { wallGas } from './wall-gas.ts'

/** The summary is read again this often even without a change (today's counts, online, completeness). */
const REFRESH_MS = 10_000
/** Changes arriving together read the summary once. */
const SETTLE_MS = 1_000
const TICKER_SIZE = 40

/**
 * The wall display (/wall; 智慧化工园区 大屏, issue 17): dark, full screen, no scrolling at
 * 1920×1080 or 3840×2160 (sizes follow the screen's height), readable from 5 m. KPI tiles, the
 * generated park plan lit by the worst active alarm, the live ticker with S/A pop-ups, alarms per
 * hour and top points, a clock that moves every second. A lost link shows at once (wall-link.ts),
 * and the wall catches up on reconnect: the stream replays after its Last-Event-ID and the wall
 * reads the ticker and the summary again.
 */
export function wallPage(root: HTMLElement): () => void {
  const ui = wallLayout()
  document.documentElement.classList.add('kiosk')
  mount(root, ui.wall)
  const link = watchLink(ui)
  const planImage = planImageCache()
  const gas = wallGas(ui.wall)
  let names: Names = idsOnly
  const alarms = new Map<number, AlarmView>()

  const loadSummary = async () => {
    try {
      const d = await request<WallData>('/api/v1/wall')
      drawTiles(ui.tiles, d)
      drawPlan(ui.svg, d.plan, await planImage.href(d.plan.image ?? null))
      drawHours(ui.hours, d.perHour)
      drawTop(ui.top, d.topPoints, names)
      gas.draw(d.gasWarnings ?? [])
      ui.updated.textContent = `${t('updatedAt')} ${time(d.at)}`
      link.data(true)
    } catch (err) {
      link.data(false, errorText(err))
    }
  }
  const loadTicker = async () => {
    const list = await request<AlarmView[]>(`/api/v1/alarms?state=all&limit=${TICKER_SIZE}`).catch(() => null)
    if (!list) return
    alarms.clear()
    for (const a of list) alarms.set(a.id, a)
    drawTicker(ui.ticker, alarms.values(), names)
  }
  let settle: ReturnType<typeof setTimeout> | undefined
  const soon = () => {
    clearTimeout(settle)
    settle = setTimeout(() => void loadSummary(), SETTLE_MS)
  }
  const onChange = (e: SseEvent) => {
    const { alarm } = JSON.parse(e.data) as { alarm: AlarmView | null }
    if (!alarm) return
    alarms.set(alarm.id, alarm)
    drawTicker(ui.ticker, alarms.values(), names)
    if ((e.event === 'raise' || e.event === 'edge_raise') && (alarm.priority === 'S' || alarm.priority === 'A')) {
      popUp(ui.popups, alarm, names)
      tone(alarm.priority === 'S' ? 3 : 1)
    }
  }
  const close = openEventStream(
    '/api/v1/alarms/stream',
    (e) => {
      // Each (re)connection (`ready`): what the replay cannot carry is read again.
      if (e.event === 'ready') void loadTicker()
      else {
        try {
          onChange(e)
        } catch {
          // an unreadable change still refreshes the summary
        }
      }
      soon()
    },
    link.stream,
  )
  void loadNames().then((n) => {
    names = n
    void loadSummary()
    drawTicker(ui.ticker, alarms.values(), names)
  })
  void loadSummary()
  const tick = setInterval(() => (ui.clock.textContent = clockText(Date.now())), 1_000)
  const refresh = setInterval(() => void loadSummary(), REFRESH_MS)
  return () => {
    close()
    link.stop()
    clearInterval(tick)
    clearInterval(refresh)
    clearTimeout(settle)
    document.documentElement.classList.remove('kiosk')
    planImage.release()
  }
}

/** The uploaded plan image as a blob: URL (fetched with the session's token), read again only when its hash changes. */
function planImageCache() {
  let sha = ''
  let href: string | null = null
  return {
    async href(image: { url: string; sha256: string } | null): Promise<string | null> {
      if (!image) return null
      if (image.sha256 === sha) return href
      const res = await authorized(image.url).catch(() => null)
      if (!res?.ok) return href
      if (href) URL.revokeObjectURL(href)
      href = URL.createObjectURL(await res.blob())
      sha = image.sha256
      return href
    },
    release: () => void (href && URL.revokeObjectURL(href)),
  }
}
