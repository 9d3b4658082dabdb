import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { className, t } from '../i18n.ts'
import { ago, value } from '../format.ts'
import type { PointView } from '../types.ts'
import { errorText, poll } from './common.ts'
import { idsOnly, loadNames } from './names.ts'

interface HazardSource {
  id: string
  name: string
  level: number
}

/**
 * Enterprise → hazard source (重大危险源, from the registry) → points, with live values and quality
 * (refreshed every 2 s); points outside a hazard source are grouped by their alarm unit class.
 */
export function pointsPage(root: HTMLElement): () => void {
  const filter = h('input', {
    type: 'search',
    placeholder: `${t('point')} / ${t('enterprise')}`,
    'data-testid': 'point-filter',
  })
  const tree = h('div', { class: 'tree' }, t('loading'))
  mount(root, h('div', { class: 'toolbar' }, filter), tree)
  let points: PointView[] = []
  let sources = new Map<string, HazardSource>()
  // Enterprises by name (the registry's); until it answers, by id.
  let names = idsOnly
  void loadNames().then((n) => {
    names = n
    draw()
  })
  // The registry's hazard sources, for their names and levels; without them the ids are shown.
  void request<HazardSource[]>('/api/v1/registry/hazard-sources')
    .then((list) => {
      sources = new Map(list.map((s) => [s.id, s]))
      draw()
    })
    .catch(() => {})
  const groupOf = (p: PointView) => {
    if (p.hazardSource === null) return `~${className(p.class)}`
    const s = sources.get(p.hazardSource)
    return s ? `${t('hazardSource')} ${s.name} (${s.level})` : `${t('hazardSource')} ${p.hazardSource}`
  }
  const draw = () => {
    const q = filter.value.trim().toLowerCase()
    const shown = points.filter((p) => !q || `${p.id} ${p.name ?? ''} ${p.enterprise ?? ''}`.toLowerCase().includes(q))
    const byEnterprise = group(shown, (p) => p.enterprise ?? '—')
    mount(
      tree,
      ...[...byEnterprise].map(([enterprise, list]) =>
        h(
          'details',
          { open: true, 'data-enterprise': enterprise },
          h('summary', {}, `${t('enterprise')} ${names.enterprise(enterprise)} (${list.length})`),
          // Hazard sources first; the class groups (sorted after them by the "~") follow.
          ...[...group(list, groupOf)].map(([name, inGroup]) =>
            h(
              'details',
              { open: true, 'data-group': name.replace(/^~/, '') },
              h('summary', {}, name.replace(/^~/, '')),
              table(inGroup),
            ),
          ),
        ),
      ),
    )
  }
  filter.addEventListener('input', draw)
  return poll(
    async () => {
      points = await request<PointView[]>('/api/v1/points')
      draw()
    },
    2_000,
    (err) => mount(tree, h('p', { class: 'error' }, errorText(err))),
  )
}

function group<T>(items: T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const x of items) out.set(key(x), [...(out.get(key(x)) ?? []), x])
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)))
}

function table(points: PointView[]): HTMLElement {
  const now = Date.now()
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h('tr', {}, ...[t('point'), t('value'), t('quality'), t('time'), t('limits')].map((x) => h('th', {}, x))),
    ),
    h(
      'tbody',
      {},
      ...points.map((p) =>
        h(
          'tr',
          { 'data-point': p.id },
          h(
            'td',
            {},
            h('a', { href: `#/points/${encodeURIComponent(p.id)}` }, p.name ?? p.id),
            h('small', { translate: 'no' }, p.id),
          ),
          h('td', { class: 'num', 'data-testid': `value-${p.id}` }, value(p.latest?.value, p.unit)),
          h(
            'td',
            { class: `q-${p.latest?.quality ?? 'none'}`, title: p.latest?.reason ?? '' },
            p.latest ? t(p.latest.quality) : '—',
          ),
          h('td', {}, ago(p.latest?.ts, now)),
          h('td', {}, limitsText(p)),
        ),
      ),
    ),
  )
}

export function limitsText(p: Pick<PointView, 'limits'>): string {
  const l = p.limits
  if (!l) return '—'
  return (
    (['ll', 'l', 'h', 'hh'] as const)
      .filter((k) => l[k] !== null && l[k] !== undefined)
      .map((k) => `${k.toUpperCase()} ${l[k]}`)
      .join(' · ') || '—'
  )
}
