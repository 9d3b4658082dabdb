import { ApiError, authorized } from '../api.ts'
import { h } from '../dom.ts'
import { t } from '../i18n.ts'
import { time } from '../format.ts'
import type { Names } from './names.ts'
import { errorText } from './common.ts'
import { type GasNames, type GasWarningView, colourName, refusalText, stepSentence } from './gas-parts.ts'

export type GasStep = 'ack' | 'report' | 'clear'

/** What a role may do on a warning (cloud/auth/permissions.ts: ack and clear alarms:handle, report alarms:feedback). */
export interface GasAbilities {
  handle: boolean
  report: boolean
}

/**
 * A step on a warning. null: done; otherwise the text to show. A 409 refusal carries the warning:
 * its reason is told from it in the operator's language (the server's message is English).
 */
export async function gasStep(
  id: number,
  step: GasStep,
  body: Record<string, unknown>,
  names: GasNames,
): Promise<string | null> {
  const res = await authorized(`/api/v1/gas-warnings/${id}/${step}`, { method: 'POST', body }).catch(() => null)
  if (!res) return errorText(null)
  if (res.ok) return null
  const answer = (await res.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; hint?: string }
    warning?: GasWarningView
  }
  if (res.status === 409 && answer.warning) return refusalText(step, answer.warning, names)
  const e = answer.error ?? {}
  return errorText(new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? res.statusText, e.hint))
}

/** One warning: its colour as the colour, where, since when, its deadlines, its report, the steps the role may take, its history. */
export function gasCard(
  w: GasWarningView,
  o: {
    names: Names
    gas: GasNames
    may: GasAbilities
    act: (step: GasStep, body: Record<string, unknown>, message: HTMLElement) => void
  },
): HTMLElement {
  const message = h('p', { class: 'error', role: 'alert', 'data-testid': `gas-message-${w.id}` })
  const open = w.state === 'open'
  const fact = (label: string, ...value: Array<Node | string | null>) => [h('dt', {}, label), h('dd', {}, ...value)]
  const detectors = w.active.length ? w.active.map((p) => o.gas.point(p)).join('、') : t('none')
  return h(
    'article',
    {
      class: `gas-warning gas-c-${w.colour}${open ? '' : ' cleared'}`,
      'data-warning': w.id,
      'data-colour': w.colour,
      'data-state': w.state,
    },
    h(
      'header',
      {},
      h('span', { class: 'gas-colour', 'data-testid': `gas-colour-${w.id}` }, colourName(w.colour)),
      h('b', {}, o.gas.area(w.area)),
      h('span', {}, o.names.enterprise(w.enterprise)),
    ),
    h(
      'dl',
      {},
      ...fact(t('gasActive'), h('span', { 'data-testid': `gas-active-${w.id}` }, detectors)),
      ...fact(t('gasSince'), time(w.openedAt)),
      ...fact(t('gasColourSince'), time(w.colourSince)),
      ...(w.noticeDueAt !== null || w.noticeSentAt !== null
        ? fact(
            t('gasNoticeDue'),
            time(w.noticeDueAt),
            w.noticeSentAt !== null ? ` · ${t('gasNoticeSent')} ${time(w.noticeSentAt)}` : null,
          )
        : []),
      ...(w.acknowledgedAt !== null
        ? fact(t('gasAcked'), `${time(w.acknowledgedAt)} · `, h('span', { translate: 'no' }, w.acknowledgedBy ?? ''))
        : []),
      ...fact(t('gasReport'), ...reportView(w)),
      ...(w.clearedAt !== null
        ? fact(t('closedAt'), `${time(w.clearedAt)} · `, h('span', { translate: 'no' }, w.clearedBy ?? ''))
        : []),
    ),
    open ? steps(w, o, message) : null,
    message,
    h('h3', {}, t('gasHistory')),
    h('ol', { 'data-testid': `gas-history-${w.id}` }, ...w.history.map(stepSentence)),
  )
}

function reportView(w: GasWarningView): Array<Node | string> {
  if (!w.report) return [t('gasReportMissing')]
  return [
    h('span', { 'data-testid': `gas-report-${w.id}` }, w.report.text),
    h('br'),
    h('small', { translate: 'no' }, [...w.report.attachments, w.report.by].join(' · ')),
    h('small', {}, ` · ${time(w.report.at)}`),
  ]
}

/** The steps the role may take on an open warning: acknowledge, file the report (text + attachment references), clear. */
function steps(w: GasWarningView, o: Parameters<typeof gasCard>[1], message: HTMLElement): HTMLElement {
  const text = h('textarea', { 'data-testid': `gas-report-text-${w.id}`, 'aria-label': t('gasReportText') })
  const files = h('textarea', { 'data-testid': `gas-report-files-${w.id}`, 'aria-label': t('gasAttachments') })
  const button = (label: string, testid: string, onclick: () => void) =>
    h('button', { type: 'button', 'data-testid': testid, onclick }, label)
  return h(
    'div',
    { class: 'gas-steps' },
    o.may.handle && w.acknowledgedAt === null
      ? button(t('gasAck'), `gas-ack-${w.id}`, () => o.act('ack', {}, message))
      : null,
    o.may.report ? h('label', {}, t('gasReportText'), h('br'), text) : null,
    o.may.report ? h('label', {}, t('gasAttachments'), h('br'), files) : null,
    o.may.report
      ? button(t('gasFileReport'), `gas-file-report-${w.id}`, () =>
          o.act(
            'report',
            {
              text: text.value,
              attachments: files.value
                .split('\n')
                .map((s) => s.trim())
                .filter(Boolean),
            },
            message,
          ),
        )
      : null,
    o.may.handle ? button(t('gasClear'), `gas-clear-${w.id}`, () => o.act('clear', {}, message)) : null,
  )
}
