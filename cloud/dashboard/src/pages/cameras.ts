import '../cameras.css'
import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { t } from '../i18n.ts'
import { errorText, poll } from './common.ts'
import { type CameraView, type OfflineStats, cameraCard, drawOfflineStats } from './cameras-parts.ts'
import { idsOnly, loadNames, type Names } from './names.ts'

const DAY = 86_400_000
const PERIODS = [1, 7, 30] as const

/**
 * 视频监控 (#/cameras, issue 17): the offline statistics per enterprise over a chosen period
 * (001:L4541: total, offline now, rate, the offline cameras with how long, times offline and
 * offline time in the period), then every camera with its state, enterprise, area and newest
 * snapshot. Read again every 30 s; the snapshots only when a newer one is listed.
 */
export function camerasPage(root: HTMLElement): () => void {
  const message = h('p', { class: 'error', role: 'alert' })
  const stats = h('div', { class: 'cam-stats-box' }, t('loading'))
  const grid = h('div', { class: 'cam-grid', 'data-testid': 'cameras' })
  const period = h(
    'select',
    { 'data-testid': 'camera-period' },
    ...PERIODS.map((d) => h('option', { value: d }, t(`camPeriod_${d}`))),
  )
  const urls: string[] = []
  let names: Names = idsOnly
  let shown = ''

  const load = async () => {
    const to = Date.now()
    const from = to - Number(period.value) * DAY
    const [cameras, offline] = await Promise.all([
      request<CameraView[]>('/api/v1/cameras'),
      request<OfflineStats>(`/api/v1/cameras/offline?from=${from}&to=${to}`),
    ])
    message.textContent = ''
    drawOfflineStats(stats, offline, names)
    // Cards (and their pictures) are rebuilt only when something on them changed.
    const key = JSON.stringify(cameras.map((c) => [c.id, c.online, c.since, c.edgeOnline, c.lastSnapshot?.id]))
    if (key === shown) return
    shown = key
    for (const u of urls.splice(0)) URL.revokeObjectURL(u)
    mount(
      grid,
      ...(cameras.length === 0
        ? [h('p', { class: 'muted' }, t('camNone'))]
        : cameras.map((c) => cameraCard(c, names, urls))),
    )
  }
  period.addEventListener('change', () => void load().catch((err) => (message.textContent = errorText(err))))
  mount(
    root,
    h('h1', {}, t('cameras')),
    h('h2', {}, t('camOfflineStats'), ' ', h('label', { class: 'cam-period' }, t('camPeriod'), ' ', period)),
    stats,
    message,
    grid,
  )
  const stop = poll(load, 30_000, (err) => (message.textContent = errorText(err)))
  void loadNames().then((n) => {
    names = n
    shown = ''
    void load().catch(() => {})
  })
  return () => {
    stop()
    for (const u of urls) URL.revokeObjectURL(u)
  }
}
