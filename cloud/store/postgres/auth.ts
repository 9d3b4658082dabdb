import { and, desc, eq, gte, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { Role } from '../../auth/roles.ts'
import { auditRowOf } from '../audit-chain.ts'
import type { ApiKeyRecord, AuditRecord, AuthStore, SessionRecord, UserRecord } from '../auth-store.ts'
import { appendAudit } from './audit-chain.ts'
import type { PgDb } from './db.ts'
import { apiKeys, auditLog, enterprises, sessions, users } from './schema.ts'
import { byteOrder } from './tx.ts'

const toUser = (r: typeof users.$inferSelect): UserRecord => ({ ...r, role: r.role as Role })
const toSession = ({ refreshHash: _h, ...r }: typeof sessions.$inferSelect): SessionRecord => r
const toKey = ({ keyHash: _h, ...r }: typeof apiKeys.$inferSelect): ApiKeyRecord => ({ ...r, role: r.role as Role })
const first = <T, R>(rows: T[], map: (r: T) => R): R | null => (rows[0] === undefined ? null : map(rows[0]))

/** Accounts, sessions and API keys on PostgreSQL (AuthStore, as cloud/store/sqlite/auth.ts); the audit log appended through its hash chain (audit-chain.ts). */
export function pgAuthStore(db: PgDb): AuthStore {
  return {
    createUser: async (u) => toUser((await db.insert(users).values(u).returning())[0]!),
    findUser: async (username) => first(await db.select().from(users).where(eq(users.username, username)), toUser),
    getUser: async (id) => first(await db.select().from(users).where(eq(users.id, id)), toUser),
    listUsers: async () => (await db.select().from(users).orderBy(byteOrder(users.username))).map(toUser),
    updateUser: async (id, change) =>
      first(await db.update(users).set(change).where(eq(users.id, id)).returning(), toUser),
    // One statement: parallel attempts cannot lose a count (the row lock of UPDATE orders them).
    countLoginAttempt: async (id, now, limit, lockUntil) => {
      const reaches = sql`${users.failedLogins} + 1 >= ${limit}::int`
      const rows = await db
        .update(users)
        .set({
          failedLogins: sql`CASE WHEN ${reaches} THEN 0 ELSE ${users.failedLogins} + 1 END`,
          lockedUntil: sql`CASE WHEN ${reaches} THEN ${lockUntil}::bigint ELSE NULL END`,
        })
        .where(and(eq(users.id, id), or(isNull(users.lockedUntil), lte(users.lockedUntil, now))))
        .returning({ failedLogins: users.failedLogins, lockedUntil: users.lockedUntil })
      return rows[0] ?? null
    },

    createSession: async (s) => toSession((await db.insert(sessions).values(s).returning())[0]!),
    findSession: async (hash) =>
      first(await db.select().from(sessions).where(eq(sessions.refreshHash, hash)), toSession),
    getSession: async (id) => first(await db.select().from(sessions).where(eq(sessions.id, id)), toSession),
    revokeSession: async (id, at, why) => {
      await db
        .update(sessions)
        .set({ revokedAt: at, revokedWhy: why })
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
    },
    revokeUserSessions: async (user, at, why) =>
      (
        await db
          .update(sessions)
          .set({ revokedAt: at, revokedWhy: why })
          .where(and(eq(sessions.user, user), isNull(sessions.revokedAt)))
          .returning({ id: sessions.id })
      ).length,

    createApiKey: async (k) => toKey((await db.insert(apiKeys).values(k).returning())[0]!),
    findApiKey: async (hash) => first(await db.select().from(apiKeys).where(eq(apiKeys.keyHash, hash)), toKey),
    listApiKeys: async () => (await db.select().from(apiKeys).orderBy(apiKeys.id)).map(toKey),
    revokeApiKey: async (id, at) => {
      await db
        .update(apiKeys)
        .set({ revokedAt: at })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      return first(await db.select().from(apiKeys).where(eq(apiKeys.id, id)), toKey)
    },
    touchApiKey: async (id, at) => {
      await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id))
    },

    enterpriseExists: async (id) =>
      (await db.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.id, id))).length > 0,

    audit: (entry) => db.transaction((tx) => appendAudit(tx, auditRowOf(entry))),
    queryAudit: async (q) => {
      const where: SQL[] = []
      if (q.from !== undefined) where.push(gte(auditLog.at, q.from))
      if (q.to !== undefined) where.push(lte(auditLog.at, q.to))
      if (q.actor !== undefined) where.push(eq(auditLog.actor, q.actor))
      if (q.action !== undefined) where.push(eq(auditLog.action, q.action))
      if (q.beforeId !== undefined) where.push(lt(auditLog.id, q.beforeId))
      const rows = await db
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(desc(auditLog.id))
        .limit(q.limit)
      return rows.map(
        ({ chainHash: _h, ...r }): AuditRecord => ({
          ...r,
          outcome: r.outcome as AuditRecord['outcome'],
          before: r.before ?? null,
          after: r.after ?? null,
          detail: r.detail ?? null,
        }),
      )
    },
  }
}
