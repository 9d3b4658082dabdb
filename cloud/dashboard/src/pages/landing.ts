import { h, mount } from '../dom.ts'
import { fill, roleName, t } from '../i18n.ts'

/**
 * Which role works on which page (issue 17: "each role lands on the page it works on"). Mirrors
 * the API's access table (cloud/auth/permissions.ts) for the page's main read; the API stays the
 * judge, this only spares a role a page of refusals. Roles are strings here: the dashboard does
 * not import the cloud.
 */
const PARK = ['park_admin', 'park_operator']
const ENTERPRISE = ['enterprise_admin', 'enterprise_user']
const PAGE_ROLES: Record<string, readonly string[]> = {
  board: [...PARK, ...ENTERPRISE, 'auditor'],
  journal: [...PARK, ...ENTERPRISE, 'auditor'],
  alarms: [...PARK, ...ENTERPRISE, 'auditor'],
  points: [...PARK, ...ENTERPRISE, 'technician', 'auditor'],
  edges: [...PARK, 'technician', 'auditor'],
  registry: [...PARK, ...ENTERPRISE, 'technician', 'auditor'],
  reports: [...PARK, 'auditor'],
  windows: [...PARK, ...ENTERPRISE, 'auditor'],
  users: ['security_admin'],
  audit: ['auditor'],
  wall: [...PARK, ...ENTERPRISE, 'auditor'],
  trend: [...PARK, ...ENTERPRISE, 'technician', 'auditor'],
  /** The park's KPI model: the center's page. */
  kpi: PARK,
  /** Completeness and the edges' gaps (GET /api/v1/gaps is edges:read). */
  completeness: [...PARK, 'technician', 'auditor'],
  cameras: [...PARK, ...ENTERPRISE, 'technician', 'auditor'],
  /** Gas-leak warnings (#/gas-warnings): GET /api/v1/gas-warnings is alarms:read. */
  gas: [...PARK, ...ENTERPRISE, 'auditor'],
}

/** The page a role works on: the security administrator its users, the auditor the log, the technician the edges. */
export function landingOf(role: string): string {
  if (role === 'security_admin') return '#/users'
  if (role === 'auditor') return '#/audit'
  if (role === 'technician') return '#/edges'
  return '#/board'
}

/** The page's name in a hash (#/points/x → points); null for one this table does not know. */
export const pageOf = (hash: string): string | null => /^#\/([a-z]+)/.exec(hash)?.[1] ?? null

/** May `role` see the page at `hash`? A page this table does not know: yes (the API decides). */
export function mayOpen(role: string, hash: string): boolean {
  const page = pageOf(hash)
  const roles = page === null ? undefined : PAGE_ROLES[page]
  return roles === undefined || roles.includes(role)
}

/** A page the role may not see: says so in the operator's language, with a link to its own page. */
export function noAccessPage(root: HTMLElement, role: string): () => void {
  mount(
    root,
    h(
      'div',
      { class: 'no-access', 'data-testid': 'no-access' },
      h('h1', {}, t('forbidden')),
      h('p', {}, fill(t('noAccessPage'), { role: roleName(role) })),
      h('a', { href: landingOf(role), 'data-testid': 'landing-link' }, t('goLanding')),
    ),
  )
  return () => {}
}
