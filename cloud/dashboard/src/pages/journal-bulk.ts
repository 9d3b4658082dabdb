import { request } from '../api.ts'
import { h } from '../dom.ts'
import { fill, t } from '../i18n.ts'
import { errorText, outcomeText } from './common.ts'
import type { Outcome } from './journal-table.ts'

type Results = Map<number, Outcome>

/** One step per alarm (ack, triage, shelve): each gets its own outcome; a refusal does not stop the others. */
async function each(ids: number[], path: (id: number) => string, body: Record<string, unknown>): Promise<Results> {
  const out: Results = new Map()
  for (const id of ids) {
    try {
      await request(path(id), { method: 'POST', body })
      out.set(id, { ok: true, text: t('outcomeOk') })
    } catch (err) {
      out.set(id, { ok: false, text: errorText(err) })
    }
  }
  return out
}

/** Batch close (POST /api/v1/alarms/close): the API answers an outcome per id. */
async function closeAll(ids: number[], note: string): Promise<Results> {
  const answer = await request<{ results: Array<{ id: number; closed: boolean; code?: string; message?: string }> }>(
    '/api/v1/alarms/close',
    { method: 'POST', body: { ids, ...(note ? { note } : {}) } },
  )
  return new Map(
    answer.results.map((r) => [
      r.id,
      r.closed ? { ok: true, text: t('outcomeOk') } : { ok: false, text: outcomeText(r.code, r.message) },
    ]),
  )
}

/**
 * The journal's bulk steps on the selected alarms (the center's: ack, triage, close, shelve with
 * a reason and a duration). `done` gets an outcome per alarm, shown on its row.
 */
export function bulkBar(
  selected: () => number[],
  done: (results: Results) => void,
): { root: HTMLElement; count(n: number): void } {
  const count = h('span', { 'data-testid': 'selected-count' }, fill(t('selectedN'), { n: 0 }))
  const status = h('span', { role: 'status', 'data-testid': 'bulk-status' })
  const verdict = h(
    'select',
    { name: 'bulk-verdict' },
    ...(['valid', 'invalid', 'false'] as const).map((v) => h('option', { value: v }, t(v))),
  )
  const note = h('input', { name: 'bulk-note', placeholder: t('note') })
  const reason = h('input', { name: 'bulk-reason', placeholder: t('shelveReason') })
  const minutes = h('input', {
    name: 'bulk-minutes',
    type: 'number',
    min: 1,
    max: 1440,
    value: 60,
    'aria-label': t('minutes'),
  })
  const run = (step: (ids: number[]) => Promise<Results>) => async () => {
    const ids = selected()
    if (ids.length === 0) return void (status.textContent = t('nothingSelected'))
    status.textContent = t('working')
    try {
      const results = await step(ids)
      const ok = [...results.values()].filter((r) => r.ok).length
      status.textContent = fill(t('doneN'), { ok, fail: results.size - ok })
      done(results)
    } catch (err) {
      status.textContent = errorText(err)
    }
  }
  const button = (action: string, label: string, step: (ids: number[]) => Promise<Results>) =>
    h('button', { type: 'button', 'data-bulk': action, onclick: () => void run(step)() }, label)
  const root = h(
    'div',
    { class: 'bulk actions' },
    count,
    button('ack', t('bulkAck'), (ids) => each(ids, (id) => `/api/v1/alarms/${id}/ack`, {})),
    h(
      'span',
      { class: 'step' },
      verdict,
      button('triage', t('bulkTriage'), (ids) =>
        each(ids, (id) => `/api/v1/alarms/${id}/triage`, {
          verdict: verdict.value,
          ...(note.value ? { note: note.value } : {}),
        }),
      ),
    ),
    h(
      'span',
      { class: 'step' },
      note,
      button('close', t('bulkClose'), (ids) => closeAll(ids, note.value)),
    ),
    h(
      'span',
      { class: 'step' },
      reason,
      minutes,
      h('span', {}, t('minutes')),
      button('shelve', t('shelve'), (ids) =>
        each(ids, (id) => `/api/v1/alarms/${id}/shelve`, { reason: reason.value, minutes: Number(minutes.value) }),
      ),
    ),
    status,
  )
  return { root, count: (n) => void (count.textContent = fill(t('selectedN'), { n })) }
}
