import '../journal.css'
import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { roleName, t } from '../i18n.ts'
import { time } from '../format.ts'
import { raw, table } from './admin-parts.ts'
import { apiKeysSection } from './api-keys.ts'
import { errorText } from './common.ts'
import { roleFields } from './role-fields.ts'

/** A user as GET /api/v1/users lists it (cloud/auth/accounts.ts userView: never the hash). */
interface UserView {
  id: number
  username: string
  displayName: string | null
  role: string
  enterprise: string | null
  disabled: boolean
  lockedUntil: number | null
  lastLoginAt: number | null
  createdAt: number
  createdBy: string
}

const stateOf = (u: UserView) =>
  u.disabled ? t('userDisabled') : u.lockedUntil && u.lockedUntil > Date.now() ? t('userLocked') : t('userActive')

/**
 * #/users: the security administrator's page (brief §7: accounts apart from the system's
 * administration): the accounts with create, disable/enable and unlock; the API keys below.
 */
export function usersPage(root: HTMLElement): () => void {
  const status = h('p', { class: 'status', 'data-testid': 'users-status' })
  const list = h('div', {}, t('loading'))
  const load = async () => {
    const users = await request<UserView[]>('/api/v1/users')
    mount(
      list,
      table(
        { 'data-testid': 'users' },
        [t('username'), t('displayName'), t('role'), t('enterprise'), t('state'), t('lastLogin'), t('createdAt'), ''],
        users.map(row),
      ),
    )
  }
  const change = (u: UserView, what: 'disable' | 'enable' | 'unlock') =>
    request(`/api/v1/users/${u.id}/${what}`, { method: 'POST' })
      .then(load)
      .catch((err) => mount(status, errorText(err)))
  const row = (u: UserView) =>
    h(
      'tr',
      { 'data-user': u.username },
      h('td', {}, raw(u.username)),
      h('td', {}, u.displayName ?? ''),
      h('td', {}, roleName(u.role)),
      h('td', {}, raw(u.enterprise)),
      h('td', { 'data-testid': `user-state-${u.username}` }, stateOf(u)),
      h('td', {}, time(u.lastLoginAt)),
      h('td', {}, time(u.createdAt), ' ', raw(u.createdBy)),
      h(
        'td',
        {},
        h(
          'button',
          {
            type: 'button',
            'data-change': u.disabled ? 'enable' : 'disable',
            onclick: () => void change(u, u.disabled ? 'enable' : 'disable'),
          },
          u.disabled ? t('userEnable') : t('userDisable'),
        ),
        u.lockedUntil
          ? h(
              'button',
              { type: 'button', 'data-change': 'unlock', onclick: () => void change(u, 'unlock') },
              t('userUnlock'),
            )
          : null,
      ),
    )
  mount(
    root,
    h('h1', {}, t('users')),
    h('h2', {}, t('userCreate')),
    createForm(status, () => void load()),
    status,
    h('h2', {}, t('userList')),
    list,
    apiKeysSection(),
  )
  void load().catch((err) => mount(list, h('p', { class: 'error' }, errorText(err))))
  return () => {}
}

function createForm(status: HTMLElement, onDone: () => void): HTMLFormElement {
  const username = h('input', {
    name: 'new-username',
    required: true,
    autocomplete: 'off',
    pattern: '[a-z0-9][a-z0-9._\\-]{1,63}',
  })
  const displayName = h('input', { name: 'displayName', maxlength: 128 })
  const password = h('input', { name: 'new-password', type: 'password', required: true, autocomplete: 'new-password' })
  const roles = roleFields()
  const form = h(
    'form',
    { class: 'filters', 'data-testid': 'user-create' },
    h('label', {}, t('username'), username),
    h('label', {}, t('displayName'), displayName),
    h('label', {}, t('role'), roles.role),
    h('label', {}, t('enterprise'), roles.field),
    h('label', {}, t('password'), password),
    h('button', { type: 'submit' }, t('userCreate')),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const body = {
      username: username.value.trim(),
      ...(displayName.value.trim() ? { displayName: displayName.value.trim() } : {}),
      ...roles.body(),
      password: password.value,
    }
    request('/api/v1/users', { method: 'POST', body })
      .then(() => {
        mount(status, t('userCreated'), ' ', raw(body.username))
        form.reset()
        roles.role.dispatchEvent(new Event('change'))
        onDone()
      })
      .catch((err) => mount(status, errorText(err)))
  })
  return form
}
