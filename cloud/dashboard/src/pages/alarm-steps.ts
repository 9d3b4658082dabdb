import '../alarm.css'
import { currentUser } from '../api.ts'
import { h } from '../dom.ts'
import { t } from '../i18n.ts'
import type { AlarmView } from '../types.ts'

export type StepType = 'ack' | 'triage' | 'feedback' | 'close' | 'shelve' | 'unshelve'
export type Act = (type: StepType, body: Record<string, unknown>) => Promise<boolean>

/**
 * The operator's steps on one alarm, built ONCE (issue 17: the page refreshes its facts every
 * 5 s and must never wipe what the operator is typing). `update` only shows or hides each step
 * as the alarm's state allows; a step's inputs are cleared only after that step succeeded.
 */
export function alarmSteps(act: Act): { root: HTMLElement; update(a: AlarmView): void } {
  const role = currentUser()?.role ?? ''
  const park = role === 'park_admin' || role === 'park_operator'
  const input = (name: string, placeholder: string) => h('input', { name, placeholder, 'data-testid': `input-${name}` })
  const run = (type: StepType, body: () => Record<string, unknown>, clear: HTMLInputElement[]) => () =>
    void act(type, body()).then((ok) => {
      if (ok) for (const i of clear) i.value = ''
    })

  const verdict = h(
    'select',
    { name: 'verdict' },
    ...(['valid', 'invalid', 'false'] as const).map((v) => h('option', { value: v }, t(v))),
  )
  const triageNote = input('note', t('note'))
  const cause = input('cause', t('cause'))
  const measures = input('measures', t('measures'))
  const closeNote = input('close-note', t('note'))
  const reason = input('shelve-reason', t('shelveReason'))
  const minutes = h('input', {
    name: 'shelve-minutes',
    type: 'number',
    min: 1,
    max: 1440,
    value: 60,
    'aria-label': t('minutes'),
  })
  const button = (type: StepType, label: string, onclick: () => void) =>
    h('button', { type: 'button', 'data-action': type, onclick }, label)

  const steps = {
    ack: h(
      'span',
      { class: 'step' },
      button(
        'ack',
        t('ack'),
        run('ack', () => ({}), []),
      ),
    ),
    triage: h(
      'span',
      { class: 'step' },
      verdict,
      triageNote,
      button(
        'triage',
        t('triage'),
        run('triage', () => ({ verdict: verdict.value, ...(triageNote.value ? { note: triageNote.value } : {}) }), [
          triageNote,
        ]),
      ),
    ),
    feedback: h(
      'span',
      { class: 'step' },
      cause,
      measures,
      button(
        'feedback',
        t('feedback'),
        run('feedback', () => ({ cause: cause.value, measures: measures.value }), [cause, measures]),
      ),
    ),
    close: h(
      'span',
      { class: 'step' },
      closeNote,
      button(
        'close',
        t('close'),
        run('close', () => (closeNote.value ? { note: closeNote.value } : {}), [closeNote]),
      ),
    ),
    shelve: h(
      'span',
      { class: 'step' },
      reason,
      minutes,
      h('span', {}, t('minutes')),
      button(
        'shelve',
        t('shelve'),
        run('shelve', () => ({ reason: reason.value, minutes: Number(minutes.value) }), [reason]),
      ),
    ),
    unshelve: h(
      'span',
      { class: 'step' },
      button(
        'unshelve',
        t('unshelve'),
        run('unshelve', () => ({}), []),
      ),
    ),
  }
  const done = h('p', { class: 'muted' }, t('done'))
  const root = h('div', { class: 'actions' }, ...Object.values(steps), done)

  const update = (a: AlarmView) => {
    const open = a.closedAt === null
    const shelved = a.disposal.overlay?.kind === 'shelved'
    const show: Record<StepType, boolean> = {
      ack: park && open && !a.disposal.ack,
      triage: park && open && !a.disposal.triage,
      feedback: open && !a.disposal.feedback,
      close: park && open,
      shelve: park && open && !a.disposal.overlay,
      unshelve: park && open && shelved,
    }
    for (const [k, el] of Object.entries(steps)) el.hidden = !show[k as StepType]
    done.hidden = open
  }
  return { root, update }
}
