import { ApiError } from '../api.ts'
import { h } from '../dom.ts'
import { codeText, kindName, t } from '../i18n.ts'
import type { AlarmView } from '../types.ts'
import { time, value } from '../format.ts'

/** Polls `load` every `ms` while the page is open; an error shows on the page and polling goes on. */
export function poll(load: () => Promise<void>, ms: number, onError: (err: unknown) => void): () => void {
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const tick = async () => {
    try {
      await load()
    } catch (err) {
      onError(err)
    }
    if (!stopped) timer = setTimeout(tick, ms)
  }
  void tick()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return t('forbidden')
    if (err.status === 404) return t('notFound')
    const known = codeText(err.code, err.retryAfterS)
    if (known !== null) return `${t('error')}: ${known}`
    return `${t('error')}: ${err.message}${err.hint ? ` (${err.hint})` : ''}`
  }
  return `${t('error')}: ${err instanceof Error ? err.message : String(err)}`
}

/** Value against limit for measured kinds; a video code (RYRQ, YW …) or a switch has none worth showing. */
export const MEASURED = new Set(['HH', 'H', 'L', 'LL', 'ROC', 'STALE', 'OFFLINE', 'CLOCK'])

export function alarmCard(a: AlarmView): HTMLElement {
  return h('a', { class: `card p-${a.priority}${a.overdue ? ' overdue' : ''}`, href: `#/alarms/${a.id}`, 'data-alarm': a.id, 'data-testid': `alarm-${a.id}` },
    h('span', { class: 'prio' }, a.priority),
    h('span', { class: 'what' },
      h('b', {}, a.pointName ?? a.point),
      h('small', {}, `${a.point} · ${kindName(a.kind)}${MEASURED.has(a.kind) ? ` · ${value(a.value)} / ${value(a.limit)}` : ''}`),
      h('small', {}, `${t('raisedAt')} ${time(a.raisedAt)}${a.recoveredAt ? ` · ${t('recovered')} ${time(a.recoveredAt)}` : ''}`),
      // A latched chattering alarm is one card with its count (ISA-18.2 §16.6).
      a.repeats ? h('small', { class: 'repeats', 'data-testid': `repeats-${a.id}` }, t('repeats').replace('{n}', String(a.repeats))) : null,
    ),
    h('span', { class: 'flags' },
      a.overdue ? h('em', { class: 'overdue' }, t('overdue')) : null,
      a.disposal.ack ? h('em', {}, t('ack')) : null,
      a.state === 'active' ? h('em', { class: 'active' }, t('active')) : h('em', {}, t('recovered')),
    ),
  )
}
