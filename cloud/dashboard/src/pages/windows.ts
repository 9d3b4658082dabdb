import '../journal.css'
import { currentUser, request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { fill, t } from '../i18n.ts'
import { time } from '../format.ts'
import { raw, table } from './admin-parts.ts'
import { errorText, poll } from './common.ts'
import { type Names, idsOnly, loadNames } from './names.ts'
import { mayRequest, windowRequestForm } from './windows-form.ts'

/** A maintenance window as GET /api/v1/maintenance-windows lists it (cloud/store/repos/windows.ts). */
interface WindowView {
  id: number
  enterprise: string
  points: string[]
  from: number
  to: number
  reason: string
  requestedBy: string
  status: 'requested' | 'approved' | 'rejected' | 'cancelled'
  decidedBy: string | null
  decidedAt: number | null
  decisionNote: string | null
  suppressed: number
}
type Decision = 'approve' | 'reject' | 'cancel'
const STATUSES = ['requested', 'approved', 'rejected', 'cancelled'] as const
const statusName = (s: string) => t(`winStatus_${s}` as Parameters<typeof t>[0])

/** The buttons a role has on a window (permissions.ts windows:decide / windows:cancel). */
function decisions(role: string, w: WindowView): Decision[] {
  const out: Decision[] = []
  if (role === 'park_admin' && w.status === 'requested') out.push('approve', 'reject')
  if (
    ['park_admin', 'enterprise_admin', 'enterprise_user'].includes(role) &&
    w.status !== 'rejected' &&
    w.status !== 'cancelled'
  )
    out.push('cancel')
  return out
}

const LABEL: Record<Decision, Parameters<typeof t>[0]> = {
  approve: 'winApprove',
  reject: 'winReject',
  cancel: 'winCancel',
}

/**
 * #/windows (故障点位申请): an enterprise requests a window over its points with a reason; the park
 * administrator approves or rejects it; a list by status, soonest first. Inside an approved window
 * the covered points raise no alarms (cloud/api/routes/windows.ts).
 */
export function windowsPage(root: HTMLElement): () => void {
  const role = currentUser()?.role ?? ''
  const status = h('p', { class: 'error', 'data-testid': 'windows-status' })
  const body = h('div', {}, t('loading'))
  const filter = h(
    'select',
    { name: 'status', 'data-testid': 'windows-filter' },
    h('option', { value: '' }, t('all')),
    ...STATUSES.map((s) => h('option', { value: s }, statusName(s))),
  )
  let names: Names = idsOnly
  let shown = ''
  const load = async () => {
    const q = filter.value ? `?status=${filter.value}` : ''
    const list = await request<WindowView[]>(`/api/v1/maintenance-windows${q}`)
    list.sort((a, b) => a.from - b.from)
    // Unchanged: the table stays, so a decision note being typed is not wiped by the poll.
    const seen = JSON.stringify(list)
    if (seen === shown) return
    shown = seen
    const typed = typedNotes(body) // a re-render (names arrived, a filter) keeps what is being typed
    mount(body, list.length ? windowTable(list) : h('p', {}, t('none')))
    for (const [id, text] of typed) {
      const input = body.querySelector<HTMLInputElement>(`tr[data-window="${id}"] input[name=note]`)
      if (input) input.value = text
    }
  }
  const act = (w: WindowView, d: Decision, note: HTMLInputElement) =>
    request(`/api/v1/maintenance-windows/${w.id}/${d}`, {
      method: 'POST',
      body: note.value ? { note: note.value } : {},
    })
      .then(load)
      .catch((err) => mount(status, errorText(err)))
  const row = (w: WindowView) => {
    const note = h('input', { name: 'note', placeholder: t('winDecisionNote'), maxlength: 1000 })
    const buttons = decisions(role, w).map((d) =>
      h('button', { type: 'button', 'data-decision': d, onclick: () => void act(w, d, note) }, t(LABEL[d])),
    )
    return h(
      'tr',
      { 'data-window': w.id, 'data-status': w.status },
      h('td', {}, raw(`#${w.id}`)),
      h('td', {}, names.enterprise(w.enterprise)),
      h('td', {}, ...w.points.map((p) => h('div', {}, raw(p)))),
      h('td', {}, `${time(w.from)} — ${time(w.to)}`),
      h('td', {}, w.reason),
      h('td', { 'data-testid': `window-status-${w.id}` }, statusName(w.status)),
      h('td', {}, raw(w.requestedBy)),
      h(
        'td',
        {},
        w.decidedBy ? raw(w.decidedBy) : null,
        w.decisionNote ? h('small', {}, w.decisionNote) : null,
        w.suppressed ? h('small', {}, fill(t('winSuppressed'), { n: w.suppressed })) : null,
      ),
      h('td', {}, buttons.length ? note : null, ...buttons),
    )
  }
  const windowTable = (list: WindowView[]) =>
    table(
      { 'data-testid': 'windows' },
      [
        '',
        t('enterprise'),
        t('winPoints'),
        t('winPeriod'),
        t('winReason'),
        t('state'),
        t('winRequestedBy'),
        t('winDecidedBy'),
        '',
      ],
      list.map(row),
    )
  filter.addEventListener('change', () => void load().catch((err) => mount(status, errorText(err))))
  mount(
    root,
    h('h1', {}, t('windows')),
    mayRequest(role)
      ? h(
          'section',
          {},
          h('h2', {}, t('winRequest')),
          windowRequestForm(() => void load()),
        )
      : null,
    h('div', { class: 'filters' }, h('label', {}, t('state'), filter)),
    status,
    body,
  )
  void loadNames().then((n) => {
    names = n
    shown = '' // draw again, with the names
    void load().catch(() => {})
  })
  return poll(load, 30_000, (err) => mount(body, h('p', { class: 'error' }, errorText(err))))
}

/** The decision notes typed so far, by window id. */
function typedNotes(body: HTMLElement): Map<string, string> {
  const typed = new Map<string, string>()
  for (const input of body.querySelectorAll<HTMLInputElement>('tr[data-window] input[name=note]'))
    if (input.value) typed.set(input.closest('tr')?.dataset.window ?? '', input.value)
  return typed
}
