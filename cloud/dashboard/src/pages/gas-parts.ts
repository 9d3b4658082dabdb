import { request } from '../api.ts'
import { h } from '../dom.ts'
import { codeText, fill, t } from '../i18n.ts'
import { time } from '../format.ts'

export type GasColour = 'blue' | 'yellow' | 'orange' | 'red'

/** GET /api/v1/gas-warnings (cloud/alarms/gas/model.ts GasWarningRecord; the fields the dashboard reads). */
export interface GasWarningView {
  id: number
  area: string
  enterprise: string | null
  colour: GasColour
  state: 'open' | 'cleared'
  openedAt: number
  colourSince: number
  reasons: string[]
  active: string[]
  acknowledgedAt: number | null
  acknowledgedBy: string | null
  noticeDueAt: number | null
  noticeSentAt: number | null
  report: { text: string; attachments: string[]; by: string; at: number } | null
  clearedAt: number | null
  clearedBy: string | null
  history: Array<{
    at: number
    action: 'opened' | 'escalated' | 'acknowledged' | 'reported' | 'notice' | 'cleared'
    colour: GasColour
    by?: string
    reasons?: string[]
    tell?: string[]
  }>
}

type Dict = Parameters<typeof t>[0]
const key = (k: string) => k as Dict

/** 红色预警 / Red warning. */
export const colourName = (c: GasColour): string => t(key(`gasColour_${c}`))

/** A reason of shared/rules/gas-warning.ts ("spread 3", "repeats 5", "gas alarm") in words. */
export function reasonText(reason: string): string {
  const m = /^(spread|repeats|durationMin|meanClearMin) (\d+)$/.exec(reason)
  if (m) return fill(t(key(`gasReason_${m[1]}`)), { n: m[2]! })
  return reason === 'gas alarm' ? t('gasReason_gas') : reason
}

/** Names for the ids a warning carries: areas (registry) and detectors (points), read once. */
export interface GasNames {
  area(id: string): string
  point(id: string): string
}

export async function loadGasNames(): Promise<GasNames> {
  const read = (path: string) =>
    request<Array<{ id: string; name: string | null }>>(path)
      .then((list) => new Map(list.map((e) => [e.id, e.name ?? e.id])))
      .catch(() => new Map<string, string>())
  const [areas, points] = await Promise.all([read('/api/v1/registry/areas'), read('/api/v1/points')])
  return { area: (id) => areas.get(id) ?? id, point: (id) => points.get(id) ?? id }
}

export const idNames: GasNames = { area: (id) => id, point: (id) => id }

/** An id shown as it is (not a word to translate). */
const raw = (text: string) => h('span', { translate: 'no' }, text)

/** A history step as a sentence: when, who, what, the colour, why, and who was to be told. */
export function stepSentence(s: GasWarningView['history'][number]): HTMLElement {
  const what =
    s.action === 'notice'
      ? `${colourName(s.colour)}${t('gasAct_notice')}`
      : `${t(key(`gasAct_${s.action}`))}${colourName(s.colour)}`
  return h(
    'li',
    { 'data-step': s.action },
    h('time', {}, time(s.at)),
    ' ',
    s.by ? raw(s.by) : null,
    s.by ? ' ' : null,
    what,
    s.reasons?.length ? `；${t('gasReasons')}：${s.reasons.map(reasonText).join('、')}` : null,
    s.tell?.length ? `；${t('gasTell')}：` : null,
    s.tell?.length ? raw(s.tell.join('、')) : null,
  )
}

/**
 * The zh-CN (or English) reason a step was refused (409 PL_STATE_CONFLICT, whose message is
 * English): read from the warning that comes with the refusal, case by case.
 */
export function refusalText(step: string, w: GasWarningView, names: GasNames): string {
  if (w.state === 'cleared') return t('gasRefuse_cleared')
  if (step === 'clear' && w.active.length > 0)
    return fill(t('gasRefuse_alarming'), { list: w.active.map(names.point).join('、') })
  if (step === 'clear' && (w.colour === 'orange' || w.colour === 'red') && !w.report?.text.trim())
    return t('gasRefuse_noReport')
  if (step === 'ack' && w.acknowledgedAt !== null) return t('gasRefuse_acked')
  return codeText('PL_STATE_CONFLICT') ?? t('error')
}
