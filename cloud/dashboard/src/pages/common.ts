import { ApiError } from '../api.ts'
import { h } from '../dom.ts'
import { codeText, currentLang, kindName, t } from '../i18n.ts'
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

/**
 * An error in the operator's language. Every server code has a text (texts.ts); on zh-CN screens
 * the server's English message is never shown (the code stays, for support); in English it
 * follows the text. A failure without an answer (network down) says so.
 */
export function errorText(err: unknown): string {
  const en = currentLang() === 'en'
  if (err instanceof ApiError) {
    if (err.status === 403) return t('forbidden')
    if (err.status === 404) return t('notFound')
    const known =
      codeText(err.code, err.retryAfterS) ?? (err.code.startsWith('HTTP_') ? codeText('HTTP', err.status) : null)
    if (known !== null)
      return `${t('error')}: ${known}${en ? ` (${err.message}${err.hint ? `; ${err.hint}` : ''})` : ''}`
    return en ? `${t('error')}: ${err.message}${err.hint ? ` (${err.hint})` : ''}` : `${t('error')}: ${err.code}`
  }
  return `${t('error')}: ${t('netError')}`
}

/** A batch outcome's refusal code (cloud/store/store.ts AlarmActOutcome) in the operator's language. */
export const outcomeText = (code: string | undefined, message: string | undefined): string =>
  codeText(code ?? 'BAD_REQUEST') ?? (currentLang() === 'en' ? (message ?? code ?? '') : (code ?? ''))

/** Value against limit for measured kinds; a video code (RYRQ, YW …) or a switch has none worth showing. */
export const MEASURED = new Set(['HH', 'H', 'L', 'LL', 'ROC', 'STALE', 'OFFLINE', 'CLOCK'])

export function alarmCard(a: AlarmView): HTMLElement {
  return h(
    'a',
    {
      class: `card p-${a.priority}${a.overdue ? ' overdue' : ''}`,
      href: `#/alarms/${a.id}`,
      'data-alarm': a.id,
      'data-testid': `alarm-${a.id}`,
    },
    h('span', { class: 'prio' }, a.priority),
    h(
      'span',
      { class: 'what' },
      h('b', {}, a.pointName ?? a.point),
      h(
        'small',
        {},
        `${a.point} · ${kindName(a.kind)}${MEASURED.has(a.kind) ? ` · ${value(a.value)} / ${value(a.limit)}` : ''}`,
      ),
      h(
        'small',
        {},
        `${t('raisedAt')} ${time(a.raisedAt)}${a.recoveredAt ? ` · ${t('recovered')} ${time(a.recoveredAt)}` : ''}`,
      ),
      // A latched chattering alarm is one card with its count (ISA-18.2 §16.6).
      a.repeats
        ? h(
            'small',
            { class: 'repeats', 'data-testid': `repeats-${a.id}` },
            t('repeats').replace('{n}', String(a.repeats)),
          )
        : null,
    ),
    h(
      'span',
      { class: 'flags' },
      a.overdue ? h('em', { class: 'overdue' }, t('overdue')) : null,
      a.disposal.ack ? h('em', {}, t('ack')) : null,
      a.state === 'active' ? h('em', { class: 'active' }, t('active')) : h('em', {}, t('recovered')),
    ),
  )
}
