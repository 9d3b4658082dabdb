import { completeness } from '../../telemetry/completeness.ts'
import { figures } from '../document.ts'
import { enterpriseLabel, type KindBuilder } from './context.ts'

/**
 * Data completeness per enterprise (brief §3: every point at least every `intervalS`, ≥ 90 % of
 * enterprises connected): the share of expected intervals with a good sample, per enterprise,
 * for the park, and the least complete points (cloud/telemetry/completeness.ts).
 */
export const completenessReport: KindBuilder = async ({ store, range, t, def }) => {
  const step = def.intervalS * 1000
  const [rows, enterprises] = await Promise.all([
    store.completenessIntervals({ ...range, step }, 'all'),
    store.reports.enterprises(),
  ])
  const report = completeness(rows, { ...range, step })
  const names = new Map(enterprises.map((e) => [e.id, e.name]))
  const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10)
  const lowest = [...report.points]
    .sort((a, b) => a.completeness - b.completeness || a.id.localeCompare(b.id))
    .slice(0, def.top)
  return {
    empty: rows.every((r) => r.received === 0),
    sections: [
      figures(
        t('park'),
        [t('item'), t('value')],
        [
          [t('points'), report.park.points],
          [`${t('completeness')} %`, pct(report.park.completeness)],
          [t('enterprise'), report.park.enterprises],
          [t('connected'), report.park.connected],
          [`${t('interval')} (s)`, def.intervalS],
          [t('expected'), report.expected],
        ],
      ),
      {
        type: 'table',
        heading: t('completenessByEnterprise'),
        columns: [
          { label: t('enterpriseName'), width: 2 },
          { label: t('points'), numeric: true },
          { label: `${t('completeness')} %`, numeric: true },
          { label: t('connected') },
        ],
        rows: report.enterprises.map((e) => [
          enterpriseLabel(names, e.id),
          e.points,
          pct(e.completeness),
          e.connected ? t('yes') : t('no'),
        ]),
      },
      {
        type: 'bars',
        heading: t('completenessChart'),
        bars: report.enterprises.map((e) => ({ label: names.get(e.id) ?? e.id, value: pct(e.completeness) ?? 0 })),
      },
      {
        type: 'table',
        heading: t('lowestPoints'),
        columns: [
          { label: t('point'), width: 1.4 },
          { label: t('enterprise'), width: 1.8 },
          { label: t('received'), numeric: true },
          { label: `${t('completeness')} %`, numeric: true },
        ],
        rows: lowest.map((p) => [p.id, enterpriseLabel(names, p.enterprise), p.received, pct(p.completeness)]),
      },
    ],
  }
}
