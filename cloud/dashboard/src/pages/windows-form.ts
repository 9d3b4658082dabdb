import { currentUser, request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { t } from '../i18n.ts'
import type { PointView } from '../types.ts'
import { beijingIso, beijingLocal, raw } from './admin-parts.ts'
import { errorText } from './common.ts'

/** Who may request a window (cloud/auth/permissions.ts windows:request). */
export const mayRequest = (role: string) => ['park_admin', 'enterprise_admin', 'enterprise_user'].includes(role)

/**
 * The request form of #/windows: the enterprise's points as tick boxes, from/to in park time
 * (defaults: in 10 minutes, for 2 hours), a reason. An enterprise user requests for its own
 * enterprise; the park administrator picks the enterprise of the points it ticks.
 */
export function windowRequestForm(onDone: () => void): HTMLElement {
  const user = currentUser()
  const status = h('p', { class: 'status', 'data-testid': 'window-request-status' })
  const points = h('div', { class: 'window-points', 'data-testid': 'window-points' }, t('loading'))
  const start = Date.now() + 10 * 60_000
  const from = h('input', { type: 'datetime-local', name: 'from', value: beijingLocal(start), required: true })
  const to = h('input', {
    type: 'datetime-local',
    name: 'to',
    value: beijingLocal(start + 2 * 3_600_000),
    required: true,
  })
  const reason = h('textarea', { name: 'reason', rows: 2, required: true, maxlength: 1000 })
  const form = h(
    'form',
    { class: 'filters window-request', 'data-testid': 'window-request' },
    h('fieldset', {}, h('legend', {}, t('winPoints')), points),
    h('label', {}, t('fromTime'), from),
    h('label', {}, t('toTime'), to),
    h('label', {}, t('winReason'), reason),
    h('button', { type: 'submit' }, t('winSubmit')),
    status,
  )
  void request<PointView[]>('/api/v1/points')
    .then((list) =>
      mount(
        points,
        ...list
          .filter((p) => !user?.enterprise || p.enterprise === user.enterprise)
          .map((p) =>
            h(
              'label',
              {},
              h('input', { type: 'checkbox', name: 'point', value: p.id, 'data-enterprise': p.enterprise ?? '' }),
              p.name ?? '',
              raw(p.id),
            ),
          ),
      ),
    )
    .catch((err) => mount(points, errorText(err)))
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const ticked = [...points.querySelectorAll<HTMLInputElement>('input[name=point]:checked')]
    if (ticked.length === 0) return mount(status, t('winNoPoints'))
    const body = {
      enterprise: user?.enterprise ?? ticked[0]!.dataset.enterprise ?? '',
      points: ticked.map((i) => i.value),
      from: beijingIso(from.value),
      to: beijingIso(to.value),
      reason: reason.value,
    }
    mount(status, t('working'))
    request('/api/v1/maintenance-windows', { method: 'POST', body })
      .then(() => {
        mount(status, t('winRequested'))
        reason.value = ''
        onDone()
      })
      .catch((err) => mount(status, errorText(err)))
  })
  return form
}
