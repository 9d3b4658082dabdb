import { and, desc, eq, gte, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { Role } from '../../auth/roles.ts'
import type {
  ApiKeyRecord,
  AuditEntry,
  AuditQuery,
  AuditRecord,
  AuthStore,
  SessionRecord,
  UserRecord,
} from '../auth-store.ts'
import type { Db } from './db.ts'
import { auditRowOf } from '../audit-chain.ts'
import { insertAuditRow } from './audit-chain.ts'
import { apiKeys, auditLog, enterprises, sessions, users } from './schema.ts'

const toUser = (r: typeof users.$inferSelect): UserRecord => ({ ...r, role: r.role as Role })
const toSession = ({ refreshHash: _h, ...r }: typeof sessions.$inferSelect): SessionRecord => r
const toKey = ({ keyHash: _h, ...r }: typeof apiKeys.$inferSelect): ApiKeyRecord => ({ ...r, role: r.role as Role })

/** Accounts, sessions, API keys and the append-only audit log in the cloud database. */
export function createAuthOps(db: Db): {
  [K in keyof AuthStore]: (...args: Parameters<AuthStore[K]>) => Awaited<ReturnType<AuthStore[K]>>
} {
  return {
    createUser: (u) => toUser(db.insert(users).values(u).returning().get()),
    findUser: (username) => {
      const r = db.select().from(users).where(eq(users.username, username)).get()
      return r ? toUser(r) : null
    },
    getUser: (id) => {
      const r = db.select().from(users).where(eq(users.id, id)).get()
      return r ? toUser(r) : null
    },
    listUsers: () => db.select().from(users).orderBy(users.username).all().map(toUser),
    updateUser: (id, change) => {
      const r = db.update(users).set(change).where(eq(users.id, id)).returning().get()
      return r ? toUser(r) : null
    },
    countLoginAttempt: (id, now, limit, lockUntil) => {
      const reaches = sql`${users.failedLogins} + 1 >= ${limit}`
      const r = db
        .update(users)
        .set({
          failedLogins: sql`CASE WHEN ${reaches} THEN 0 ELSE ${users.failedLogins} + 1 END`,
          lockedUntil: sql`CASE WHEN ${reaches} THEN ${lockUntil} ELSE NULL END`,
        })
        .where(and(eq(users.id, id), or(isNull(users.lockedUntil), lte(users.lockedUntil, now))))
        .returning({ failedLogins: users.failedLogins, lockedUntil: users.lockedUntil })
        .get()
      return r ?? null
    },

    createSession: (s) => toSession(db.insert(sessions).values(s).returning().get()),
    findSession: (refreshHash) => {
      const r = db.select().from(sessions).where(eq(sessions.refreshHash, refreshHash)).get()
      return r ? toSession(r) : null
    },
    getSession: (id) => {
      const r = db.select().from(sessions).where(eq(sessions.id, id)).get()
      return r ? toSession(r) : null
    },
    revokeSession: (id, at, why) =>
      void db
        .update(sessions)
        .set({ revokedAt: at, revokedWhy: why })
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
        .run(),
    revokeUserSessions: (user, at, why) =>
      db
        .update(sessions)
        .set({ revokedAt: at, revokedWhy: why })
        .where(and(eq(sessions.user, user), isNull(sessions.revokedAt)))
        .run().changes,

    createApiKey: (k) => toKey(db.insert(apiKeys).values(k).returning().get()),
    findApiKey: (keyHash) => {
      const r = db.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash)).get()
      return r ? toKey(r) : null
    },
    listApiKeys: () => db.select().from(apiKeys).orderBy(apiKeys.id).all().map(toKey),
    revokeApiKey: (id, at) => {
      db.update(apiKeys)
        .set({ revokedAt: at })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .run()
      const r = db.select().from(apiKeys).where(eq(apiKeys.id, id)).get()
      return r ? toKey(r) : null
    },
    touchApiKey: (id, at) => void db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)).run(),

    enterpriseExists: (id) =>
      db.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.id, id)).get() !== undefined,

    audit: (e: AuditEntry) => {
      const row = auditRowOf(e)
      // The chain reads the last hash then appends: one writer at a time (immediate), or the caller's transaction.
      if (db.$client.inTransaction) insertAuditRow(db, row)
      else db.transaction((tx) => insertAuditRow(tx, row), { behavior: 'immediate' })
    },
    queryAudit: (q: AuditQuery): AuditRecord[] => {
      const where: SQL[] = []
      if (q.from !== undefined) where.push(gte(auditLog.at, q.from))
      if (q.to !== undefined) where.push(lte(auditLog.at, q.to))
      if (q.actor !== undefined) where.push(eq(auditLog.actor, q.actor))
      if (q.action !== undefined) where.push(eq(auditLog.action, q.action))
      if (q.beforeId !== undefined) where.push(lt(auditLog.id, q.beforeId))
      return db
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(desc(auditLog.id))
        .limit(q.limit)
        .all()
        .map(({ chainHash: _h, ...r }) => ({
          ...r,
          outcome: r.outcome as AuditRecord['outcome'],
          before: r.before ?? null,
          after: r.after ?? null,
          detail: (r.detail as Record<string, unknown> | null) ?? null,
        }))
    },
  }
}
