import type { Role } from '../auth/roles.ts'

/**
 * Accounts, sessions, API keys and the audit log. Synchronous-looking but asynchronous like
 * Store, so another database fits behind it. Secrets never enter it: only hashes.
 */
export interface AuthStore {
  createUser(u: NewUser): Promise<UserRecord>
  findUser(username: string): Promise<UserRecord | null>
  getUser(id: number): Promise<UserRecord | null>
  listUsers(): Promise<UserRecord[]>
  /** Partial update of the mutable fields. */
  updateUser(
    id: number,
    change: Partial<
      Pick<
        UserRecord,
        'passwordHash' | 'passwordChangedAt' | 'failedLogins' | 'lockedUntil' | 'disabled' | 'lastLoginAt'
      >
    >,
  ): Promise<UserRecord | null>
  /**
   * Counts a login attempt against the account as a failure before its password is checked, in
   * one statement (no read-then-write: parallel attempts cannot lose a count). The attempt that
   * reaches `limit` locks the account until `lockUntil` and restarts the count. Null: the account
   * is locked now (or unknown), the attempt is not counted. A success resets with updateUser.
   */
  countLoginAttempt(
    id: number,
    now: number,
    limit: number,
    lockUntil: number,
  ): Promise<{ failedLogins: number; lockedUntil: number | null } | null>

  createSession(s: { user: number; refreshHash: string; createdAt: number; expiresAt: number }): Promise<SessionRecord>
  findSession(refreshHash: string): Promise<SessionRecord | null>
  getSession(id: number): Promise<SessionRecord | null>
  revokeSession(id: number, at: number, why: string): Promise<void>
  /** Every live session of a user (password change, disable, a reused refresh token). */
  revokeUserSessions(user: number, at: number, why: string): Promise<number>

  createApiKey(k: Omit<ApiKeyRecord, 'id' | 'revokedAt' | 'lastUsedAt'> & { keyHash: string }): Promise<ApiKeyRecord>
  findApiKey(keyHash: string): Promise<ApiKeyRecord | null>
  listApiKeys(): Promise<ApiKeyRecord[]>
  revokeApiKey(id: number, at: number): Promise<ApiKeyRecord | null>
  touchApiKey(id: number, at: number): Promise<void>

  /** Whether the registry knows this enterprise (an enterprise account must name a real one). */
  enterpriseExists(id: string): Promise<boolean>

  /** Appends one entry; there is no way to change or remove one. */
  audit(entry: AuditEntry): Promise<void>
  queryAudit(q: AuditQuery): Promise<AuditRecord[]>
}

export interface NewUser {
  username: string
  displayName: string
  role: Role
  enterprise: string | null
  passwordHash: string
  passwordChangedAt: number
  createdAt: number
  createdBy: string
}

export interface UserRecord extends NewUser {
  id: number
  failedLogins: number
  lockedUntil: number | null
  disabled: boolean
  lastLoginAt: number | null
}

export interface SessionRecord {
  id: number
  user: number
  createdAt: number
  expiresAt: number
  revokedAt: number | null
  revokedWhy: string | null
}

export interface ApiKeyRecord {
  id: number
  name: string
  prefix: string
  role: Role
  enterprise: string | null
  createdAt: number
  createdBy: string
  revokedAt: number | null
  lastUsedAt: number | null
}

export interface AuditEntry {
  at: number
  actor: string
  /** e.g. login, login_failed, lockout, logout, user_create, `POST /api/v1/alarms/:id/ack`. */
  action: string
  target?: string | null
  outcome: 'ok' | 'refused' | 'failed'
  before?: unknown
  after?: unknown
  detail?: Record<string, unknown>
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'detail'>> {
  id: number
  detail: Record<string, unknown> | null
}

export interface AuditQuery {
  from?: number
  to?: number
  actor?: string
  action?: string
  limit: number
  /** Entries with a smaller id (paging backwards, newest first). */
  beforeId?: number
}
