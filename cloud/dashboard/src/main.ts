import './style.css'
import { currentUser, logout, setLoggedOutHandler } from './api.ts'
import { h, mount } from './dom.ts'
import { currentLang, roleName, setLang, t } from './i18n.ts'
import { alarmPage } from './pages/alarm.ts'
import { boardPage } from './pages/board.ts'
import { edgesPage } from './pages/edges.ts'
import { loginPage } from './pages/login.ts'
import { pointsPage } from './pages/points.ts'
import { trendPage } from './pages/trend.ts'
import { registryPage } from './pages/registry.ts'
import { wallPage } from './pages/wall.ts'
import { journalPage } from './pages/journal.ts'
import { loadNames } from './pages/names.ts'
import { reportsPage } from './pages/reports.ts'
import { windowsPage } from './pages/windows.ts'
import { usersPage } from './pages/users.ts'
import { auditPage } from './pages/audit.ts'
import { camerasPage } from './pages/cameras.ts'
import { landingOf, mayOpen, noAccessPage } from './pages/landing.ts'
import { trendMultiPage } from './pages/trend-multi.ts'
import { kpiPage } from './pages/kpi.ts'
import { completenessPage } from './pages/completeness.ts'
import { gasWarningsPage } from './pages/gas-warnings.ts'

/**
 * A hash router: #/board, #/points, #/points/{id}, #/alarms/{id}, #/edges, #/login. Each page
 * returns a cleanup (timers, streams) that runs when the operator leaves it.
 */
type Page = (root: HTMLElement, param: string | undefined) => () => void

const routes: Array<[RegExp, Page]> = [
  [/^#\/board$/, boardPage],
  [/^#\/points$/, pointsPage],
  [/^#\/points\/(.+)$/, trendPage],
  [/^#\/alarms\/(\d+)$/, alarmPage],
  [/^#\/edges$/, edgesPage],
  [/^#\/registry$/, registryPage],
  [/^#\/journal$/, journalPage],
  [/^#\/reports$/, reportsPage],
  [/^#\/windows$/, windowsPage],
  [/^#\/users$/, usersPage],
  [/^#\/audit$/, auditPage],
  [/^#\/trend(?:\?(.*))?$/, trendMultiPage],
  [/^#\/kpi$/, kpiPage],
  [/^#\/completeness$/, completenessPage],
  [/^#\/cameras$/, camerasPage],
  [/^#\/gas-warnings(?:\/(\d+))?$/, gasWarningsPage],
]

const app = document.getElementById('app')!
let cleanup: () => void = () => {}

function nav(): HTMLElement {
  const user = currentUser()
  // Only the pages the role works on (pages/landing.ts); the API still judges every request.
  const link = (hash: string, label: string) =>
    user && !mayOpen(user.role, hash)
      ? null
      : h('a', { href: hash, class: location.hash.startsWith(hash) ? 'active' : null }, label)
  return h(
    'header',
    {},
    h('strong', {}, t('title')),
    h(
      'nav',
      {},
      link('#/board', t('board')),
      link('#/points', t('points')),
      link('#/edges', t('edges')),
      link('#/registry', t('registry')),
      link('#/journal', t('journal')),
      link('#/reports', t('reports')),
      link('#/windows', t('windows')),
      link('#/users', t('users')),
      link('#/audit', t('audit')),
      link('#/trend', t('trendMulti')),
      link('#/kpi', t('kpi')),
      link('#/completeness', t('completeness')),
      link('#/cameras', t('cameras')),
      link('#/gas-warnings', t('gasWarnings')),
      user && !mayOpen(user.role, '#/wall') ? null : h('a', { href: '/wall' }, t('wall')),
    ),
    h('span', { class: 'spacer' }),
    user ? who(user) : null,
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          setLang(currentLang() === 'en' ? 'zh-CN' : 'en')
          render()
        },
      },
      t('lang'),
    ),
    user
      ? h(
          'button',
          { type: 'button', onclick: () => void logout().then(() => (location.hash = '#/login')) },
          t('logout'),
        )
      : null,
  )
}

/** Who is logged in: name, role by name, and the enterprise's name once the registry answers. */
function who(user: NonNullable<ReturnType<typeof currentUser>>): HTMLElement {
  const el = h('span', { class: 'who', 'data-testid': 'who' }, `${user.username} · ${roleName(user.role)}`)
  if (user.enterprise) void loadNames().then((n) => el.append(` · ${n.enterprise(user.enterprise)}`))
  return el
}

/** The wall display (issue 17): at /wall (or #/wall), full screen, without the header. */
const onWall = () => location.pathname === '/wall' || location.hash === '#/wall'

function render(): void {
  cleanup()
  cleanup = () => {}
  document.title = `parklink · ${t('title')}`
  if (!currentUser() || location.hash === '#/login') {
    if (location.hash !== '#/login') location.hash = '#/login'
    const main = h('main')
    mount(app, main)
    cleanup = loginPage(main)
    return
  }
  if (onWall()) {
    const main = h('main')
    mount(app, main)
    cleanup = wallPage(main)
    return
  }
  const role = currentUser()!.role
  const hash = location.hash && location.hash !== '#/' ? location.hash : landingOf(role)
  const main = h('main')
  mount(app, nav(), main)
  // A page the role may not see: a clear message and its own page (issue 17, bad input).
  if (!mayOpen(role, hash)) {
    cleanup = noAccessPage(main, role)
    return
  }
  for (const [re, page] of routes) {
    const m = re.exec(hash)
    if (m) {
      cleanup = page(main, m[1] === undefined ? undefined : decodeURIComponent(m[1]))
      return
    }
  }
  location.hash = landingOf(role)
}

setLoggedOutHandler(() => {
  if (location.hash !== '#/login') location.hash = '#/login'
})
window.addEventListener('hashchange', render)
document.documentElement.lang = currentLang()
render()
