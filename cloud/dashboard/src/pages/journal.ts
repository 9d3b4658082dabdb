import '../journal.css'
import { currentUser, request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { fill, t } from '../i18n.ts'
import type { AlarmView, PointView } from '../types.ts'
import { errorText } from './common.ts'
import { bulkBar } from './journal-bulk.ts'
import { exportJournal } from './journal-csv.ts'
import { journalFilters } from './journal-query.ts'
import { drawJournal, type Outcome } from './journal-table.ts'
import { idsOnly, loadNames, type Names } from './names.ts'

const PAGE = 50

/**
 * 报警日志 / the alarm journal (issue 17): every alarm the identity may see, filtered by
 * enterprise, priority, kind, state, time range and text, page by page, exported as CSV; the
 * center selects alarms and acknowledges, triages, closes or shelves them at once, with the
 * outcome of each shown on its row (a bulk step where some alarms cannot take it says which).
 */
export function journalPage(root: HTMLElement): () => void {
  const role = currentUser()?.role
  const park = role === 'park_admin' || role === 'park_operator'
  const table = h('div', { 'data-testid': 'journal' }, t('loading'))
  const message = h('p', { class: 'error', role: 'alert' })
  const pageLabel = h('span', { 'data-testid': 'page' })
  const selected = new Set<number>()
  const outcomes = new Map<number, Outcome>()
  const expanded = new Set<string>()
  let names: Names = idsOnly
  let units = new Map<string, string>()
  let page = 0
  let list: AlarmView[] = []
  let more = false
  // Each search or page turn is a new generation: an answer (or a bulk step's re-read) that
  // arrives after a newer one started is dropped, never drawn over the rows the operator asked for.
  let generation = 0

  const filters = journalFilters(() => {
    page = 0
    selected.clear()
    outcomes.clear()
    void load()
  })
  // After a bulk step the same rows stay, read again one by one: an alarm the step moved out of
  // the filter (closed, under "not closed") still shows its outcome until the next search.
  const bulk = bulkBar(
    () => [...selected],
    (results) => {
      for (const [id, r] of results) outcomes.set(id, r)
      const mine = generation
      void Promise.all(
        list.map((a) => (results.has(a.id) ? request<AlarmView>(`/api/v1/alarms/${a.id}`).catch(() => a) : a)),
      ).then((fresh) => {
        if (mine !== generation) return
        list = fresh
        draw()
      })
    },
  )
  const selectAll = h('input', { type: 'checkbox', 'data-testid': 'select-all', 'aria-label': t('selectAll') })
  selectAll.addEventListener('change', () => {
    for (const a of list)
      if (selectAll.checked) selected.add(a.id)
      else selected.delete(a.id)
    draw()
  })
  const prev = h(
    'button',
    { type: 'button', 'data-testid': 'prev', onclick: () => void ((page = Math.max(0, page - 1)), load()) },
    t('prev'),
  )
  const next = h(
    'button',
    { type: 'button', 'data-testid': 'next', onclick: () => void (more && ((page += 1), load())) },
    t('next'),
  )
  const csv = h(
    'button',
    {
      type: 'button',
      'data-testid': 'export',
      onclick: () =>
        void exportJournal(filters.query(), names, units).catch((err) => (message.textContent = errorText(err))),
    },
    t('exportCsv'),
  )

  const draw = () => {
    drawJournal(table, list, {
      names,
      units,
      selected,
      outcomes,
      selectable: park,
      onSelect: () => bulk.count(selected.size),
      expanded,
    })
    bulk.count(selected.size)
    pageLabel.textContent = fill(t('pageN'), { n: page + 1 })
    prev.disabled = page === 0
    next.disabled = !more
  }
  // While a read is in flight the table is aria-busy; once drawn, data-shown says which search and
  // page it shows (a screen reader, and the browser tests, can tell the new rows from the old).
  const load = async () => {
    const mine = ++generation
    message.textContent = ''
    table.setAttribute('aria-busy', 'true')
    const q = filters.query()
    const shown = `${q}&page=${page + 1}`
    q.set('limit', String(PAGE + 1))
    q.set('offset', String(page * PAGE))
    try {
      const answer = await request<AlarmView[]>(`/api/v1/alarms?${q}`)
      if (mine !== generation) return
      more = answer.length > PAGE
      list = answer.slice(0, PAGE)
      draw()
      table.dataset.shown = shown
    } catch (err) {
      if (mine === generation) message.textContent = errorText(err)
    } finally {
      if (mine === generation) table.removeAttribute('aria-busy')
    }
  }

  mount(
    root,
    h('h1', {}, t('journal')),
    filters.root,
    h('div', { class: 'toolbar' }, park ? h('label', {}, selectAll, t('selectAll')) : null, csv, prev, pageLabel, next),
    park ? bulk.root : null,
    message,
    table,
  )
  void load()
  void loadNames().then((n) => {
    names = n
    draw()
  })
  void request<Array<{ id: string; name: string }>>('/api/v1/registry/enterprises')
    .then((list) => filters.setEnterprises(list))
    .catch(() => {})
  void request<PointView[]>('/api/v1/points')
    .then((points) => {
      units = new Map(points.map((p) => [p.id, p.unit ?? '']))
      draw()
    })
    .catch(() => {})
  return () => {}
}
