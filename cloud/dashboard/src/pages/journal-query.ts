import { h } from '../dom.ts'
import { kindName, t } from '../i18n.ts'

export const KINDS = [
  'HH',
  'H',
  'L',
  'LL',
  'ROC',
  'DIGITAL',
  'STALE',
  'OFFLINE',
  'CLOCK',
  'SECURITY',
  'FYWL',
  'ZBLG',
  'ZBSG',
  'RYJJ',
  'DDH',
  'CHY',
  'WDAQM',
  'WCGZF',
  'HZ',
  'XL',
  'YW',
  'RYRQ',
  'RYYJ',
] as const

/** A datetime-local value read as Beijing time (the park's), as ISO-8601 with its zone for the API. */
const beijing = (local: string) => (local ? `${local.length === 16 ? `${local}:00` : local}+08:00` : '')

/**
 * The journal's filters (enterprise, priority, kind, state, time range, text), as a form whose
 * values become the query of GET /api/v1/alarms (cloud/api/routes/alarms.ts AlarmsQuery).
 */
export function journalFilters(onSearch: () => void): {
  root: HTMLFormElement
  query(): URLSearchParams
  setEnterprises(list: Array<{ id: string; name: string }>): void
} {
  const option = (value: string, label: string) => h('option', { value }, label)
  const enterprise = h('select', { name: 'enterprise' }, option('', `${t('enterprise')}: ${t('all')}`))
  const priority = h(
    'select',
    { name: 'priority' },
    option('', `${t('priority')}: ${t('all')}`),
    ...['S', 'A', 'B', 'C', 'D'].map((p) => option(p, p)),
  )
  const kind = h(
    'select',
    { name: 'kind' },
    option('', `${t('kind')}: ${t('all')}`),
    ...KINDS.map((k) => option(k, kindName(k))),
  )
  const state = h(
    'select',
    { name: 'state' },
    option('all', `${t('state')}: ${t('stateAll')}`),
    option('open', t('stateOpen')),
    option('active', t('stateActive')),
  )
  const from = h('input', { type: 'datetime-local', name: 'from', 'aria-label': t('fromTime') })
  const to = h('input', { type: 'datetime-local', name: 'to', 'aria-label': t('toTime') })
  const text = h('input', { type: 'search', name: 'q', placeholder: t('textFilter') })
  const root = h(
    'form',
    { class: 'filters', 'data-testid': 'journal-filters' },
    enterprise,
    priority,
    kind,
    state,
    h('label', {}, t('fromTime'), from),
    h('label', {}, t('toTime'), to),
    text,
    h('button', { type: 'submit' }, t('search')),
    h('button', { type: 'reset' }, t('reset')),
  )
  root.addEventListener('submit', (e) => {
    e.preventDefault()
    onSearch()
  })
  root.addEventListener('reset', () => setTimeout(onSearch, 0))
  return {
    root,
    query() {
      const q = new URLSearchParams({ state: state.value })
      const put = (k: string, v: string) => void (v && q.set(k, v))
      put('enterprise', enterprise.value)
      put('priority', priority.value)
      put('kind', kind.value)
      put('from', beijing(from.value))
      put('to', beijing(to.value))
      put('q', text.value.trim())
      return q
    },
    setEnterprises(list) {
      enterprise.append(...list.map((e) => option(e.id, e.name)))
    },
  }
}
