import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { className, t } from '../i18n.ts'
import { ago, value } from '../format.ts'
import type { PointView } from '../types.ts'
import { errorText, poll } from './common.ts'

/** Enterprise → alarm unit class → points, with live values and quality (refreshed every 2 s). */
export function pointsPage(root: HTMLElement): () => void {
  const filter = h('input', { type: 'search', placeholder: `${t('point')} / ${t('enterprise')}`, 'data-testid': 'point-filter' })
  const tree = h('div', { class: 'tree' }, t('loading'))
  mount(root, h('div', { class: 'toolbar' }, filter), tree)
  let points: PointView[] = []
  const draw = () => {
    const q = filter.value.trim().toLowerCase()
    const shown = points.filter((p) => !q || `${p.id} ${p.name ?? ''} ${p.enterprise ?? ''}`.toLowerCase().includes(q))
    const byEnterprise = group(shown, (p) => p.enterprise ?? '—')
    mount(tree, ...[...byEnterprise].map(([enterprise, list]) =>
      h('details', { open: true, 'data-enterprise': enterprise },
        h('summary', {}, `${t('enterprise')} ${enterprise} (${list.length})`),
        ...[...group(list, (p) => p.class ?? '—')].map(([cls, inClass]) =>
          h('details', { open: true }, h('summary', {}, className(cls === '—' ? null : cls)), table(inClass))),
      )))
  }
  filter.addEventListener('input', draw)
  return poll(async () => {
    points = await request<PointView[]>('/api/v1/points')
    draw()
  }, 2_000, (err) => mount(tree, h('p', { class: 'error' }, errorText(err))))
}

function group<T>(items: T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const x of items) out.set(key(x), [...(out.get(key(x)) ?? []), x])
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)))
}

function table(points: PointView[]): HTMLElement {
  const now = Date.now()
  return h('table', {},
    h('thead', {}, h('tr', {}, ...[t('point'), t('value'), t('quality'), t('time'), t('limits')].map((x) => h('th', {}, x)))),
    h('tbody', {}, ...points.map((p) => h('tr', { 'data-point': p.id },
      h('td', {}, h('a', { href: `#/points/${encodeURIComponent(p.id)}` }, p.name ?? p.id), h('small', {}, p.id)),
      h('td', { class: 'num', 'data-testid': `value-${p.id}` }, value(p.latest?.value, p.unit)),
      h('td', { class: `q-${p.latest?.quality ?? 'none'}`, title: p.latest?.reason ?? '' }, p.latest ? t(p.latest.quality) : '—'),
      h('td', {}, ago(p.latest?.ts, now)),
      h('td', {}, limitsText(p)),
    ))),
  )
}

export function limitsText(p: Pick<PointView, 'limits'>): string {
  const l = p.limits
  if (!l) return '—'
  return (['ll', 'l', 'h', 'hh'] as const).filter((k) => l[k] !== null && l[k] !== undefined).map((k) => `${k.toUpperCase()} ${l[k]}`).join(' · ') || '—'
}
