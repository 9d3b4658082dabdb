import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { codeText, t } from '../i18n.ts'
import type { EdgeView } from '../types.ts'
import { errorText } from './common.ts'

/**
 * The fleet page's per-edge parts (issue 17, 19): the config hash the edge runs against the one
 * the park expects (drift highlighted), and the buttons that ask the edge now (ping, status,
 * read a point) or push it its config; each answer is shown under the row, in the page's language.
 */
const short = (hash: string | null | undefined) => (hash ? hash.slice(0, 12) : '—')

export function configCell(e: EdgeView): HTMLElement {
  const drift = e.drift === true
  const push = e.lastPush
  return h(
    'td',
    { class: drift ? 'q-bad' : '', 'data-drift': drift ? 'true' : 'false' },
    h('span', { translate: 'no', title: e.configHash ?? '' }, short(e.configHash)),
    e.expectedConfigHash
      ? h(
          'small',
          {},
          drift ? `${t('fleetDrift')} · ${t('fleetExpected')} ${short(e.expectedConfigHash)}` : t('fleetInSync'),
        )
      : '',
    push?.error
      ? h(
          'small',
          { class: 'q-bad', 'data-last-push': push.outcome ?? '' },
          `${t('fleetLastPush')}: ${codeText(push.error.code) ?? push.error.code}`,
        )
      : '',
  )
}

interface Answer {
  ok: boolean
  outcome?: string | null
  configHash?: string | null
  error?: { code: string; message: string } | null
  result?: unknown
}

function answerText(a: Answer): string {
  if (!a.ok) return `${t('fleetFailed')}: ${a.error ? (codeText(a.error.code) ?? a.error.code) : ''}`
  const hash = a.configHash ? ` · ${t('fleetConfig')} ${short(a.configHash)}` : ''
  const result = a.result === undefined ? '' : ` · ${JSON.stringify(a.result).slice(0, 300)}`
  return `${t('fleetOk')}${a.outcome ? ` (${a.outcome})` : ''}${hash}${result}`
}

/** The last answer per edge: the table is redrawn every few seconds, the answer stays. */
const answers = new Map<string, { ok: boolean; text: string }>()

export function actionsCell(e: EdgeView): HTMLElement {
  const out = h('div', { class: 'edge-answer', 'data-answer': e.id })
  const show = (a: { ok: boolean; text: string }) => {
    answers.set(e.id, a)
    // The row may have been redrawn meanwhile: write into the one on the page.
    const target = document.querySelector(`[data-answer="${CSS.escape(e.id)}"]`) ?? out
    mount(target as HTMLElement, h('span', { class: a.ok ? 'q-good' : 'q-bad' }, a.text))
  }
  const kept = answers.get(e.id)
  if (kept) mount(out, h('span', { class: kept.ok ? 'q-good' : 'q-bad' }, kept.text))
  const run = async (send: () => Promise<Answer>) => {
    mount(out, t('fleetSending'))
    try {
      const a = await send()
      show({ ok: a.ok, text: answerText(a) })
    } catch (err) {
      show({ ok: false, text: errorText(err) })
    }
  }
  const command = (body: unknown) => () =>
    request<Answer>(`/api/v1/edges/${encodeURIComponent(e.id)}/commands`, { method: 'POST', body })
  const button = (label: string, action: string, onClick: () => void) => {
    const b = h('button', { type: 'button', 'data-action': action }, label)
    b.addEventListener('click', onClick)
    return b
  }
  return h(
    'td',
    {},
    button(t('fleetPing'), 'ping', () => void run(command({ type: 'ping' }))),
    button(t('fleetStatus'), 'status', () => void run(command({ type: 'status' }))),
    button(t('fleetRead'), 'read', () => {
      const point = window.prompt(t('fleetReadPrompt'))
      if (point) void run(command({ type: 'read', point }))
    }),
    button(t('fleetPush'), 'push', () => {
      const yaml = window.prompt(t('fleetPushPrompt'))
      if (yaml === null) return
      void run(() =>
        request<Answer>(`/api/v1/edges/${encodeURIComponent(e.id)}/config`, {
          method: 'POST',
          body: yaml.trim() === '' ? {} : { configYaml: yaml },
        }),
      )
    }),
    out,
  )
}
