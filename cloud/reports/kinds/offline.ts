import { formatDuration } from '../period.ts'
import type { Cell } from '../document.ts'
import { enterpriseLabel, type KindBuilder } from './context.ts'

/**
 * Daily offline points (001:L7625 "数据及视频点位掉线情况": enterprise, how many, which points,
 * why). From the comm-loss alarms (STALE points, OFFLINE edges and cameras, cloud/alarms/comm-loss.ts)
 * overlapping the period: since when, until when, how long inside the period.
 */
export const offlinePoints: KindBuilder = async ({ store, range, t, local }) => {
  const [episodes, enterprises] = await Promise.all([store.reports.offlineEpisodes(range), store.reports.enterprises()])
  const names = new Map(enterprises.map((e) => [e.id, e.name]))
  const inPeriod = (a: { raisedAt: number; recoveredAt: number | null }) =>
    Math.min(a.recoveredAt ?? range.to, range.to) - Math.max(a.raisedAt, range.from)
  const detail: Cell[][] = episodes.map((a) => [
    enterpriseLabel(names, a.enterprise),
    a.point,
    a.pointName ?? '',
    a.kind,
    local(a.raisedAt),
    a.recoveredAt === null || a.recoveredAt >= range.to ? t('stillOffline') : local(a.recoveredAt),
    formatDuration(inPeriod(a)),
    a.disposal.feedback?.cause ?? a.disposal.triage?.note ?? '',
  ])
  const perEnterprise = new Map<string, { points: Set<string>; episodes: number; ms: number }>()
  for (const a of episodes) {
    const key = a.enterprise ?? '—'
    const e = perEnterprise.get(key) ?? { points: new Set(), episodes: 0, ms: 0 }
    e.points.add(a.point)
    e.episodes++
    e.ms += inPeriod(a)
    perEnterprise.set(key, e)
  }
  const registered = new Map(enterprises.map((e) => [e.id, e.points]))
  const rows = [...perEnterprise].sort(([a], [b]) => a.localeCompare(b))
  return {
    empty: episodes.length === 0,
    sections: [
      {
        type: 'table',
        heading: t('offlineByEnterprise'),
        columns: [
          { label: t('enterpriseName'), width: 2 },
          { label: t('points'), numeric: true },
          { label: t('offlinePoints'), numeric: true },
          { label: t('offlineEpisodes'), numeric: true },
          { label: t('duration'), width: 1.2 },
        ],
        rows: rows.map(([id, e]) => [
          enterpriseLabel(names, id === '—' ? null : id),
          registered.get(id) ?? null,
          e.points.size,
          e.episodes,
          formatDuration(e.ms),
        ]),
      },
      {
        type: 'bars',
        heading: t('offlineChart'),
        bars: rows.map(([id, e]) => ({ label: names.get(id) ?? id, value: e.points.size })),
      },
      {
        type: 'table',
        heading: t('offlineDetail'),
        columns: [
          { label: t('enterprise'), width: 1.6 },
          { label: t('point'), width: 1.4 },
          { label: t('pointName'), width: 1.4 },
          { label: t('kind'), width: 0.8 },
          { label: t('since'), width: 1.3 },
          { label: t('until'), width: 1.3 },
          { label: t('duration') },
          { label: t('cause'), width: 1.2 },
        ],
        rows: detail,
      },
    ],
  }
}
