import { h } from '../dom.ts'
import { t } from '../i18n.ts'
import { type Span, localInput, fromInput } from './trend-data.ts'

/**
 * The trend's range controls: presets (1 h … 30 days, following now), a from/to in Beijing time,
 * pan and zoom buttons, reset and CSV export. Each control calls back; the view owns the state.
 */
export const PRESETS: ReadonlyArray<[key: Parameters<typeof t>[0], ms: number]> = [
  ['hours1', 3_600_000],
  ['hours6', 6 * 3_600_000],
  ['hours24', 86_400_000],
  ['days7', 7 * 86_400_000],
  ['days30', 30 * 86_400_000],
]

export interface RangeActions {
  preset(ms: number): void
  custom(r: Span): void
  pan(share: number): void
  zoom(factor: number): void
  reset(): void
  csv(): void
  error(text: string): void
}

export function rangeControls(a: RangeActions): { el: HTMLElement; show(r: Span): void } {
  const field = (name: string) =>
    h('input', { name, size: 16, placeholder: localInput(Date.now()), inputmode: 'numeric' })
  const from = field('from')
  const to = field('to')
  const button = (label: string, onclick: () => void, testid: string) =>
    h('button', { type: 'button', onclick, 'data-testid': testid }, label)
  const el = h(
    'div',
    { class: 'toolbar trend-toolbar' },
    ...PRESETS.map(([key, ms]) => button(t(key), () => a.preset(ms), `preset-${ms}`)),
    h('label', {}, `${t('rangeFrom')} `, from),
    h('label', {}, `${t('rangeTo')} `, to),
    button(
      t('rangeApply'),
      () => {
        const r = { from: fromInput(from.value), to: fromInput(to.value) }
        if (!(r.from < r.to)) return a.error(t('badRange'))
        a.custom(r)
      },
      'range-apply',
    ),
    button(t('panLeft'), () => a.pan(-0.5), 'pan-left'),
    button(t('panRight'), () => a.pan(0.5), 'pan-right'),
    button(t('zoomIn'), () => a.zoom(0.5), 'zoom-in'),
    button(t('zoomOut'), () => a.zoom(2), 'zoom-out'),
    button(t('zoomReset'), a.reset, 'zoom-reset'),
    button(t('exportCsv'), a.csv, 'trend-csv'),
  )
  return {
    el,
    show: (r) => {
      from.value = localInput(r.from)
      to.value = localInput(r.to)
    },
  }
}

/** Keys while the trend is open (not while typing in a field): ←/→ pan, +/− zoom, 0 reset. */
export function rangeKeys(a: Pick<RangeActions, 'pan' | 'zoom' | 'reset'>): () => void {
  const onKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement | null)?.closest?.('input,select,textarea')) return
    const act: Record<string, () => void> = {
      ArrowLeft: () => a.pan(-0.5),
      ArrowRight: () => a.pan(0.5),
      '+': () => a.zoom(0.5),
      '=': () => a.zoom(0.5),
      '-': () => a.zoom(2),
      '0': a.reset,
    }
    const fn = act[e.key]
    if (fn) {
      e.preventDefault()
      fn()
    }
  }
  document.addEventListener('keydown', onKey)
  return () => document.removeEventListener('keydown', onKey)
}
