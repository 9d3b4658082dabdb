import type uPlot from 'uplot'
import '../kpi.css'
import { h, mount } from '../dom.ts'
import { time } from '../format.ts'
import { fill, kindName, t } from '../i18n.ts'
import { errorText } from './common.ts'
import { MAX_PENS, download, penPicker, reasonOf, stepText } from './trend-parts.ts'
import { PEN_COLOURS, drawChart, penLabel } from './trend-chart.ts'
import { type RangeActions, rangeControls, rangeKeys } from './trend-controls.ts'
import { type Span, breaks, panRange, zoomRange } from './trend-data.ts'
import { type PenData, alarmMarks, loadPen } from './trend-load.ts'

const FOLLOW_MS = 15_000

/**
 * The multi-pen trend (issue 17): pens added and removed, any range (presets that follow now,
 * or a from/to), pan and zoom (drag on the chart, buttons, keys), gaps drawn as gaps, alarm
 * raises and recoveries marked and listed, thresholds drawn, CSV of what is shown. `onChange`
 * hears the pens and the range when it is fixed (null: following now), for the page's address.
 */
export function trendView(
  root: HTMLElement,
  initial: { pens: string[]; range?: Span },
  onChange: (pens: string[], fixed: Span | null) => void = () => {},
): () => void {
  let ids = initial.pens.slice(0, MAX_PENS)
  let follow: number | null = initial.range ? null : 3_600_000
  let range: Span = initial.range ?? { from: Date.now() - 3_600_000, to: Date.now() }
  let plot: uPlot | null = null
  let shown: PenData[] = []
  let generation = 0
  const box = h('div', { class: 'chart', 'data-testid': 'trend-chart' })
  const status = h('p', { class: 'muted', 'data-testid': 'trend-status' })
  const pensBar = h('div', { class: 'pens', 'data-testid': 'pens' })
  const events = h('ul', { class: 'trend-events', 'data-testid': 'trend-events' })
  const gapList = h('ul', { class: 'trend-gaps', 'data-testid': 'trend-gaps' })

  const load = async () => {
    const mine = ++generation
    box.setAttribute('aria-busy', 'true') // until this range is drawn or refused
    if (follow !== null) range = { from: Date.now() - follow, to: Date.now() }
    controls.show(range)
    onChange(ids, follow === null ? range : null)
    if (ids.length === 0) {
      plot?.destroy()
      plot = null
      box.setAttribute('aria-busy', 'false')
      return void mount(status, t('noPens'))
    }
    try {
      const pens = await Promise.all(ids.map((id) => loadPen(id, range)))
      if (mine !== generation) return // a newer range or pen set was asked for meanwhile
      shown = pens
      plot?.destroy()
      plot = drawChart(box, pens, range, (r) => setRange(r))
      Object.assign(box, { plot }) // for tests and support: the chart's data as drawn
      box.dataset.drawn = `${range.from}..${range.to}` // the range this chart shows
      box.setAttribute('aria-busy', 'false')
      describe(pens)
      renderPens() // the pens by name, now that their points are read
    } catch (err) {
      if (mine !== generation) return
      box.setAttribute('aria-busy', 'false')
      mount(status, h('span', { class: 'error' }, errorText(err)))
    }
  }

  const describe = (pens: PenData[]) => {
    const p = pens[0]!
    const count = (keep: (v: number | null) => boolean) =>
      pens.reduce((n, x) => n + x.xy.filter(([, v]) => keep(v)).length, 0)
    const gaps = pens.flatMap((x) => x.gaps.map((g) => ({ g, pen: x })))
    mount(
      status,
      p.mode === 'raw'
        ? fill(t('modeRaw'), { n: count((v) => v !== null) })
        : fill(t('modeBuckets'), { step: stepText(p.step ?? 0) }),
      ' · ',
      fill(t('trendGaps'), { n: pens.reduce((n, x) => n + breaks(x.xy), 0) }),
      ' · ',
      t('zoomHelp'),
    )
    mount(
      events,
      ...alarmMarks(pens, range).map((m) =>
        h(
          'li',
          { 'data-mark': m.type, class: m.type },
          `${time(m.at)} · ${t(m.type === 'raise' ? 'eventRaise' : 'eventRecover')} · ${m.alarm.pointName ?? m.alarm.point} · ${kindName(m.alarm.kind)}`,
        ),
      ),
    )
    mount(
      gapList,
      ...gaps.map(({ g, pen }) =>
        h('li', { 'data-gap': g.from }, `${penLabel(pen)} · ${time(g.from)} – ${time(g.to)}${reasonOf(g)}`),
      ),
    )
  }

  const setRange = (r: Span) => {
    follow = null
    range = r
    void load()
  }
  const actions: RangeActions = {
    preset: (ms) => {
      follow = ms
      void load()
    },
    custom: setRange,
    pan: (share) => setRange(panRange(range, share)),
    zoom: (factor) => setRange(zoomRange(range, factor)),
    reset: () => actions.preset(follow ?? initialSpan),
    csv: () => download(shown, plot),
    error: (text) => mount(status, h('span', { class: 'error' }, text)),
  }
  const initialSpan = initial.range ? initial.range.to - initial.range.from : 3_600_000
  const controls = rangeControls(actions)
  const picker = penPicker(
    () => ids,
    (next) => {
      ids = next
      renderPens()
      void load()
    },
  )
  const penChip = (id: string, i: number) => {
    const chip = h(
      'span',
      { class: 'pen', 'data-pen': id },
      h('span', { translate: 'no' }, shown.find((p) => p.point.id === id)?.point.name ?? id),
      h(
        'button',
        { type: 'button', title: t('penRemove'), onclick: () => picker.set(ids.filter((x) => x !== id)) },
        '×',
      ),
    )
    chip.style.borderColor = PEN_COLOURS[i % PEN_COLOURS.length]! // CSSOM: no inline style attribute under the CSP
    return chip
  }
  const renderPens = () => mount(pensBar, ...ids.map(penChip), picker.el)
  mount(
    root,
    controls.el,
    pensBar,
    box,
    status,
    h('h2', {}, t('trendEvents')),
    events,
    h('h2', {}, t('complGaps')),
    gapList,
  )
  renderPens()
  void load()
  const unkey = rangeKeys(actions)
  const timer = setInterval(() => follow !== null && void load(), FOLLOW_MS)
  return () => {
    generation++
    unkey()
    clearInterval(timer)
    plot?.destroy()
  }
}
