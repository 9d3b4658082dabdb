import { z } from 'zod'

/**
 * The password policy (等保 level 3, brief §7): a minimum length, at least three of the four
 * character classes, a maximum age, and a lockout after repeated failures. Pure.
 */
export const PasswordPolicy = z.strictObject({
  minLength: z.number().int().min(8).max(128).default(10),
  /** Of lower case, upper case, digits and other characters, at least this many. */
  minClasses: z.number().int().min(1).max(4).default(3),
  /** Days after a change until the password must be changed again; 0 = never expires. */
  maxAgeDays: z.number().int().min(0).max(3_650).default(90),
  /**
   * Failed logins in a row that lock the account (the second line: the throttle per address,
   * cloud/auth/throttle.ts, meets a single guesser after 5). Counted in the store, atomically
   * (AuthStore.countLoginAttempt).
   */
  lockoutAfter: z.number().int().min(1).max(100).default(10),
  lockoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
})
export type PasswordPolicy = z.infer<typeof PasswordPolicy>
export const defaultPasswordPolicy: PasswordPolicy = PasswordPolicy.parse({})

const CLASSES: Array<[string, RegExp]> = [
  ['lower-case letters', /\p{Ll}/u],
  ['upper-case letters', /\p{Lu}/u],
  ['digits', /\p{Nd}/u],
  ['other characters', /[^\p{Ll}\p{Lu}\p{Nd}]/u],
]

/** What is wrong with a new password (empty: acceptable). Messages say what to change. */
export function passwordProblems(
  password: string,
  policy: PasswordPolicy,
  context: { username?: string } = {},
): string[] {
  const problems: string[] = []
  const length = [...password].length
  if (length < policy.minLength) problems.push(`at least ${policy.minLength} characters (this one has ${length})`)
  if (length > 256) problems.push('at most 256 characters')
  const present = CLASSES.filter(([, re]) => re.test(password))
  if (present.length < policy.minClasses) {
    const missing = CLASSES.filter((c) => !present.includes(c)).map(([name]) => name)
    problems.push(`characters of at least ${policy.minClasses} of 4 classes (add ${missing.join(' or ')})`)
  }
  if (
    context.username &&
    context.username.length >= 3 &&
    password.toLowerCase().includes(context.username.toLowerCase())
  )
    problems.push('not containing the user name')
  return problems
}

/** When a password changed at `changedAt` expires (null: never). */
export function passwordExpiresAt(changedAt: number, policy: PasswordPolicy): number | null {
  return policy.maxAgeDays === 0 ? null : changedAt + policy.maxAgeDays * 86_400_000
}
