import { ApiError, authorized, currentUser, request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { className, t } from '../i18n.ts'
import { value } from '../format.ts'
import { errorText } from './common.ts'
import { loadNames } from './names.ts'

interface RegistryPoint {
  id: string
  name: string | null
  enterprise: string | null
  class: string | null
  unit: string | null
  substance: string | null
  cas: string | null
  rangeLow: number | null
  rangeHigh: number | null
  h: number | null
  hh: number | null
  l: number | null
  ll: number | null
}
interface RowError {
  row: number
  column: string
  message: string
}

/** 登记 / Registry: the points with their thresholds, CSV export, and (park admin) CSV import. */
export function registryPage(root: HTMLElement): () => void {
  const table = h('div', {}, t('loading'))
  const result = h('div', { 'data-testid': 'import-result' })
  const file = h('input', { type: 'file', accept: '.csv,text/csv', 'data-testid': 'import-file' })
  const dry = h('input', { type: 'checkbox', checked: true })
  const load = async () => {
    const [list, names] = await Promise.all([request<RegistryPoint[]>('/api/v1/registry/points'), loadNames()])
    const num = (x: number | null) => (x === null ? '—' : value(x))
    mount(
      table,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[t('point'), t('enterprise'), t('kind'), t('unit'), t('substance'), t('range'), t('thresholds')].map(
              (x) => h('th', {}, x),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...list.map((p) =>
            h(
              'tr',
              { 'data-point': p.id },
              h('td', {}, p.name ?? p.id, h('small', {}, p.id)),
              h('td', {}, names.enterprise(p.enterprise)),
              h('td', {}, className(p.class)),
              h('td', {}, p.unit ?? '—'),
              h('td', {}, p.substance ?? '—', p.cas ? h('small', {}, p.cas) : null),
              h('td', { class: 'num' }, `${num(p.rangeLow)} … ${num(p.rangeHigh)}`),
              h('td', { class: 'num' }, [p.ll, p.l, p.h, p.hh].map(num).join(' / ')),
            ),
          ),
        ),
      ),
    )
  }
  const download = async () => {
    const res = await authorized('/api/v1/registry/points/export')
    if (!res.ok) return mount(result, h('p', { class: 'error' }, `${t('error')}: ${res.status}`))
    const url = URL.createObjectURL(await res.blob())
    h('a', { href: url, download: 'points.csv' }).click()
    URL.revokeObjectURL(url)
  }
  const upload = async (ev: Event) => {
    ev.preventDefault()
    const chosen = file.files?.[0]
    if (!chosen) return
    const res = await authorized(`/api/v1/registry/points/import${dry.checked ? '?dryRun=1' : ''}`, {
      method: 'POST',
      csv: await chosen.text(),
    })
    const body = (await res.json()) as {
      changed?: number
      rows?: RowError[] | number
      error?: { code?: string; message: string; hint?: string }
    }
    if (res.ok) {
      mount(
        result,
        h(
          'p',
          { class: 'q-good' },
          `${dry.checked ? t('importChecked') : t('importDone')}: ${String(body.rows)} · ${t('changed')} ${body.changed ?? 0}`,
        ),
      )
      if (!dry.checked) await load()
    } else {
      const rows = Array.isArray(body.rows) ? body.rows : []
      mount(
        result,
        h(
          'p',
          { class: 'error' },
          errorText(
            new ApiError(
              res.status,
              body.error?.code ?? 'PL_INTERNAL',
              body.error?.message ?? String(res.status),
              body.error?.hint,
            ),
          ),
        ),
        h(
          'ul',
          {},
          ...rows.map((r) =>
            h('li', {}, `${t('row')} ${r.row}${r.column ? ` · ${t('column')} ${r.column}` : ''}: ${r.message}`),
          ),
        ),
      )
    }
  }
  const admin = currentUser()?.role === 'park_admin'
  mount(
    root,
    h('h1', {}, t('registry')),
    h('p', {}, h('button', { type: 'button', onclick: () => void download() }, t('exportCsv'))),
    admin
      ? h(
          'form',
          { onsubmit: (ev: Event) => void upload(ev) },
          file,
          h('label', {}, dry, t('dryRun')),
          h('button', { type: 'submit' }, t('importCsv')),
        )
      : null,
    result,
    table,
  )
  load().catch((err) => mount(table, h('p', { class: 'error' }, errorText(err))))
  return () => {}
}
