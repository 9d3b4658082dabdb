import { z } from 'zod'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { TopicId } from '../../shared/wire/ids.ts'
import type { ApiKeyRecord, AuthStore, UserRecord } from '../store/auth-store.ts'
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams } from './password.ts'
import { passwordProblems, type PasswordPolicy } from './policy.ts'
import { Role, isEnterpriseRole } from './roles.ts'
import { newApiKey, sha256 } from './secrets.ts'

/**
 * Account administration (a security administrator's work, and the bootstrap command): users
 * with a policy-checked password, API keys for machine clients. Each change is audited with who
 * did it; passwords and keys never reach the audit log.
 */
export const Username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lower-case letters, digits, ".", "_" or "-"; 2–64 characters')

export const NewUserInput = z
  .strictObject({
    username: Username,
    displayName: z.string().trim().min(1).max(128).optional(),
    role: Role,
    enterprise: TopicId.optional(),
    password: z.string().min(1).max(256),
  })
  .refine((u) => isEnterpriseRole(u.role) === (u.enterprise !== undefined), {
    message: 'enterprise roles need an enterprise, other roles must not have one',
    path: ['enterprise'],
  })
export type NewUserInput = z.infer<typeof NewUserInput>

export const NewKeyInput = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lower-case letters, digits, ".", "_" or "-"; 2–64 characters'),
    role: Role,
    enterprise: TopicId.optional(),
  })
  .refine((k) => isEnterpriseRole(k.role) === (k.enterprise !== undefined), {
    message: 'enterprise roles need an enterprise, other roles must not have one',
    path: ['enterprise'],
  })
export type NewKeyInput = z.infer<typeof NewKeyInput>

const conflict = (message: string, hint: string) => new ParklinkError(ErrorCodes.STATE_CONFLICT, message, { hint })
const bad = (message: string, hint: string) => new ParklinkError(ErrorCodes.BAD_REQUEST, message, { hint })

/** A user without the password hash, as the API and the audit log show it. */
export const userView = ({ passwordHash: _h, ...u }: UserRecord) => u

export function createAccounts(store: AuthStore, policy: PasswordPolicy, scrypt: ScryptParams = DEFAULT_SCRYPT) {
  const knownEnterprise = async (enterprise: string | undefined) => {
    if (enterprise !== undefined && !(await store.enterpriseExists(enterprise)))
      throw bad(`unknown enterprise "${enterprise}"`, 'declare it under registry.enterprises in the cloud config first')
  }
  return {
    async createUser(input: NewUserInput, by: string, now: number): Promise<UserRecord> {
      const problems = passwordProblems(input.password, policy, { username: input.username })
      if (problems.length)
        throw bad(`the password does not meet the policy: it needs ${problems.join('; ')}`, 'choose another password')
      if (await store.findUser(input.username))
        throw conflict(`user "${input.username}" exists already`, 'choose another user name')
      await knownEnterprise(input.enterprise)
      const user = await store.createUser({
        username: input.username,
        displayName: input.displayName ?? input.username,
        role: input.role,
        enterprise: input.enterprise ?? null,
        passwordHash: await hashPassword(input.password, scrypt),
        passwordChangedAt: now,
        createdAt: now,
        createdBy: by,
      })
      await store.audit({
        at: now,
        actor: by,
        action: 'user_create',
        target: `user:${user.id}`,
        outcome: 'ok',
        after: userView(user),
      })
      return user
    },

    /** Sets a password for a user (an administrator's reset): policy checked, sessions ended. */
    async setPassword(id: number, password: string, by: string, now: number): Promise<UserRecord | null> {
      const user = await store.getUser(id)
      if (!user) return null
      const problems = passwordProblems(password, policy, { username: user.username })
      if (problems.length)
        throw bad(`the password does not meet the policy: it needs ${problems.join('; ')}`, 'choose another password')
      const after = await store.updateUser(id, {
        passwordHash: await hashPassword(password, scrypt),
        passwordChangedAt: now,
        failedLogins: 0,
        lockedUntil: null,
      })
      await store.revokeUserSessions(id, now, 'password reset')
      await store.audit({ at: now, actor: by, action: 'user_password_reset', target: `user:${id}`, outcome: 'ok' })
      return after
    },

    async change(
      id: number,
      change: 'unlock' | 'disable' | 'enable',
      by: string,
      now: number,
    ): Promise<UserRecord | null> {
      const before = await store.getUser(id)
      if (!before) return null
      const after = await store.updateUser(
        id,
        change === 'unlock' ? { failedLogins: 0, lockedUntil: null } : { disabled: change === 'disable' },
      )
      if (change === 'disable') await store.revokeUserSessions(id, now, 'disabled')
      await store.audit({
        at: now,
        actor: by,
        action: `user_${change}`,
        target: `user:${id}`,
        outcome: 'ok',
        before: userView(before),
        after: after && userView(after),
      })
      return after
    },

    /** A new API key: the key itself is returned once and never stored. `key` may be given (demo: PARKLINK_DEMO_API_KEY). */
    async createApiKey(
      input: NewKeyInput,
      by: string,
      now: number,
      key = newApiKey(),
    ): Promise<{ key: string; record: ApiKeyRecord }> {
      if ((await store.listApiKeys()).some((k) => k.name === input.name))
        throw conflict(`an API key named "${input.name}" exists already`, 'choose another name, or revoke the old key')
      await knownEnterprise(input.enterprise)
      const record = await store.createApiKey({
        name: input.name,
        keyHash: sha256(key),
        prefix: key.slice(0, 8),
        role: input.role,
        enterprise: input.enterprise ?? null,
        createdAt: now,
        createdBy: by,
      })
      await store.audit({
        at: now,
        actor: by,
        action: 'key_create',
        target: `key:${record.id}`,
        outcome: 'ok',
        after: record,
      })
      return { key, record }
    },

    async revokeApiKey(id: number, by: string, now: number): Promise<ApiKeyRecord | null> {
      const record = await store.revokeApiKey(id, now)
      if (record)
        await store.audit({
          at: now,
          actor: by,
          action: 'key_revoke',
          target: `key:${id}`,
          outcome: 'ok',
          after: record,
        })
      return record
    },
  }
}
