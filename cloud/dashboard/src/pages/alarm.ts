import { authorized, request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { actionName, detailName, kindName, reasonName, t } from '../i18n.ts'
import { time, value } from '../format.ts'
import type { AlarmView, PointView, TimelineEntry } from '../types.ts'
import { MEASURED, errorText, poll } from './common.ts'
import { alarmSteps, type StepType } from './alarm-steps.ts'
import { idsOnly, loadNames, type Names } from './names.ts'
import { showAreaCameras } from './alarm-cameras.ts'
import { gasBanner } from './gas-banner.ts'
import { alarmTrend } from './alarm-trend.ts'

const FACTS = ['point', 'enterprise', 'value', 'raisedAt', 'recoveredAt', 'closedAt', 'responseDue', 'state'] as const
type Fact = (typeof FACTS)[number]

/**
 * One alarm: its facts, its timeline, the operator's steps (ack, triage, feedback, close,
 * shelve) and the point's trend around it (pages/alarm-trend.ts). The page is built once; every 5 s the facts are updated in place (issue 17): the
 * inputs of the steps are never rebuilt, so nothing the operator types is lost.
 */
export function alarmPage(root: HTMLElement, id: string | undefined): () => void {
  const title = h('h1', {}, t('loading'))
  const cells = Object.fromEntries(FACTS.map((k) => [k, h('dd', { 'data-fact': k })])) as Record<Fact, HTMLElement>
  cells.state.dataset.testid = 'alarm-state'
  const facts = h(
    'dl',
    {},
    ...FACTS.flatMap((k) => [h('dt', {}, t(k === 'responseDue' ? 'responseDue' : k)), cells[k]]),
  )
  const message = h('p', { class: 'error', role: 'alert' })
  const timeline = h('ol', { class: 'timeline' })
  const snapshots = h('div', { class: 'snapshots' })
  const areaCameras = h('div', { class: 'area-cameras' })
  const trendBox = h('div', { class: 'alarm-trend', 'data-testid': 'alarm-trend' })
  const urls: string[] = []
  let names: Names = idsOnly
  let unit = ''

  const act = async (type: StepType, body: Record<string, unknown>): Promise<boolean> => {
    message.textContent = ''
    try {
      await request<AlarmView>(`/api/v1/alarms/${id}/${type}`, { method: 'POST', body })
      await load()
      return true
    } catch (err) {
      message.textContent = errorText(err)
      return false
    }
  }
  const steps = alarmSteps(act)
  const gas = gasBanner()
  const trend = alarmTrend(trendBox)
  mount(
    root,
    title,
    gas.el,
    facts,
    steps.root,
    message,
    trendBox,
    h('h2', {}, t('timeline')),
    timeline,
    snapshots,
    areaCameras,
  )

  let shown = -1
  const load = async () => {
    const [alarm, entries] = await Promise.all([
      request<AlarmView>(`/api/v1/alarms/${id}`),
      request<TimelineEntry[]>(`/api/v1/alarms/${id}/timeline`),
    ])
    title.textContent = `${alarm.priority} · ${alarm.pointName ?? alarm.point} · ${kindName(alarm.kind)}`
    title.className = `p-${alarm.priority}`
    setFacts(cells, alarm, names, unit)
    steps.update(alarm)
    trend.update(alarm)
    void gas.refresh()
    if (entries.length !== shown) {
      shown = entries.length
      mount(timeline, ...entries.map(sentence))
    }
  }
  const stop = poll(load, 5_000, (err) => (message.textContent = errorText(err)))
  // Names and the point's unit arrive once; the next refresh shows them.
  void loadNames().then((n) => {
    names = n
    void load().catch(() => {})
    void request<AlarmView>(`/api/v1/alarms/${id}`)
      .then((a) => showAreaCameras(a, areaCameras, n, urls))
      .catch(() => {})
  })
  void request<AlarmView>(`/api/v1/alarms/${id}`)
    .then((a) => request<PointView>(`/api/v1/points/${encodeURIComponent(a.point)}`))
    .then((p) => {
      unit = p.unit ?? ''
      void gas.point(p)
      return load()
    })
    .catch(() => {})
  void showSnapshots(id ?? '', snapshots, urls)
  return () => {
    stop()
    trend.stop()
    for (const u of urls) URL.revokeObjectURL(u)
  }
}

/** Writes each fact into its cell, only where the text changed (a selection in the page survives). */
function setFacts(cells: Record<Fact, HTMLElement>, a: AlarmView, names: Names, unit: string): void {
  const overlay = a.disposal.overlay
  const text: Record<Fact, string> = {
    point: `${a.pointName ?? a.point} (${a.point})`,
    enterprise: names.enterprise(a.enterprise),
    value: MEASURED.has(a.kind) ? `${value(a.value, unit)} / ${t('limits')} ${value(a.limit, unit)}` : '—',
    raisedAt: time(a.raisedAt),
    recoveredAt: time(a.recoveredAt),
    closedAt: a.disposal.closed ? `${time(a.disposal.closed.at)} · ${a.disposal.closed.by}` : '—',
    responseDue: `${time(a.responseDueAt)}${a.overdue ? ` · ${t('overdue')}` : ''}`,
    state: [
      a.closedAt ? t('closed') : a.state === 'active' ? t('active') : t('recovered'),
      a.disposal.ack ? ` · ${t('ack')} ${a.disposal.ack.by}` : '',
      overlay?.kind === 'shelved' ? ` · ${t('shelvedUntil')} ${time(overlay.until)} (${overlay.reason ?? ''})` : '',
      overlay?.kind === 'out_of_service' ? ` · ${t('outOfService')} (${overlay.reason ?? ''})` : '',
    ].join(''),
  }
  for (const k of FACTS) if (cells[k].textContent !== text[k]) cells[k].textContent = text[k]
}

/** A timeline entry as a sentence: time, who, what, and its details by name. */
function sentence(e: TimelineEntry): HTMLElement {
  const details = Object.entries(e.detail).filter(([, v]) => v !== '' && v !== null && v !== undefined)
  return h(
    'li',
    { 'data-action': e.action },
    h('time', {}, time(e.at)),
    ' ',
    actor(e.actor),
    ` · ${actionName(e.action)}`,
    details.length
      ? h('small', {}, ...details.flatMap(([k, v], i) => [i ? '；' : ' ', `${detailName(k)}: `, detailValue(k, v)]))
      : null,
  )
}

/** Who took a step: the system by name, a person or key by their account name (an id, not translated). */
const actor = (who: string) => (who === 'system' ? h('span', {}, t('system')) : h('span', { translate: 'no' }, who))

const TIMES = new Set(['until', 'dueAt', 'firstSeenLiveAt', 'correctedFrom', 'since'])
/** Device and protocol texts (an event topic, a camera's error) are shown as they came: not words to translate. */
const RAW = new Set(['topic', 'snapshotError', 'items', 'code'])

function detailValue(key: string, v: unknown): Node | string {
  if (key === 'verdict' || key === 'previous') return t(v as 'valid')
  if (key === 'kind' && typeof v === 'string') return kindName(v)
  if (key === 'reason' && typeof v === 'string') return reasonName(v)
  if (TIMES.has(key) && typeof v === 'number') return time(v)
  if (typeof v === 'boolean') return t(v ? 'yes' : 'no')
  const text = Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)
  return RAW.has(key) || typeof v === 'object' ? h('span', { translate: 'no' }, text) : text
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
      box.append(
        h(
          'figure',
          {},
          h('img', { src: url, alt: `${s.camera ?? ''} ${s.takenAt ? time(s.takenAt) : ''}` }),
          h('figcaption', {}, `${s.camera ?? ''} ${s.takenAt ? time(s.takenAt) : ''}`),
        ),
      )
    }
  } catch {
    // no snapshots for this alarm
  }
}
