import { z } from 'zod'

/**
 * Roles (brief §7, 等保 level 3: least privilege; system, security and audit administration
 * separated). park_admin runs the park's registry and decisions (the system administrator),
 * security_admin manages accounts and API keys and nothing else, auditor reads the audit log
 * and nothing it could change. Enterprise roles see one enterprise only.
 */
export const Role = z.enum([
  'park_admin',
  'park_operator',
  'enterprise_admin',
  'enterprise_user',
  'technician',
  'auditor',
  'security_admin',
])
export type Role = z.infer<typeof Role>
export const ROLES = Role.options

/** Roles bound to one enterprise: their identity always carries it, and the data layer filters by it. */
export const ENTERPRISE_ROLES: readonly Role[] = ['enterprise_admin', 'enterprise_user']
export const isEnterpriseRole = (role: Role) => ENTERPRISE_ROLES.includes(role)

/** Who acts: a person (a user) or a machine client (an API key); the same roles apply. */
export interface Identity {
  kind: 'user' | 'api_key'
  /** User id or key id. */
  id: number
  /** How the actor is written in timelines and the audit log: the user name, or `key:NAME`. */
  actor: string
  role: Role
  /** Set exactly for enterprise roles. */
  enterprise: string | null
  /** The refresh-token session an access token belongs to (users only). */
  session: number | null
}

/** What an identity may see: every enterprise, or one. The store filters every scoped query by it. */
export type Scope = 'all' | { enterprise: string }
export const scopeOf = (identity: Pick<Identity, 'enterprise'>): Scope =>
  identity.enterprise === null ? 'all' : { enterprise: identity.enterprise }
