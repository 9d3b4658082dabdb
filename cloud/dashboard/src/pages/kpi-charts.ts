import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { h } from '../dom.ts'
import { time } from '../format.ts'
import { currentLang, t } from '../i18n.ts'
import { axisTime } from './trend-chart.ts'
import type { ParkKpiView } from './kpi-types.ts'

/**
 * The KPI page's charts (uPlot): the daily figures as lines with points, and alarms per hour as
 * bars with the busy-hour line (> 3 alarms in an hour, 001:L3335). Time in Beijing, zh-CN dates.
 */
const zone = 'Asia/Shanghai'
const bars = uPlot.paths.bars!({ size: [0.8, 40] })

type Series = { label: string; stroke: string; data: number[]; bars?: boolean; flat?: boolean }

/** 12/06 for a day's point (the daily chart), 12/06 08:00 for an hour's. */
const dayLabel = (ms: number) =>
  new Date(ms).toLocaleDateString(currentLang() === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: zone,
    month: '2-digit',
    day: '2-digit',
  })

function chart(testid: string, xs: number[], series: Series[], label: (ms: number) => string): HTMLElement {
  const box = h('div', { class: 'chart kpi-chart', 'data-testid': testid })
  const opts: uPlot.Options = {
    width: 720,
    height: 260,
    ms: 1,
    scales: { x: { time: true } },
    axes: [{ space: 90, values: (_u, splits) => splits.map(label) }, {}],
    series: [
      { label: t('time'), value: (_u: uPlot, v: number | null) => (v == null ? '—' : time(v)) },
      ...series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: 2,
        ...(s.bars ? { paths: bars, fill: `${s.stroke}88` } : {}),
        ...(s.flat ? { dash: [6, 4], width: 1 } : {}),
        points: { show: !s.bars && !s.flat },
      })),
    ],
    tzDate: (ts: number) => uPlot.tzDate(new Date(ts), zone),
  }
  // Drawn once the box is in the page (uPlot measures its container).
  requestAnimationFrame(() => {
    const plot = new uPlot(
      { ...opts, width: Math.max(320, box.clientWidth - 16 || 720) },
      [xs, ...series.map((s) => s.data)],
      box,
    )
    Object.assign(box, { plot })
  })
  return box
}

export function dailyChart(k: ParkKpiView): HTMLElement {
  const d = k.days
  const line = (key: keyof ParkKpiView['days'][number], label: string, stroke: string) => ({
    label,
    stroke,
    data: d.map((x) => x[key] as number),
  })
  return chart(
    'kpi-daily-chart',
    d.map((x) => x.start),
    [
      line('total', t('kpiTotal'), '#1f6feb'),
      line('valid', t('valid'), '#16a085'),
      line('aClass', 'A', '#d93025'),
      line('fleeting', t('kpiFleetingCol'), '#f29900'),
      line('offline', t('kpiOfflineCol'), '#6b7785'),
      line('repeatingPoints', t('kpiRepeatingCol'), '#8e44ad'),
    ],
    dayLabel,
  )
}

export function hourlyChart(k: ParkKpiView): HTMLElement {
  return chart(
    'kpi-hourly-chart',
    k.hourly.map((x) => x.start + 1_800_000),
    [
      { label: t('kpiHourly'), stroke: '#1f6feb', data: k.hourly.map((x) => x.count), bars: true },
      { label: '> 3', stroke: '#c0392b', data: k.hourly.map(() => 3), flat: true },
    ],
    (ms) => axisTime(ms, k.to - k.from),
  )
}
