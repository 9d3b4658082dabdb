import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { fill, t } from '../i18n.ts'
import { time, value } from '../format.ts'
import type { PointView } from '../types.ts'
import { errorText, poll } from './common.ts'
import { idsOnly, loadNames } from './names.ts'
import { limitsText } from './points.ts'

interface History {
  samples: Array<{ ts: number; value: number | boolean | string | null; quality: string }>
  truncated: boolean
}

/** 08:49 in Beijing time, for the axis. */
const hm = (s: number) =>
  new Date(s * 1000).toLocaleTimeString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
  })

const LIMIT_COLORS = { hh: '#c0392b', h: '#e67e22', l: '#e67e22', ll: '#c0392b' } as const

/** One point's trend with its thresholds drawn (HH/H/L/LL), refreshed every 5 s. */
export function trendPage(root: HTMLElement, id: string | undefined): () => void {
  const pointId = id ?? ''
  let hours = 1
  const head = h('div', { class: 'trend-head' }, t('loading'))
  const chartBox = h('div', { class: 'chart', 'data-testid': 'chart' })
  const note = h('p', { class: 'muted' })
  const ranges = h(
    'div',
    { class: 'toolbar' },
    ...([1, 6, 24] as const).map((n) =>
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            hours = n
            void refresh()
          },
        },
        t(n === 1 ? 'hours1' : n === 6 ? 'hours6' : 'hours24'),
      ),
    ),
  )
  mount(root, head, ranges, chartBox, note)
  let plot: uPlot | null = null
  let names = idsOnly
  void loadNames().then((n) => (names = n))

  const refresh = async () => {
    const point = await request<PointView>(`/api/v1/points/${encodeURIComponent(pointId)}`)
    const to = Date.now()
    const history = await request<History>(
      `/api/v1/points/${encodeURIComponent(pointId)}/history?from=${to - hours * 3_600_000}&to=${to}&limit=10000`,
    )
    mount(
      head,
      h('h1', {}, point.name ?? point.id),
      h(
        'p',
        {},
        `${point.id} · ${t('enterprise')} ${names.enterprise(point.enterprise)} · ${t('limits')} ${limitsText(point)}${point.range ? ` · ${t('range')} ${point.range.low}–${point.range.high}` : ''}`,
      ),
      h(
        'p',
        { class: 'big', 'data-testid': 'latest' },
        value(point.latest?.value, point.unit),
        h('small', {}, ` ${point.latest ? `${t(point.latest.quality)} · ${time(point.latest.ts)}` : ''}`),
      ),
    )
    const numeric = history.samples.filter(
      (s) => s.quality !== 'bad' && (typeof s.value === 'number' || typeof s.value === 'boolean'),
    )
    note.textContent =
      numeric.length === 0
        ? t('noData')
        : history.truncated
          ? fill(t('truncated'), { n: numeric.length })
          : `${numeric.length} ${t('samples')}`
    const xs = numeric.map((s) => s.ts / 1000)
    const ys = numeric.map((s) => Number(s.value))
    const limits = (['hh', 'h', 'l', 'll'] as const).filter((k) => typeof point.limits?.[k] === 'number')
    const data: uPlot.AlignedData = [xs, ys, ...limits.map((k) => xs.map(() => point.limits![k] as number))]
    const width = Math.max(320, chartBox.clientWidth || root.clientWidth - 32)
    if (plot && plot.series.length === data.length) {
      plot.setData(data)
      return
    }
    plot?.destroy()
    plot = new uPlot(
      {
        width,
        height: 360,
        scales: { x: { time: true } },
        // The time axis in Beijing time, 24 h, and its legend label in the operator's language.
        axes: [{ values: (_u: uPlot, splits: number[]) => splits.map((s) => hm(s)) }, {}],
        series: [
          { label: t('time'), value: (_u: uPlot, v: number | null) => (v === null ? '—' : time(v * 1000)) },
          { label: `${point.name ?? point.id}${point.unit ? ` (${point.unit})` : ''}`, stroke: '#1f6feb', width: 2 },
          ...limits.map((k) => ({
            label: k.toUpperCase(),
            stroke: LIMIT_COLORS[k],
            dash: [6, 4],
            width: 1,
            points: { show: false },
          })),
        ],
        // The park reads Beijing time whatever the browser's zone.
        tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Asia/Shanghai'),
      },
      data,
      chartBox,
    )
  }
  const stop = poll(refresh, 5_000, (err) => mount(head, h('p', { class: 'error' }, errorText(err))))
  return () => {
    stop()
    plot?.destroy()
  }
}
