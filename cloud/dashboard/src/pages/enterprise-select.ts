import { request } from '../api.ts'
import { h } from '../dom.ts'
import { t } from '../i18n.ts'

/** A select of the enterprises the identity sees (registry names), "all" first; calls back on change. */
export function enterpriseSelect(onChange: () => void): { el: HTMLElement; value(): string } {
  const select = h(
    'select',
    { name: 'enterprise', 'data-testid': 'enterprise', onchange: onChange },
    h('option', { value: '' }, t('kpiAllEnterprises')),
  )
  void request<Array<{ id: string; name: string }>>('/api/v1/registry/enterprises')
    .then((list) => select.append(...list.map((e) => h('option', { value: e.id }, e.name))))
    .catch(() => {}) // the page still shows the park's figures
  return { el: h('label', {}, t('enterprise'), select), value: () => select.value }
}
