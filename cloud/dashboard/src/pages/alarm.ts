import { authorized, request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { actionName, kindName, reasonName, t } from '../i18n.ts'
import { time, value } from '../format.ts'
import type { AlarmView, TimelineEntry } from '../types.ts'
import { MEASURED, errorText, poll } from './common.ts'

/** One alarm: its facts, its timeline and the operator's steps (ack, triage, feedback, close). */
export function alarmPage(root: HTMLElement, id: string | undefined): () => void {
  const facts = h('div', {}, t('loading'))
  const actions = h('div', { class: 'actions' })
  const message = h('p', { class: 'error', role: 'alert' })
  const timeline = h('ol', { class: 'timeline' })
  const snapshots = h('div', { class: 'snapshots' })
  mount(root, facts, actions, message, h('h2', {}, t('timeline')), timeline, snapshots)
  const urls: string[] = []

  const act = (type: 'ack' | 'triage' | 'feedback' | 'close', body: Record<string, unknown>) => {
    message.textContent = ''
    request<AlarmView>(`/api/v1/alarms/${id}/${type}`, { method: 'POST', body })
      .then(() => load())
      .catch((err: unknown) => (message.textContent = errorText(err)))
  }

  const load = async () => {
    const [alarm, entries] = await Promise.all([request<AlarmView>(`/api/v1/alarms/${id}`), request<TimelineEntry[]>(`/api/v1/alarms/${id}/timeline`)])
    mount(facts,
      h('h1', { class: `p-${alarm.priority}` }, `${alarm.priority} · ${alarm.pointName ?? alarm.point} · ${kindName(alarm.kind)}`),
      h('dl', {},
        ...pair(t('point'), alarm.point), ...pair(t('enterprise'), alarm.enterprise ?? '—'),
        ...pair(t('value'), measured(alarm)),
        ...pair(t('raisedAt'), time(alarm.raisedAt)), ...pair(t('recoveredAt'), time(alarm.recoveredAt)),
        ...pair(t('closedAt'), alarm.disposal.closed ? `${time(alarm.disposal.closed.at)} · ${alarm.disposal.closed.by}` : '—'),
        ...pair(t('responseDue'), `${time(alarm.responseDueAt)}${alarm.overdue ? ` · ${t('overdue')}` : ''}`),
        ...pair(t('state'), h('span', { 'data-testid': 'alarm-state' }, alarm.closedAt ? t('closed') : alarm.state === 'active' ? t('active') : t('recovered'), alarm.disposal.ack ? ` · ${t('ack')} ${alarm.disposal.ack.by}` : '')),
      ),
    )
    mount(actions, ...controls(alarm, act))
    mount(timeline, ...entries.map((e) => h('li', { 'data-action': e.action }, h('time', {}, time(e.at)), ` ${e.actor} · ${actionName(e.action)}`, typeof e.detail.reason === 'string' ? ` · ${reasonName(e.detail.reason)}` : '', Object.keys(e.detail).length ? h('small', {}, ` ${JSON.stringify(e.detail)}`) : null)))
  }
  const stop = poll(load, 5_000, (err) => mount(facts, h('p', { class: 'error' }, errorText(err))))
  void showSnapshots(id ?? '', snapshots, urls)
  return () => {
    stop()
    for (const u of urls) URL.revokeObjectURL(u)
  }
}

const pair = (k: string, v: Node | string) => [h('dt', {}, k), h('dd', {}, v)]

const measured = (a: AlarmView) => (MEASURED.has(a.kind) ? `${value(a.value)} / ${value(a.limit)}` : '—')

function controls(a: AlarmView, act: (type: 'ack' | 'triage' | 'feedback' | 'close', body: Record<string, unknown>) => void): HTMLElement[] {
  if (a.closedAt) return [h('p', { class: 'muted' }, t('done'))]
  const out: HTMLElement[] = []
  if (!a.disposal.ack) out.push(h('button', { type: 'button', 'data-action': 'ack', onclick: () => act('ack', {}) }, t('ack')))
  if (!a.disposal.triage) {
    const verdict = h('select', { name: 'verdict' }, ...(['valid', 'invalid', 'false'] as const).map((v) => h('option', { value: v }, t(v))))
    const note = h('input', { name: 'note', placeholder: t('note') })
    out.push(h('span', { class: 'step' }, verdict, note, h('button', { type: 'button', 'data-action': 'triage', onclick: () => act('triage', { verdict: verdict.value, ...(note.value ? { note: note.value } : {}) }) }, t('triage'))))
  }
  if (!a.disposal.feedback) {
    const cause = h('input', { name: 'cause', placeholder: t('cause') })
    const measures = h('input', { name: 'measures', placeholder: t('measures') })
    out.push(h('span', { class: 'step' }, cause, measures, h('button', { type: 'button', 'data-action': 'feedback', onclick: () => act('feedback', { cause: cause.value, measures: measures.value }) }, t('feedback'))))
  }
  const note = h('input', { name: 'close-note', placeholder: t('note') })
  out.push(h('span', { class: 'step' }, note, h('button', { type: 'button', 'data-action': 'close', onclick: () => act('close', note.value ? { note: note.value } : {}) }, t('close'))))
  return out
}

/** Camera snapshots linked to the alarm, if the service has any (fetched with the session's token). */
async function showSnapshots(id: string, box: HTMLElement, urls: string[]): Promise<void> {
  try {
    const res = await authorized(`/api/v1/alarms/${id}/snapshots`)
    if (!res.ok) return
    const list = (await res.json()) as Array<{ id: number | string; takenAt?: number; camera?: string }>
    if (list.length === 0) return
    mount(box, h('h2', {}, t('snapshot')))
    for (const s of list) {
      const img = await authorized(`/api/v1/snapshots/${s.id}`)
      if (!img.ok) continue
      const url = URL.createObjectURL(await img.blob())
      urls.push(url)
      box.append(h('figure', {}, h('img', { src: url, alt: `${s.camera ?? ''} ${s.takenAt ? time(s.takenAt) : ''}` }), h('figcaption', {}, `${s.camera ?? ''} ${s.takenAt ? time(s.takenAt) : ''}`)))
    }
  } catch {
    // no snapshots for this alarm
  }
}
