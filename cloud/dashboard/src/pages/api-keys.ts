import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { roleName, t } from '../i18n.ts'
import { time } from '../format.ts'
import { raw, table } from './admin-parts.ts'
import { errorText } from './common.ts'
import { roleFields } from './role-fields.ts'

/** An API key record as GET /api/v1/api-keys lists it (never the key: only its prefix). */
interface KeyView {
  id: number
  name: string
  prefix: string
  role: string
  enterprise: string | null
  createdAt: number
  createdBy: string
  revokedAt: number | null
  lastUsedAt: number | null
}

/**
 * The API keys part of #/users: the list, a create form whose answer shows the key once (the
 * cloud keeps only its hash: cloud/api/routes/users.ts), and revoke.
 */
export function apiKeysSection(): HTMLElement {
  const status = h('p', { class: 'status', 'data-testid': 'keys-status' })
  const list = h('div', {}, t('loading'))
  const load = async () => {
    const keys = await request<KeyView[]>('/api/v1/api-keys')
    mount(
      list,
      keys.length
        ? table(
            { 'data-testid': 'api-keys' },
            [t('keyName'), t('keyPrefix'), t('role'), t('enterprise'), t('createdAt'), t('lastUsed'), t('state'), ''],
            keys.map(row),
          )
        : h('p', {}, t('none')),
    )
  }
  const revoke = (k: KeyView) =>
    request(`/api/v1/api-keys/${k.id}/revoke`, { method: 'POST' })
      .then(load)
      .catch((err) => mount(status, errorText(err)))
  const row = (k: KeyView) =>
    h(
      'tr',
      { 'data-key': k.name },
      h('td', {}, raw(k.name)),
      h('td', {}, raw(k.prefix)),
      h('td', {}, roleName(k.role)),
      h('td', {}, raw(k.enterprise)),
      h('td', {}, time(k.createdAt), ' ', raw(k.createdBy)),
      h('td', {}, time(k.lastUsedAt)),
      h('td', {}, k.revokedAt ? `${t('keyRevoked')} ${time(k.revokedAt)}` : t('userActive')),
      h('td', {}, k.revokedAt ? null : h('button', { type: 'button', onclick: () => void revoke(k) }, t('keyRevoke'))),
    )
  const name = h('input', { name: 'key-name', required: true, autocomplete: 'off' })
  const roles = roleFields()
  const form = h(
    'form',
    { class: 'filters', 'data-testid': 'key-create' },
    h('label', {}, t('keyName'), name),
    h('label', {}, t('role'), roles.role),
    h('label', {}, t('enterprise'), roles.field),
    h('button', { type: 'submit' }, t('keyCreate')),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    request<{ key: string }>('/api/v1/api-keys', { method: 'POST', body: { name: name.value.trim(), ...roles.body() } })
      .then((created) => {
        // Shown once: the cloud keeps only the hash.
        mount(status, t('keyOnce'), ' ', h('code', { translate: 'no', 'data-testid': 'new-key' }, created.key))
        form.reset()
        roles.role.dispatchEvent(new Event('change'))
        return load()
      })
      .catch((err) => mount(status, errorText(err)))
  })
  void load().catch((err) => mount(list, h('p', { class: 'error' }, errorText(err))))
  return h('section', {}, h('h2', {}, t('apiKeys')), form, status, list)
}
