import '../gas.css'
import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { fill, t } from '../i18n.ts'
import { time } from '../format.ts'
import type { PointView } from '../types.ts'
import { type GasWarningView, colourName } from './gas-parts.ts'

/**
 * The alarm page's banner for a gas point (issue 18): its area's open gas-leak warning, in the
 * warning's colour, with a link to it. Hidden for other points, and while the area has none.
 */
export function gasBanner() {
  const el = h('div', { class: 'gas-banner', role: 'status', 'data-testid': 'gas-banner', hidden: true })
  let area: string | null = null
  const refresh = async () => {
    if (!area) return
    const open = await request<GasWarningView[]>('/api/v1/gas-warnings?state=open').catch(() => null)
    if (!open) return
    const w = open.find((x) => x.area === area)
    el.hidden = !w
    if (!w) return
    el.className = `gas-banner gas-c-${w.colour}`
    el.dataset.colour = w.colour
    const text = fill(t('gasBanner'), { colour: colourName(w.colour) })
    if (el.dataset.shown === `${w.id}:${w.colour}`) return
    el.dataset.shown = `${w.id}:${w.colour}`
    mount(
      el,
      h('span', {}, `${text} · ${t('gasSince')} ${time(w.openedAt)}`),
      h('a', { href: `#/gas-warnings/${w.id}`, 'data-testid': 'gas-banner-link' }, t('gasView')),
    )
  }
  return {
    el,
    /** The alarm's point: a gas point with an area shows its area's warning. */
    point(p: PointView) {
      area = p.class === 'gas' ? p.area : null
      return refresh()
    },
    refresh,
  }
}
