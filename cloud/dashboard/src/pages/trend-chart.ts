import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { time, value } from '../format.ts'
import { currentLang, t } from '../i18n.ts'
import { alignPens, type Span } from './trend-data.ts'
import { type PenData, alarmMarks } from './trend-load.ts'

/**
 * The multi-pen chart (uPlot): one series per pen, a y scale per unit, the thresholds (HH/H/L/LL)
 * drawn as dashed lines in the pen's colour, alarm raises (red) and recoveries (green) as
 * vertical lines, the time axis in Beijing time, 24 h, dates in zh-CN. Drag on the plot selects
 * a range: `onSelect` gets it (the page reloads it, so zooming in reads finer data).
 */
export const PEN_COLOURS = ['#1f6feb', '#8e44ad', '#16a085', '#d35400', '#2c3e50', '#c71585', '#7f8c00', '#0097a7']
const LIMIT_DASH = { hh: [8, 3], h: [4, 4], l: [4, 4], ll: [8, 3] } as const
const LIMITS = ['hh', 'h', 'l', 'll'] as const

const zone = 'Asia/Shanghai'
const locale = () => (currentLang() === 'en' ? 'en-GB' : 'zh-CN')
/** 08:49, or 12-06 08:49 when the range is longer than a day (never `8:49am`). */
export function axisTime(ms: number, spanMs: number): string {
  const o: Intl.DateTimeFormatOptions = { timeZone: zone, hour12: false, hour: '2-digit', minute: '2-digit' }
  if (spanMs > 86_400_000) Object.assign(o, { month: '2-digit', day: '2-digit' })
  return new Date(ms).toLocaleString(locale(), o)
}

export const penLabel = (p: PenData) => `${p.point.name ?? p.point.id}${p.point.unit ? ` (${p.point.unit})` : ''}`
const scaleOf = (p: PenData) => `u:${p.point.unit || '-'}`

function drawLimits(u: uPlot, pens: readonly PenData[]): void {
  const ctx = u.ctx
  const { left, width } = u.bbox
  pens.forEach((p, i) => {
    for (const k of LIMITS) {
      const v = p.point.limits?.[k]
      if (typeof v !== 'number') continue
      const y = u.valToPos(v, scaleOf(p), true)
      ctx.save()
      ctx.strokeStyle = PEN_COLOURS[i % PEN_COLOURS.length]!
      ctx.setLineDash([...LIMIT_DASH[k]].map((d) => d * devicePixelRatio))
      ctx.lineWidth = devicePixelRatio
      ctx.beginPath()
      ctx.moveTo(left, y)
      ctx.lineTo(left + width, y)
      ctx.stroke()
      ctx.fillStyle = ctx.strokeStyle
      ctx.font = `${11 * devicePixelRatio}px sans-serif`
      ctx.fillText(k.toUpperCase(), left + width - 28 * devicePixelRatio, y - 3 * devicePixelRatio)
      ctx.restore()
    }
  })
}

function drawMarks(u: uPlot, pens: readonly PenData[], r: Span): void {
  const ctx = u.ctx
  const { top, height } = u.bbox
  for (const m of alarmMarks(pens, r)) {
    const x = u.valToPos(m.at, 'x', true)
    ctx.save()
    ctx.strokeStyle = m.type === 'raise' ? '#c0392b' : '#27ae60'
    ctx.lineWidth = 2 * devicePixelRatio
    if (m.type === 'recover') ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio])
    ctx.beginPath()
    ctx.moveTo(x, top)
    ctx.lineTo(x, top + height)
    ctx.stroke()
    ctx.restore()
  }
}

/** The y range of a unit's scale: its data and its pens' thresholds, so the limits are in view. */
function yRange(pens: readonly PenData[], key: string) {
  return (_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax => {
    const limits = pens
      .filter((p) => scaleOf(p) === key)
      .flatMap((p) => LIMITS.map((k) => p.point.limits?.[k]).filter((v): v is number => typeof v === 'number'))
    const all = [...(min === null ? [] : [min]), ...(max === null ? [] : [max]), ...limits]
    if (all.length === 0) return [0, 1]
    const lo = Math.min(...all)
    const hi = Math.max(...all)
    const pad = (hi - lo || Math.abs(hi) || 1) * 0.05
    return [lo - pad, hi + pad]
  }
}

export function drawChart(box: HTMLElement, pens: readonly PenData[], r: Span, onSelect: (r: Span) => void): uPlot {
  const data = alignPens(pens.map((p) => p.xy)) as unknown as uPlot.AlignedData
  const units = [...new Set(pens.map(scaleOf))]
  const span = r.to - r.from
  const opts: uPlot.Options = {
    width: Math.max(320, box.clientWidth || 900),
    height: 400,
    ms: 1,
    cursor: { drag: { x: true, y: false, setScale: false } },
    scales: {
      x: { time: true, range: () => [r.from, r.to] },
      ...Object.fromEntries(units.map((k) => [k, { range: yRange(pens, k) }])),
    },
    axes: [
      { values: (_u, splits) => splits.map((s) => axisTime(s, span)) },
      ...units.map((k, i) => ({ scale: k, side: i % 2 === 0 ? 3 : 1, grid: { show: i === 0 }, label: k.slice(2) })),
    ] as uPlot.Axis[],
    series: [
      { label: t('time'), value: (_u: uPlot, v: number | null) => (v == null ? '—' : time(v)) },
      ...pens.map((p, i) => ({
        label: penLabel(p),
        scale: scaleOf(p),
        stroke: PEN_COLOURS[i % PEN_COLOURS.length]!,
        width: 2,
        spanGaps: false,
        value: (_u: uPlot, v: number | null) => (v == null ? '—' : value(v, p.point.unit)),
      })),
    ],
    hooks: {
      draw: [(u) => (drawLimits(u, pens), drawMarks(u, pens, r))],
      setSelect: [
        (u) => {
          if (u.select.width < 4) return
          const from = Math.round(u.posToVal(u.select.left, 'x'))
          const to = Math.round(u.posToVal(u.select.left + u.select.width, 'x'))
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false)
          onSelect({ from, to })
        },
      ],
    },
    tzDate: (ts: number) => uPlot.tzDate(new Date(ts), zone),
  }
  return new uPlot(opts, data, box)
}
