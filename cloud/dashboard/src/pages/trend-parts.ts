import type uPlot from 'uplot'
import { request } from '../api.ts'
import { h } from '../dom.ts'
import { time } from '../format.ts'
import { fill, t } from '../i18n.ts'
import type { PointView } from '../types.ts'
import { penLabel } from './trend-chart.ts'
import { type Span, trendCsv } from './trend-data.ts'
import type { PenData } from './trend-load.ts'

/** Parts of the multi-pen trend (pages/trend-view.ts): the pen picker, CSV download and texts. */
export const MAX_PENS = 8

export const reasonOf = (g: Span & { reason?: string }) =>
  g.reason ? ` · ${t(`gap_${g.reason}` as Parameters<typeof t>[0]) ?? g.reason}` : ''

/** 5 min, 2 h, 1 d … for the bucket width. */
export function stepText(ms: number): string {
  if (ms >= 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000} d`
  if (ms >= 3_600_000) return `${Math.round((ms / 3_600_000) * 10) / 10} h`
  if (ms >= 60_000) return `${Math.round((ms / 60_000) * 10) / 10} min`
  return `${Math.round(ms / 1000)} s`
}

/** A select of the points in scope and an add button. */
export function penPicker(current: () => string[], set: (ids: string[]) => void) {
  const select = h('select', { name: 'pen', 'data-testid': 'pen-choose' }, h('option', { value: '' }, t('penChoose')))
  void request<PointView[]>('/api/v1/points').then((points) =>
    select.append(...points.map((p) => h('option', { value: p.id }, `${p.name ?? p.id} · ${p.id}`))),
  )
  const add = () => {
    const id = select.value
    if (!id || current().includes(id)) return
    if (current().length >= MAX_PENS)
      return void (select.setCustomValidity(fill(t('penMax'), { n: MAX_PENS })), select.reportValidity())
    select.setCustomValidity('')
    set([...current(), id])
  }
  const el = h(
    'span',
    { class: 'pen-add' },
    select,
    h('button', { type: 'button', onclick: add, 'data-testid': 'pen-add' }, t('penAdd')),
  )
  return { el, set }
}

/** The CSV of what the chart shows: the pens' values inside the current x range. */
export function download(pens: PenData[], plot: uPlot | null): void {
  if (!plot || pens.length === 0) return
  const csv = trendCsv(pens.map(penLabel), plot.data as unknown as number[][], time)
  const a = h('a', {
    href: URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' })),
    download: `trend-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '')}.csv`,
  })
  document.body.append(a)
  a.click()
  a.remove()
}
