import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { driverStateName, t } from '../i18n.ts'
import { ago } from '../format.ts'
import type { EdgeView } from '../types.ts'
import { errorText, poll } from './common.ts'
import { actionsCell, configCell } from './edge-actions.ts'

/** An edge's clock against the platform's: "2.0 s 超前" / "90.0 s behind" (the CLOCK alarm is raised beyond the configured threshold). */
const clockText = (ms: number | null) =>
  ms === null ? '—' : `${(Math.abs(ms) / 1000).toFixed(1)} s ${t(ms >= 0 ? 'ahead' : 'behind')}`

/** The edge fleet: online, last seen, clock offset, outbox depth, drivers. */
export function edgesPage(root: HTMLElement): () => void {
  const body = h('div', {}, t('loading'))
  mount(root, h('h1', {}, t('edges')), body)
  return poll(
    async () => {
      const edges = await request<EdgeView[]>('/api/v1/edges')
      const now = Date.now()
      mount(
        body,
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...[
                'ID',
                t('state'),
                t('lastSeen'),
                t('clockOffset'),
                t('outbox'),
                t('drivers'),
                t('fleetConfig'),
                t('fleetActions'),
              ].map((x) => h('th', {}, x)),
            ),
          ),
          h(
            'tbody',
            {},
            ...edges.map((e) =>
              h(
                'tr',
                { 'data-edge': e.id },
                h('td', { translate: 'no' }, e.id, h('small', {}, e.site)),
                h(
                  'td',
                  { class: e.online ? 'q-good' : 'q-bad' },
                  e.online
                    ? t('online')
                    : `${t('offline')}${e.offlineReason ? ` (${t(`off_${e.offlineReason}` as 'off_death')})` : ''}`,
                ),
                h('td', {}, ago(e.lastSeen, now)),
                h(
                  'td',
                  {
                    class: `num${e.clockOffsetMs !== null && Math.abs(e.clockOffsetMs) > 60_000 ? ' q-bad' : ''}`,
                    'data-clock': e.clockOffsetMs ?? '',
                  },
                  clockText(e.clockOffsetMs),
                ),
                h(
                  'td',
                  { class: 'num' },
                  e.outbox
                    ? `${e.outbox.samples} ${t('samples')}${e.outbox.oldestTs ? ` · ${ago(e.outbox.oldestTs, now)}` : ''}`
                    : '—',
                ),
                h(
                  'td',
                  {},
                  ...e.drivers.map((d) =>
                    h(
                      'div',
                      { class: d.state === 'connected' ? 'q-good' : 'q-bad', title: d.lastError ?? '' },
                      h('span', { translate: 'no' }, `${d.device} (${d.kind})`),
                      `: ${driverStateName(d.state)}`,
                    ),
                  ),
                ),
                configCell(e),
                actionsCell(e),
              ),
            ),
          ),
        ),
      )
    },
    5_000,
    (err) => mount(body, h('p', { class: 'error' }, errorText(err))),
  )
}
