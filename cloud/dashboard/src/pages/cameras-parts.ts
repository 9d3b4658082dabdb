import { authorized } from '../api.ts'
import { h, mount } from '../dom.ts'
import { driverStateName, fill, t } from '../i18n.ts'
import { time } from '../format.ts'
import type { Names } from './names.ts'
import { openLiveView } from '../live/player.ts'

/** GET /api/v1/cameras (cloud/api/routes/cameras.ts): the fields this page shows. */
export interface CameraView {
  id: string
  name: string | null
  area: string
  enterprise: string | null
  edge: string
  online: boolean | null
  since: number | null
  reason: string | null
  edgeOnline: boolean
  offlineForMs: number | null
  driver: { state: string; since: number; lastError: string | null } | null
  lastSnapshot: { id: string; ts: number; url: string } | null
}

/** GET /api/v1/cameras/offline (cloud/registry/camera-offline.ts). */
export interface OfflineStats {
  from: number
  to: number
  enterprises: Array<{
    enterprise: string | null
    total: number
    offlineNow: number
    offlineRate: number | null
    offline: Array<{ camera: string; name: string | null; area: string; since: number | null; forMs: number | null }>
    period: { episodes: number; offlineMs: number }
  }>
}

/** A duration in minutes under an hour, else hours with one decimal. */
export const duration = (ms: number | null): string =>
  ms === null
    ? '—'
    : ms < 3_600_000
      ? fill(t('minutesN'), { n: Math.round(ms / 60_000) })
      : fill(t('hours'), { n: (ms / 3_600_000).toFixed(1) })

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`)

/** 设备离线管理 (001:L4541): one row per enterprise, the offline cameras named with how long. */
export function drawOfflineStats(box: HTMLElement, stats: OfflineStats, names: Names): void {
  const head = [
    t('enterprise'),
    t('camTotal'),
    t('camOfflineNow'),
    t('camOfflineRate'),
    t('camOfflineList'),
    t('camEpisodes'),
    t('camOfflineTime'),
  ]
  mount(
    box,
    h(
      'table',
      { class: 'cam-stats', 'data-testid': 'camera-offline-stats' },
      h('thead', {}, h('tr', {}, ...head.map((x) => h('th', {}, x)))),
      h(
        'tbody',
        {},
        ...stats.enterprises.map((e) =>
          h(
            'tr',
            { 'data-enterprise': e.enterprise ?? '', class: e.offlineNow > 0 ? 'has-offline' : null },
            h('td', {}, names.enterprise(e.enterprise)),
            h('td', { class: 'num' }, String(e.total)),
            h('td', { class: 'num', 'data-stat': 'offline-now' }, String(e.offlineNow)),
            h('td', { class: 'num' }, pct(e.offlineRate)),
            h(
              'td',
              {},
              ...e.offline.map((c) =>
                h(
                  'div',
                  { 'data-offline-camera': c.camera },
                  `${c.name ?? c.camera} · ${t('camSince')} ${time(c.since)} · ${t('camThisEpisode')} ${duration(c.forMs)}`,
                ),
              ),
            ),
            h('td', { class: 'num', 'data-stat': 'episodes' }, String(e.period.episodes)),
            h('td', { class: 'num', 'data-stat': 'offline-time' }, duration(e.period.offlineMs)),
          ),
        ),
      ),
    ),
  )
}

const stateOf = (c: CameraView) => (c.online === null ? 'unknown' : c.online ? 'online' : 'offline')

/**
 * One camera: name, enterprise, area, state (with since and the edge's last error), its newest
 * snapshot (fetched with the session's token into a blob: URL, kept in `urls` for release).
 * 实时画面 opens the live view dialog (live/player.ts): the camera through its edge's relay.
 */
export function cameraCard(c: CameraView, names: Names, urls: string[]): HTMLElement {
  const state = stateOf(c)
  const img = h('div', { class: 'cam-shot' }, t('camNoSnapshot'))
  if (c.lastSnapshot) {
    const shot = c.lastSnapshot
    void authorized(shot.url)
      .then(async (res) => {
        if (!res.ok) return
        const url = URL.createObjectURL(await res.blob())
        urls.push(url)
        mount(img, h('img', { src: url, alt: `${c.name ?? c.id} ${time(shot.ts)}` }))
      })
      .catch(() => {})
  }
  return h(
    'article',
    { class: `cam-card ${state}`, 'data-camera': c.id, 'data-state': state },
    h('h3', {}, c.name ?? c.id, h('small', { translate: 'no' }, c.id)),
    h(
      'p',
      { class: `cam-state ${state}` },
      t(state === 'unknown' ? 'camUnknown' : state === 'online' ? 'camOnline' : 'camOffline'),
      c.since ? ` · ${t('camSince')} ${time(c.since)}` : '',
    ),
    h(
      'dl',
      {},
      h('dt', {}, t('enterprise')),
      h('dd', {}, names.enterprise(c.enterprise)),
      h('dt', {}, t('camArea')),
      h('dd', {}, c.area || '—'),
      h('dt', {}, t('camEdge')),
      h('dd', {}, c.edge, c.edgeOnline ? '' : h('small', { class: 'warn' }, ` ${t('camEdgeDown')}`)),
      c.driver ? h('dt', {}, t('drivers')) : null,
      c.driver
        ? h(
            'dd',
            {},
            driverStateName(c.driver.state),
            c.driver.lastError ? h('small', { translate: 'no' }, ` ${c.driver.lastError}`) : '',
          )
        : null,
    ),
    img,
    h('p', { class: 'cam-shot-at' }, `${t('camLastSnapshot')}: ${c.lastSnapshot ? time(c.lastSnapshot.ts) : '—'}`),
    h(
      'button',
      {
        type: 'button',
        class: 'cam-live-open',
        'data-testid': 'live-open',
        onclick: () => void openLiveView(c),
      },
      t('liveOpen'),
    ),
  )
}
