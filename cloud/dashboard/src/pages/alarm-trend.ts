import { h, mount } from '../dom.ts'
import { t } from '../i18n.ts'
import type { AlarmView } from '../types.ts'
import { alarmRange, hasTrend, rangeKey } from './alarm-trend-range.ts'
import { trendView } from './trend-view.ts'

/**
 * The point's trend around an alarm, on the alarm page (issue 17): the multi-pen trend view
 * (pages/trend-view.ts, as embedded on the point's page) with the alarm's point as first pen over
 * `alarmRange`, its raises and recoveries marked and its thresholds drawn. The box is separate from
 * the operator's steps, so nothing here touches what they type. `update` is called on every facts
 * refresh and rebuilds the trend only when the range changes; a camera alarm shows nothing.
 */
export function alarmTrend(box: HTMLElement, now: () => number = Date.now) {
  let key: string | null = null
  let stopView: (() => void) | null = null
  const stop = () => {
    stopView?.()
    stopView = null
  }
  const update = (a: AlarmView) => {
    if (!hasTrend(a.point) || rangeKey(a) === key) return
    key = rangeKey(a)
    stop()
    const body = h('div')
    mount(box, h('h2', {}, t('alarmTrend')), body)
    box.dataset.range = key
    stopView = trendView(body, { pens: [a.point], range: alarmRange(a, now()) })
  }
  return { update, stop }
}
