import '../journal.css'
import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { fill, t } from '../i18n.ts'
import { time } from '../format.ts'
import { beijingIso, raw, table } from './admin-parts.ts'
import { errorText } from './common.ts'

/** An audit entry as GET /api/v1/audit answers (cloud/store/auth-store.ts AuditRecord). */
interface AuditView {
  id: number
  at: number
  actor: string
  action: string
  target: string | null
  outcome: 'ok' | 'refused' | 'failed'
}
const PAGE = 50

/**
 * #/audit: the auditor's page (brief §7: the append-only audit log, newest first), filtered by
 * actor, action and time range, paged by the last entry's id (`before`, as the API pages).
 */
export function auditPage(root: HTMLElement): () => void {
  const actor = h('input', { name: 'actor', autocomplete: 'off', 'aria-label': t('auditActor') })
  const action = h('input', { name: 'action', autocomplete: 'off', 'aria-label': t('auditAction') })
  const from = h('input', { type: 'datetime-local', name: 'from' })
  const to = h('input', { type: 'datetime-local', name: 'to' })
  const form = h(
    'form',
    { class: 'filters', 'data-testid': 'audit-filters' },
    h('label', {}, t('auditActor'), actor),
    h('label', {}, t('auditAction'), action),
    h('label', {}, t('fromTime'), from),
    h('label', {}, t('toTime'), to),
    h('button', { type: 'submit' }, t('search')),
  )
  const body = h('div', {}, t('loading'))
  const pager = h('div', { class: 'filters' })
  // `before` of each page shown so far (the last entry id of the page before it; undefined: the newest).
  let befores: Array<number | undefined> = [undefined]
  const load = async () => {
    const q = new URLSearchParams({ limit: String(PAGE) })
    const put = (k: string, v: string) => void (v && q.set(k, v))
    put('actor', actor.value.trim())
    put('action', action.value.trim())
    put('from', beijingIso(from.value))
    put('to', beijingIso(to.value))
    const before = befores[befores.length - 1]
    if (before !== undefined) q.set('before', String(before))
    const rows = await request<AuditView[]>(`/api/v1/audit?${q}`)
    mount(body, rows.length ? auditTable(rows) : h('p', {}, t('none')))
    mount(
      pager,
      h('span', {}, fill(t('pageN'), { n: befores.length }), ' · ', fill(t('auditCount'), { n: rows.length })),
      befores.length > 1
        ? h('button', { type: 'button', 'data-page': 'prev', onclick: () => go(befores.slice(0, -1)) }, t('prev'))
        : null,
      rows.length === PAGE
        ? h(
            'button',
            { type: 'button', 'data-page': 'next', onclick: () => go([...befores, rows[rows.length - 1]!.id]) },
            t('next'),
          )
        : null,
    )
  }
  const go = (next: Array<number | undefined>) => {
    befores = next
    void load().catch((err) => mount(body, h('p', { class: 'error' }, errorText(err))))
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    go([undefined])
  })
  mount(root, h('h1', {}, t('audit')), form, body, pager)
  go([undefined])
  return () => {}
}

const auditTable = (rows: AuditView[]) =>
  table(
    { 'data-testid': 'audit' },
    [t('time'), t('auditActor'), t('auditAction'), t('auditTarget'), t('outcome')],
    rows.map((r) =>
      h(
        'tr',
        { 'data-audit': r.id, 'data-actor': r.actor, 'data-action': r.action },
        h('td', {}, time(r.at)),
        h('td', {}, raw(r.actor)),
        h('td', {}, raw(r.action)),
        h('td', {}, raw(r.target)),
        h('td', { class: `outcome-${r.outcome}` }, t(`auditOutcome_${r.outcome}` as Parameters<typeof t>[0])),
      ),
    ),
  )
