import { landingOf } from './landing.ts'
import { ApiError, login } from '../api.ts'
import { h, mount } from '../dom.ts'
import { codeText, t } from '../i18n.ts'
import { errorText } from './common.ts'

export function loginPage(root: HTMLElement): () => void {
  const message = h('p', { class: 'error', role: 'alert' })
  const username = h('input', { name: 'username', autocomplete: 'username', required: true })
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })
  const form = h(
    'form',
    { class: 'login' },
    h('h1', {}, t('title')),
    h('label', {}, t('username'), username),
    h('label', {}, t('password'), password),
    h('button', { type: 'submit' }, t('login')),
    message,
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    message.textContent = ''
    login(username.value.trim(), password.value)
      .then((user) => (location.hash = landingOf(user.role)))
      .catch((err: unknown) => {
        // Known codes in the operator's language (the throttle's wait included); never the server's English on a zh-CN screen.
        const text = err instanceof ApiError ? (codeText(err.code, err.retryAfterS) ?? errorText(err)) : errorText(err)
        message.textContent = `${t('loginFailed')}: ${text}`
      })
  })
  mount(root, form)
  username.focus()
  return () => {}
}
