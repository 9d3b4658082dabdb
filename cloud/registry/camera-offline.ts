import type { CameraRecord, CameraStatusEvent } from '../store/store.ts'

/**
 * 设备离线管理 (001:L4541): per enterprise, its cameras' total, how many are offline now, the
 * offline rate, the list of offline cameras with when each went offline and how long this
 * episode has lasted, and — over a period — how many times cameras went offline and for how
 * long in total. Computed from the online/offline transitions the edges reported (a camera's
 * state before its first report in the period is its last report before the period; one never
 * reported is counted as online, its state unknown).
 */
export interface EnterpriseOffline {
  enterprise: string | null
  total: number
  offlineNow: number
  /** offlineNow / total; null without cameras. */
  offlineRate: number | null
  offline: Array<{ camera: string; name: string | null; area: string; since: number | null; forMs: number | null }>
  /** Over [from, to): transitions to offline, and the summed offline time of all its cameras. */
  period: { episodes: number; offlineMs: number }
}

interface Period {
  from: number
  to: number
}

/** One camera's offline time and episodes in the period, from its transitions (oldest first). */
export function offlineIn(events: readonly CameraStatusEvent[], p: Period): { episodes: number; offlineMs: number } {
  let episodes = 0
  let offlineMs = 0
  let downSince: number | null = null
  for (const e of events) {
    const at = Math.min(Math.max(e.ts, p.from), p.to)
    if (!e.online && downSince === null) {
      downSince = at
      if (e.ts >= p.from) episodes++
    } else if (e.online && downSince !== null) {
      offlineMs += at - downSince
      downSince = null
    }
  }
  if (downSince !== null) offlineMs += p.to - downSince
  return { episodes, offlineMs }
}

export function offlineByEnterprise(
  cameras: readonly CameraRecord[],
  history: readonly CameraStatusEvent[],
  p: Period,
  now: number,
): EnterpriseOffline[] {
  const byCamera = new Map<string, CameraStatusEvent[]>()
  for (const e of history) byCamera.set(e.camera, [...(byCamera.get(e.camera) ?? []), e])
  const out = new Map<string | null, EnterpriseOffline>()
  for (const cam of cameras) {
    const row = out.get(cam.enterprise) ?? {
      enterprise: cam.enterprise,
      total: 0,
      offlineNow: 0,
      offlineRate: null,
      offline: [],
      period: { episodes: 0, offlineMs: 0 },
    }
    row.total++
    if (cam.online === false) {
      row.offlineNow++
      row.offline.push({
        camera: cam.id,
        name: cam.name,
        area: cam.area,
        since: cam.since,
        forMs: cam.since === null ? null : Math.max(0, now - cam.since),
      })
    }
    const spent = offlineIn(byCamera.get(cam.id) ?? [], p)
    row.period.episodes += spent.episodes
    row.period.offlineMs += spent.offlineMs
    out.set(cam.enterprise, row)
  }
  return [...out.values()]
    .map((r) => ({ ...r, offlineRate: r.total === 0 ? null : r.offlineNow / r.total }))
    .sort((a, b) => b.offlineNow - a.offlineNow || (a.enterprise ?? '').localeCompare(b.enterprise ?? ''))
}
