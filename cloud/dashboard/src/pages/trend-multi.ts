import { h, mount } from '../dom.ts'
import { t } from '../i18n.ts'
import { trendView } from './trend-view.ts'

/**
 * #/trend?p=a,b&from=&to= — the multi-pen trend on its own page. The pens and the range live in
 * the address (replaced, not pushed: no page rebuild), so a view can be bookmarked or sent.
 */
export function trendMultiPage(root: HTMLElement, query: string | undefined): () => void {
  const q = new URLSearchParams(query ?? '')
  const pens = (q.get('p') ?? '').split(',').filter(Boolean)
  const from = Number(q.get('from'))
  const to = Number(q.get('to'))
  const body = h('div')
  mount(root, h('h1', {}, t('trendMulti')), body)
  return trendView(body, { pens, ...(from > 0 && to > from ? { range: { from, to } } : {}) }, (ids, r) => {
    const next = `#/trend?p=${ids.map(encodeURIComponent).join(',')}${r ? `&from=${r.from}&to=${r.to}` : ''}`
    if (location.hash.startsWith('#/trend')) history.replaceState(null, '', next)
  })
}
