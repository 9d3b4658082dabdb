import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { t } from '../i18n.ts'
import { time, value } from '../format.ts'
import type { PointView } from '../types.ts'
import { errorText, poll } from './common.ts'
import { idsOnly, loadNames } from './names.ts'
import { limitsText } from './points.ts'
import { trendView } from './trend-view.ts'

/**
 * One point's page (#/points/{id}): its facts and latest value (refreshed every 5 s) over the
 * multi-pen trend (pages/trend-view.ts) with this point as the first pen; more can be added.
 */
export function trendPage(root: HTMLElement, id: string | undefined): () => void {
  const pointId = id ?? ''
  const head = h('div', { class: 'trend-head' }, t('loading'))
  const body = h('div')
  mount(root, head, body)
  let names = idsOnly
  void loadNames().then((n) => (names = n))

  const refresh = async () => {
    const point = await request<PointView>(`/api/v1/points/${encodeURIComponent(pointId)}`)
    mount(
      head,
      h('h1', {}, point.name ?? point.id),
      h(
        'p',
        {},
        `${point.id} · ${t('enterprise')} ${names.enterprise(point.enterprise)} · ${t('limits')} ${limitsText(point)}${point.range ? ` · ${t('range')} ${point.range.low}–${point.range.high}` : ''}`,
      ),
      h(
        'p',
        { class: 'big', 'data-testid': 'latest' },
        value(point.latest?.value, point.unit),
        h('small', {}, ` ${point.latest ? `${t(point.latest.quality)} · ${time(point.latest.ts)}` : ''}`),
      ),
    )
  }
  const stop = poll(refresh, 5_000, (err) => mount(head, h('p', { class: 'error' }, errorText(err))))
  const stopTrend = trendView(body, { pens: [pointId] })
  return () => {
    stop()
    stopTrend()
  }
}
