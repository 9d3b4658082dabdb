import { beforeAll, describe, expect, it, vi } from 'vitest'
import { PERMISSIONS, type Permission } from '../../../auth/permissions.ts'
import { ROLES } from '../../../auth/roles.ts'

type Landing = typeof import('./landing.ts')
let landing: Landing

/** The module runs in a browser: a minimal one for the dictionaries it imports. */
beforeAll(async () => {
  vi.stubGlobal('location', { search: '' })
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {} })
  vi.stubGlobal('document', { documentElement: { lang: '' } })
  landing = await import('./landing.ts')
})

/** Each page and the permission of its main read (cloud/auth/permissions.ts ROUTE_ACCESS). */
const PAGE_READS: Array<[string, Permission]> = [
  ['#/board', 'alarms:read'],
  ['#/journal', 'alarms:read'],
  ['#/alarms/1', 'alarms:read'],
  ['#/points', 'points:read'],
  ['#/points/shilian.tk101.level', 'points:read'],
  ['#/edges', 'edges:read'],
  ['#/registry', 'points:read'],
  ['#/reports', 'reports:read'],
  ['#/windows', 'windows:read'],
  ['#/users', 'users:manage'],
  ['#/audit', 'audit:read'],
  ['#/wall', 'alarms:read'],
  ['#/trend?p=shilian.tk101.level', 'points:read'],
  ['#/completeness', 'edges:read'],
  ['#/cameras', 'cameras:read'],
]

describe('role landing (issue 17: each role lands on the page it works on)', () => {
  it.each(PAGE_READS)('%s opens for exactly the roles holding %s', (hash, permission) => {
    for (const role of ROLES)
      expect(landing.mayOpen(role, hash), `${role} on ${hash}`).toBe(
        (PERMISSIONS[permission] as readonly string[]).includes(role),
      )
  })

  it("the KPI page is the park's: the center's roles only (the API would serve any alarm reader, scoped)", () => {
    expect(ROLES.filter((role) => landing.mayOpen(role, '#/kpi'))).toEqual(['park_admin', 'park_operator'])
  })

  it('every role lands on a page it may open, the administrators of accounts and audit on theirs', () => {
    for (const role of ROLES) expect(landing.mayOpen(role, landing.landingOf(role)), role).toBe(true)
    expect(landing.landingOf('security_admin')).toBe('#/users')
    expect(landing.landingOf('auditor')).toBe('#/audit')
    expect(landing.landingOf('enterprise_user')).toBe('#/board')
    expect(landing.landingOf('park_operator')).toBe('#/board')
  })
})
