import { request } from '../api.ts'
import { h } from '../dom.ts'
import { roleName, t } from '../i18n.ts'

/** The roles (cloud/auth/roles.ts); the enterprise ones need an enterprise. */
export const ROLES = [
  'park_admin',
  'park_operator',
  'enterprise_admin',
  'enterprise_user',
  'technician',
  'auditor',
  'security_admin',
]
export const isEnterpriseRole = (role: string) => role.startsWith('enterprise_')

let lists = 0

/**
 * A role select and an enterprise field, enabled only for the enterprise roles. The enterprise is
 * typed as its id (the security administrator may not read the registry: permissions.ts gives it
 * accounts only; the server checks the id); where the registry answers, its ids are offered.
 */
export function roleFields(): {
  role: HTMLSelectElement
  enterprise: HTMLInputElement
  /** The enterprise input with its list of ids, for the form. */
  field: HTMLElement
  body(): Record<string, string>
} {
  const listId = `enterprise-ids-${++lists}`
  const role = h('select', { name: 'role' }, ...ROLES.map((r) => h('option', { value: r }, roleName(r))))
  const options = h('datalist', { id: listId })
  const enterprise = h('input', {
    name: 'enterprise',
    list: listId,
    disabled: true,
    autocomplete: 'off',
    placeholder: t('noEnterprise'),
  })
  void request<Array<{ id: string; name: string }>>('/api/v1/registry/enterprises')
    .then((list) => options.append(...list.map((e) => h('option', { value: e.id }, e.name))))
    .catch(() => {})
  role.addEventListener('change', () => {
    enterprise.disabled = !isEnterpriseRole(role.value)
    if (enterprise.disabled) enterprise.value = ''
  })
  return {
    role,
    enterprise,
    field: h('span', {}, enterprise, options),
    body: () => ({ role: role.value, ...(enterprise.value.trim() ? { enterprise: enterprise.value.trim() } : {}) }),
  }
}
