import { afterEach, beforeEach, describe, expect } from 'vitest'
import { auditRowOf, chainHash, contentOf, GENESIS } from '../../../cloud/store/audit-chain.ts'
import type { AuditEntry, NewUser } from '../../../cloud/store/auth-store.ts'
import type { Store } from '../../../cloud/store/store.ts'
import { type RepoHandle, sectionTest, type SectionOptions, T0 } from './fixtures.ts'

/** What the auth section needs: accounts, sessions, keys and the audit log; the registry for enterprises. */
export type AuthRepos = Pick<Store, 'auth' | 'registry'>

const user = (username: string, more: Partial<NewUser> = {}): NewUser => ({
  username,
  displayName: username.toUpperCase(),
  role: 'park_operator',
  enterprise: null,
  passwordHash: `hash-of-${username}`,
  passwordChangedAt: T0,
  createdAt: T0,
  createdBy: 'test',
  ...more,
})

/** AuthStore (cloud/store/auth-store.ts) as executable tests, on any engine that has it. */
export function runAuthTests(options: SectionOptions<AuthRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — auth`, () => {
    let handle: RepoHandle<AuthRepos>
    let auth: AuthRepos['auth']
    beforeEach(async () => {
      handle = await options.newRepos({})
      auth = handle.repos.auth
    })
    afterEach(() => handle.dispose())

    test('auth: users, sessions and an append-only audit log', async () => {
      const u = await auth.createUser(user('op'))
      expect((await auth.findUser('op'))?.id).toBe(u.id)
      expect(await auth.updateUser(u.id, { disabled: true })).toMatchObject({ disabled: true })
      const s = await auth.createSession({ user: u.id, refreshHash: 'r', createdAt: T0, expiresAt: T0 + 1000 })
      await auth.revokeSession(s.id, T0 + 1, 'logout')
      expect((await auth.findSession('r'))?.revokedAt).toBe(T0 + 1)
      await auth.audit({ at: T0, actor: 'op', action: 'login', outcome: 'ok' })
      await auth.audit({ at: T0 + 1, actor: 'op', action: 'logout', outcome: 'ok' })
      expect((await auth.queryAudit({ actor: 'op', limit: 10 })).map((e) => e.action)).toEqual(['logout', 'login'])
    })

    test('auth: users: a username is taken once; a partial update keeps the other fields; unknown ids are null', async () => {
      const u = await auth.createUser(user('op', { enterprise: null, role: 'park_admin' }))
      expect(u).toMatchObject({ failedLogins: 0, lockedUntil: null, disabled: false, lastLoginAt: null })
      await expect(auth.createUser(user('op'))).rejects.toThrow()
      const changed = await auth.updateUser(u.id, { lastLoginAt: T0 + 5, passwordHash: 'new' })
      expect(changed).toEqual({ ...u, lastLoginAt: T0 + 5, passwordHash: 'new' })
      expect(await auth.getUser(u.id)).toEqual(changed)
      await auth.createUser(user('admin'))
      expect((await auth.listUsers()).map((x) => x.username)).toEqual(['admin', 'op'])
      expect(await auth.getUser(999_999)).toBeNull()
      expect(await auth.findUser('nobody')).toBeNull()
      expect(await auth.updateUser(999_999, { disabled: true })).toBeNull()
    })

    test('auth: login attempts: counted in one statement, parallel ones lose no count; the one reaching the limit locks', async () => {
      const u = await auth.createUser(user('op'))
      const lockUntil = T0 + 900_000
      const parallel = await Promise.all([1, 2, 3].map(() => auth.countLoginAttempt(u.id, T0, 5, lockUntil)))
      expect(parallel.map((r) => r?.failedLogins).sort()).toEqual([1, 2, 3])
      expect(await auth.countLoginAttempt(u.id, T0, 5, lockUntil)).toEqual({ failedLogins: 4, lockedUntil: null })
      expect(await auth.countLoginAttempt(u.id, T0, 5, lockUntil)).toEqual({ failedLogins: 0, lockedUntil: lockUntil })
      // Locked: the attempt is not counted; once the lock has passed, counting starts again.
      expect(await auth.countLoginAttempt(u.id, lockUntil - 1, 5, lockUntil + 1)).toBeNull()
      expect(await auth.countLoginAttempt(u.id, lockUntil, 5, lockUntil + 1)).toEqual({
        failedLogins: 1,
        lockedUntil: null,
      })
      expect(await auth.countLoginAttempt(999_999, T0, 5, lockUntil)).toBeNull()
    })

    test("auth: sessions: a revoke keeps its first time and reason; a user's revoke touches only that user's live ones", async () => {
      const a = await auth.createUser(user('a'))
      const b = await auth.createUser(user('b'))
      const expiresAt = T0 + 30 * 86_400_000
      const session = (u: number, hash: string) =>
        auth.createSession({ user: u, refreshHash: hash, createdAt: T0, expiresAt })
      const [s1, s2, s3, s4] = [
        await session(a.id, 'a1'),
        await session(a.id, 'a2'),
        await session(a.id, 'a3'),
        await session(b.id, 'b1'),
      ]
      expect(s1).toEqual({ id: s1!.id, user: a.id, createdAt: T0, expiresAt, revokedAt: null, revokedWhy: null })
      expect(s1).not.toHaveProperty('refreshHash')
      await auth.revokeSession(s3!.id, T0 + 1, 'logout')
      await auth.revokeSession(s3!.id, T0 + 2, 'again')
      expect(await auth.revokeUserSessions(a.id, T0 + 3, 'password_changed')).toBe(2)
      expect(await auth.getSession(s3!.id)).toMatchObject({ revokedAt: T0 + 1, revokedWhy: 'logout' })
      expect(await auth.getSession(s2!.id)).toMatchObject({ revokedAt: T0 + 3, revokedWhy: 'password_changed' })
      expect(await auth.getSession(s4!.id)).toMatchObject({ revokedAt: null })
      expect(await auth.revokeUserSessions(a.id, T0 + 4, 'again')).toBe(0)
      expect(await auth.findSession('nope')).toBeNull()
      expect(await auth.getSession(999_999)).toBeNull()
    })

    test('auth: API keys: found by their hash only and never returning it; revoked once; touched', async () => {
      const key = {
        name: 'scada',
        prefix: 'pk_ab12',
        role: 'auditor' as const,
        enterprise: null,
        createdAt: T0,
        createdBy: 'admin',
      }
      const k = await auth.createApiKey({ ...key, keyHash: 'kh-1' })
      expect(k).toEqual({ ...key, id: k.id, revokedAt: null, lastUsedAt: null })
      const other = await auth.createApiKey({ ...key, name: 'wall', keyHash: 'kh-2' })
      expect((await auth.findApiKey('kh-1'))?.id).toBe(k.id)
      expect(await auth.findApiKey('pk_ab12')).toBeNull()
      await auth.touchApiKey(k.id, T0 + 5)
      expect(await auth.revokeApiKey(k.id, T0 + 6)).toMatchObject({ revokedAt: T0 + 6, lastUsedAt: T0 + 5 })
      expect(await auth.revokeApiKey(k.id, T0 + 7)).toMatchObject({ revokedAt: T0 + 6 })
      expect(await auth.revokeApiKey(999_999, T0)).toBeNull()
      expect((await auth.listApiKeys()).map((x) => [x.id, x.revokedAt])).toEqual([
        [k.id, T0 + 6],
        [other.id, null],
      ])
      for (const listed of await auth.listApiKeys()) expect(listed).not.toHaveProperty('keyHash')
    })

    test('auth: an enterprise account names an enterprise the registry knows', async () => {
      expect(await auth.enterpriseExists('shilian')).toBe(false)
      await handle.repos.registry.create('enterprises', { id: 'shilian', name: '实联化工' })
      expect(await auth.enterpriseExists('shilian')).toBe(true)
      expect(await auth.enterpriseExists('SHILIAN')).toBe(false)
    })

    test('auth: the audit query filters by time, actor and action, newest first, pages backwards; JSON fields as written', async () => {
      const entry: AuditEntry = {
        at: T0,
        actor: 'admin',
        action: 'user.update',
        target: 'user:7',
        outcome: 'ok',
        before: { role: 'viewer', zh: '操作员' },
        after: { role: 'operator', list: [1, 2.5, null] },
        detail: { from: '10.0.0.1', nested: { b: 1, a: 2 } },
      }
      await auth.audit(entry)
      for (let i = 1; i <= 5; i++)
        await auth.audit({
          at: T0 + i,
          actor: i % 2 ? 'op' : 'admin',
          action: 'login',
          outcome: i === 5 ? 'refused' : 'ok',
        })
      const [first] = await auth.queryAudit({ action: 'user.update', limit: 10 })
      expect(first).toEqual({ ...entry, id: first!.id })
      expect(Object.keys(first!.detail!.nested as object)).toEqual(['b', 'a'])
      const [bare] = await auth.queryAudit({ to: T0 + 1, from: T0 + 1, limit: 10 })
      expect(bare).toMatchObject({ target: null, before: null, after: null, detail: null })
      expect((await auth.queryAudit({ actor: 'op', limit: 10 })).map((e) => e.at)).toEqual([T0 + 5, T0 + 3, T0 + 1])
      expect((await auth.queryAudit({ from: T0 + 2, to: T0 + 4, limit: 10 })).map((e) => e.at)).toEqual([
        T0 + 4,
        T0 + 3,
        T0 + 2,
      ])
      const page1 = await auth.queryAudit({ limit: 4 })
      expect(page1.map((e) => e.at)).toEqual([T0 + 5, T0 + 4, T0 + 3, T0 + 2])
      const page2 = await auth.queryAudit({ limit: 4, beforeId: page1.at(-1)!.id })
      expect(page2.map((e) => e.at)).toEqual([T0 + 1, T0])
    })

    test('auth: the audit log is one SM3 chain as the engine-neutral chain computes it; concurrent appends do not fork it', async () => {
      const entries: AuditEntry[] = [
        { at: T0, actor: 'secadmin', action: 'user.create', target: 'op', outcome: 'ok', after: { role: 'operator' } },
        { at: T0 + 1, actor: 'op', action: 'login', outcome: 'failed', detail: { from: '10.0.0.9', 原因: '密码' } },
        { at: T0 + 2, actor: 'op', action: 'login', outcome: 'ok' },
      ]
      for (const e of entries) await auth.audit(e)
      const head = entries.reduce((h, e) => chainHash(h, contentOf(auditRowOf(e))), GENESIS)
      expect(await handle.verifyAuditChain()).toEqual({ ok: true, rows: 3, head })
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          auth.audit({
            at: T0 + 10 + i,
            actor: `edge:e${i}`,
            action: 'ingest_refused',
            outcome: 'refused',
            detail: { i },
          }),
        ),
      )
      expect(await handle.verifyAuditChain()).toMatchObject({ ok: true, rows: 23 })
      expect(await auth.queryAudit({ limit: 100 })).toHaveLength(23)
    })
  })
}
