import { h } from '../dom.ts'
import { t } from '../i18n.ts'
import type { Span } from './trend-data.ts'

/**
 * A period of whole days in Beijing time (the KPI and completeness pages): from a first to a last
 * day, inclusive, with presets (today, 7 days, 30 days). A period reaching past now ends now.
 */
const DAY = 86_400_000
const BEIJING = 8 * 3_600_000

export const dayInput = (ms: number) => new Date(ms + BEIJING).toISOString().slice(0, 10)
const dayStart = (text: string) => Date.parse(`${text}T00:00:00+08:00`)

/** The period from the first day's midnight to the end of the last day (or now). */
export function periodOf(first: string, last: string, now = Date.now()): Span | null {
  const from = dayStart(first)
  const to = Math.min(now, dayStart(last) + DAY)
  return Number.isFinite(from) && Number.isFinite(to) && from < to ? { from, to } : null
}

export function periodPicker(days: number, onChange: (r: Span) => void, onError: (text: string) => void) {
  const first = h('input', { type: 'date', name: 'first', value: dayInput(Date.now() - (days - 1) * DAY) })
  const last = h('input', { type: 'date', name: 'last', value: dayInput(Date.now()) })
  const apply = () => {
    const r = periodOf(first.value, last.value)
    if (r) onChange(r)
    else onError(t('badRange'))
  }
  const preset = (n: number, key: Parameters<typeof t>[0]) =>
    h(
      'button',
      {
        type: 'button',
        'data-days': n,
        onclick: () => {
          first.value = dayInput(Date.now() - (n - 1) * DAY)
          last.value = dayInput(Date.now())
          apply()
        },
      },
      t(key),
    )
  const el = h(
    'div',
    { class: 'filters', 'data-testid': 'period' },
    h('label', {}, t('rangeFrom'), first),
    h('label', {}, t('rangeTo'), last),
    h('button', { type: 'button', onclick: apply, 'data-testid': 'period-apply' }, t('rangeApply')),
    preset(1, 'today'),
    preset(7, 'days7'),
    preset(30, 'days30'),
  )
  return { el, current: () => periodOf(first.value, last.value) }
}
