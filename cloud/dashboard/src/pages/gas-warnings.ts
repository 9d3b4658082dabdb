import '../gas.css'
import { currentUser, request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { t } from '../i18n.ts'
import { errorText, poll } from './common.ts'
import { type GasAbilities, type GasStep, gasCard, gasStep } from './gas-card.ts'
import { type GasNames, type GasWarningView, idNames, loadGasNames } from './gas-parts.ts'
import { idsOnly, loadNames, type Names } from './names.ts'

const PARK = ['park_admin', 'park_operator']
const ENTERPRISE = ['enterprise_admin', 'enterprise_user']
const CLEARED_SHOWN = 50

/** What the role may do (mirrors cloud/auth/permissions.ts; the API stays the judge). */
function abilities(role: string): GasAbilities {
  return { handle: PARK.includes(role), report: PARK.includes(role) || ENTERPRISE.includes(role) }
}

/**
 * #/gas-warnings (and #/gas-warnings/{id}, that warning outlined): the gas-leak warnings of the
 * identity's scope (易燃易爆有毒有害气体泄漏预警, issue 18, 001:L1933–1985), open ones first,
 * each in its colour, with the steps the role may take. Read every 10 s; a card is rebuilt only
 * when its warning changed, so a report being typed is not lost.
 */
export function gasWarningsPage(root: HTMLElement, focus: string | undefined): () => void {
  const status = h('p', { class: 'error', role: 'alert' })
  const openBox = h('div', { 'data-testid': 'gas-open' }, t('loading'))
  const clearedBox = h('div', { 'data-testid': 'gas-cleared' })
  mount(
    root,
    h('h1', {}, t('gasWarnings')),
    status,
    h('h2', {}, t('gasOpen')),
    openBox,
    h('h2', {}, t('gasCleared')),
    clearedBox,
  )
  const may = abilities(currentUser()?.role ?? '')
  let names: Names = idsOnly
  let gas: GasNames = idNames
  const shown = new Map<number, { json: string; el: HTMLElement }>()

  const act = (id: number) => (step: GasStep, body: Record<string, unknown>, message: HTMLElement) => {
    message.textContent = ''
    void gasStep(id, step, body, gas).then((refusal) => {
      if (refusal !== null) message.textContent = refusal
      else void load().catch((err) => (status.textContent = errorText(err)))
    })
  }
  const card = (w: GasWarningView): HTMLElement => {
    const json = JSON.stringify(w)
    const seen = shown.get(w.id)
    if (seen && seen.json === json) return seen.el
    const el = gasCard(w, { names, gas, may, act: act(w.id) })
    if (focus === String(w.id)) el.classList.add('focus')
    shown.set(w.id, { json, el })
    return el
  }
  const list = (box: HTMLElement, warnings: GasWarningView[]) =>
    warnings.length === 0 ? mount(box, h('p', { class: 'muted' }, t('none'))) : mount(box, ...warnings.map(card))

  let scrolled = false
  const load = async () => {
    const [open, cleared] = await Promise.all([
      request<GasWarningView[]>('/api/v1/gas-warnings?state=open'),
      request<GasWarningView[]>(`/api/v1/gas-warnings?state=cleared&limit=${CLEARED_SHOWN}`),
    ])
    status.textContent = ''
    list(openBox, open)
    list(clearedBox, cleared)
    const target = focus ? shown.get(Number(focus))?.el : undefined
    if (target && !scrolled) {
      scrolled = true
      target.scrollIntoView({ block: 'center' })
    }
  }
  const stop = poll(load, 10_000, (err) => (status.textContent = errorText(err)))
  // Names arrive once; the cards are drawn again with them.
  void Promise.all([loadNames(), loadGasNames()]).then(([n, g]) => {
    names = n
    gas = g
    shown.clear()
    void load().catch(() => {})
  })
  return stop
}
