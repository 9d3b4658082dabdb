import { randomBytes } from 'node:crypto'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import type { AuthStore } from '../store/auth-store.ts'
import type { createAccounts } from './accounts.ts'
import type { Role } from './roles.ts'
import { sha256 } from './secrets.ts'

/**
 * Demo mode only (`parklink demo`): accounts to look around with. A production cloud has none
 * until `parklink cloud user add` creates the first security administrator. The password is new
 * at every start; the API key is PARKLINK_DEMO_API_KEY when set (for scripts and checks),
 * otherwise generated.
 */
export const DEMO_USERS: ReadonlyArray<{ username: string; role: Role; enterprise?: string; displayName: string }> = [
  { username: 'demo-admin', role: 'park_admin', displayName: '园区管理员 (demo)' },
  { username: 'demo-operator', role: 'park_operator', displayName: '监控中心值班员 (demo)' },
  { username: 'demo-shilian', role: 'enterprise_user', enterprise: 'shilian', displayName: '实联化工安全员 (demo)' },
  { username: 'demo-security', role: 'security_admin', displayName: '安全管理员 (demo)' },
  { username: 'demo-auditor', role: 'auditor', displayName: '审计员 (demo)' },
]
export const DEMO_KEY_ENV = 'PARKLINK_DEMO_API_KEY'

/** A password that meets the default policy: 3 classes, 19 characters, 96 random bits. */
const demoPassword = () => `Demo-${randomBytes(12).toString('base64url')}`

/** The demo users with a password new at every start (returned, for the banner). Hashing takes a moment: call it once the rest runs. */
export async function ensureDemoUsers(
  store: AuthStore,
  accounts: ReturnType<typeof createAccounts>,
  now: number,
): Promise<{ users: string[]; password: string }> {
  const password = demoPassword()
  for (const u of DEMO_USERS) {
    const existing = await store.findUser(u.username)
    if (existing) await accounts.setPassword(existing.id, password, 'parklink demo', now)
    else await accounts.createUser({ ...u, password }, 'parklink demo', now)
  }
  return { users: DEMO_USERS.map((u) => u.username), password }
}

/** The demo's park_admin API key: PARKLINK_DEMO_API_KEY when set, otherwise a new one. Cheap: call it right after the cloud starts. */
export async function demoKey(
  store: AuthStore,
  accounts: ReturnType<typeof createAccounts>,
  env: NodeJS.ProcessEnv,
  now: number,
): Promise<{ apiKey: string; keyFromEnv: boolean }> {
  const given = env[DEMO_KEY_ENV]?.trim()
  if (given !== undefined && given !== '' && (given.length > 512 || /\s/.test(given))) {
    throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `${DEMO_KEY_ENV} must be one word of at most 512 characters`, {
      hint: `e.g. ${DEMO_KEY_ENV}=plk_$(openssl rand -hex 24)`,
    })
  }
  const apiKey = given || undefined
  const known = apiKey ? await store.findApiKey(sha256(apiKey)) : null
  if (known && known.revokedAt === null) return { apiKey: apiKey!, keyFromEnv: true }
  if (known)
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `the key in ${DEMO_KEY_ENV} was revoked in this demo's database`,
      { hint: "choose another key, or remove the demo's data directory" },
    )
  const name = `demo-admin-${(await store.listApiKeys()).length + 1}`
  const created = await accounts.createApiKey({ name, role: 'park_admin' }, 'parklink demo', now, apiKey)
  return { apiKey: created.key, keyFromEnv: apiKey !== undefined }
}
