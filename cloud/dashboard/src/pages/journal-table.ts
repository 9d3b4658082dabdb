import { h, mount } from '../dom.ts'
import { fill, kindName, t } from '../i18n.ts'
import { chatterRows, type JournalRow } from './journal-chatter.ts'
import { time, value } from '../format.ts'
import type { AlarmView } from '../types.ts'
import { MEASURED } from './common.ts'
import type { Names } from './names.ts'

export interface Outcome {
  ok: boolean
  text: string
}

export const stateText = (a: AlarmView) => {
  const base = a.closedAt ? t('closed') : a.state === 'active' ? t('active') : t('recovered')
  const overlay = a.disposal.overlay
  return overlay?.kind === 'shelved'
    ? `${base} · ${t('shelved')}`
    : overlay?.kind === 'out_of_service'
      ? `${base} · ${t('outOfService')}`
      : base
}

const disposalText = (a: AlarmView) =>
  [
    a.disposal.ack ? `${t('ack')} ${a.disposal.ack.by}` : '',
    a.disposal.triage ? `${t('triage')}: ${t(a.disposal.triage.verdict as 'valid')}` : '',
    a.disposal.feedback ? t('feedback') : '',
  ]
    .filter(Boolean)
    .join(' · ') || '—'

/**
 * The journal's table: one row per alarm with a checkbox (the selection survives a redraw),
 * names not ids, values with their unit, and the outcome of the last bulk step per alarm.
 */
export function drawJournal(
  box: HTMLElement,
  list: AlarmView[],
  o: {
    names: Names
    units: Map<string, string>
    selected: Set<number>
    outcomes: Map<number, Outcome>
    selectable: boolean
    onSelect(): void
    /** Chattering groups shown open (journal-chatter.ts), by key; kept across redraws. */
    expanded?: Set<string>
  },
): void {
  const expanded = o.expanded ?? new Set<string>()
  const check = (a: AlarmView) => {
    const box = h('input', {
      type: 'checkbox',
      'data-select': a.id,
      'aria-label': String(a.id),
      checked: o.selected.has(a.id),
    })
    box.addEventListener('change', () => {
      if (box.checked) o.selected.add(a.id)
      else o.selected.delete(a.id)
      o.onSelect()
    })
    return box
  }
  const outcome = (a: AlarmView) => {
    const r = o.outcomes.get(a.id)
    return h('td', { 'data-outcome': r ? (r.ok ? 'ok' : 'refused') : '' }, r ? r.text : '')
  }
  const unit = (a: AlarmView) => o.units.get(a.point) ?? ''
  const row = (a: AlarmView, member = false) =>
    h(
      'tr',
      { class: `p-${a.priority}${member ? ' chatter-member' : ''}`, 'data-alarm': a.id },
      o.selectable ? h('td', {}, check(a)) : null,
      h('td', { class: 'prio' }, a.priority),
      h('td', {}, time(a.raisedAt)),
      h('td', {}, o.names.enterprise(a.enterprise)),
      h('td', {}, h('a', { href: `#/alarms/${a.id}` }, a.pointName ?? a.point), h('small', {}, a.point)),
      h('td', {}, kindName(a.kind)),
      h('td', { class: 'num' }, MEASURED.has(a.kind) ? `${value(a.value, unit(a))} / ${value(a.limit, unit(a))}` : '—'),
      h('td', { 'data-testid': `state-${a.id}` }, stateText(a)),
      h('td', {}, disposalText(a)),
      outcome(a),
    )
  // A chattering group: one row with the count (its checkbox selects every record), its records below when open.
  const chatterGroup = (g: Extract<JournalRow, { type: 'chatter' }>): HTMLElement[] => {
    const newest = g.alarms[0]!
    const open = expanded.has(g.key)
    const all = h('input', {
      type: 'checkbox',
      'aria-label': t('chatter'),
      checked: g.alarms.every((a) => o.selected.has(a.id)),
    })
    all.addEventListener('change', () => {
      for (const a of g.alarms)
        if (all.checked) o.selected.add(a.id)
        else o.selected.delete(a.id)
      drawJournal(box, list, o)
      o.onSelect()
    })
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'chatter-toggle',
        'aria-expanded': String(open),
        onclick: () => {
          if (open) expanded.delete(g.key)
          else expanded.add(g.key)
          drawJournal(box, list, { ...o, expanded })
        },
      },
      open ? t('chatterHide') : t('chatterShow'),
    )
    const head = h(
      'tr',
      { class: `p-${newest.priority} chatter`, 'data-chatter': newest.point, 'data-count': g.count },
      o.selectable ? h('td', {}, all) : null,
      h('td', { class: 'prio' }, newest.priority),
      h('td', {}, `${time(g.alarms[g.alarms.length - 1]!.raisedAt)} – ${time(newest.raisedAt)}`),
      h('td', {}, o.names.enterprise(newest.enterprise)),
      h('td', {}, newest.pointName ?? newest.point, h('small', {}, newest.point)),
      h('td', {}, kindName(newest.kind)),
      h(
        'td',
        { colspan: 3 },
        h('b', { class: 'chatter-badge' }, `${t('chatter')} × ${fill(t('chatterCount'), { n: g.count })}`),
        ` · ${fill(t('chatterGroup'), { n: g.alarms.length })} `,
        toggle,
      ),
      h('td', {}),
    )
    return [head, ...(open ? g.alarms.map((a) => row(a, true)) : [])]
  }
  mount(
    box,
    list.length === 0
      ? h('p', { class: 'muted' }, t('none'))
      : h(
          'table',
          { class: 'journal' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              o.selectable ? h('th', {}) : null,
              ...[
                t('priority'),
                t('raisedAt'),
                t('enterprise'),
                t('point'),
                t('kind'),
                t('value'),
                t('state'),
                t('timeline'),
                t('outcome'),
              ].map((x) => h('th', {}, x)),
            ),
          ),
          h('tbody', {}, ...chatterRows(list).flatMap((r) => (r.type === 'one' ? [row(r.alarm)] : chatterGroup(r)))),
        ),
  )
}
