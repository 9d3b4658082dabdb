import { describe, expect, it } from 'vitest'
import { hashPassword, needsRehash, verifyPassword } from './password.ts'
import { defaultPasswordPolicy, passwordExpiresAt, passwordProblems } from './policy.ts'

const CHEAP = { N: 2 ** 10, r: 8, p: 1 }

describe('scrypt password hashes', () => {
  it('verify the right password only; salt and parameters are stored with each hash', async () => {
    const a = await hashPassword('Zhong-an-2025', CHEAP)
    const b = await hashPassword('Zhong-an-2025', CHEAP)
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    expect(a).not.toBe(b) // a per-user salt
    expect(await verifyPassword('Zhong-an-2025', a)).toBe(true)
    expect(await verifyPassword('Zhong-an-2026', a)).toBe(false)
    expect(await verifyPassword('', a)).toBe(false)
  })

  it("the default cost (2^15) works within node's memory limit, and weaker hashes ask to be replaced", async () => {
    const strong = await hashPassword('Zhong-an-2025')
    expect(strong.startsWith('scrypt$32768$8$1$')).toBe(true)
    expect(await verifyPassword('Zhong-an-2025', strong)).toBe(true)
    expect(needsRehash(strong)).toBe(false)
    expect(needsRehash(await hashPassword('x', CHEAP))).toBe(true)
  })

  it.each([
    '',
    'plain',
    'scrypt$1024$8$1$salt',
    'bcrypt$1$2$3$4$5',
    'scrypt$0$8$1$AAAA$AAAA',
    'scrypt$1024$8$1$AAAA$AAAA$extra',
  ])('a malformed stored hash never verifies: %j', async (stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false)
  })
})

describe('password policy', () => {
  const policy = defaultPasswordPolicy

  it('defaults: 10 characters, 3 of 4 classes, 90 days, lockout after 5 for 15 minutes', () => {
    expect(policy).toEqual({ minLength: 10, minClasses: 3, maxAgeDays: 90, lockoutAfter: 10, lockoutMinutes: 15 })
  })

  it.each([
    ['Zhong-an-2025', []],
    ['zhongan2025X', []],
    ['安全生产Ab12345', []], // CJK counts as "other"; lower, upper, digits present
    ['Short-1', [/at least 10 characters/]],
    ['alllowercase123', [/3 of 4 classes.*upper-case letters or other characters/]],
    ['ALLUPPERCASEONLY', [/3 of 4 classes/]],
    ['center-li-Pass1', [/user name/]],
  ] as const)('%j', (password, expected) => {
    const problems = passwordProblems(password, policy, { username: 'center-li' })
    expect(problems).toHaveLength(expected.length)
    expected.forEach((re, i) => expect(problems[i]).toMatch(re))
  })

  it('a longer minimum and fewer classes are configurable', () => {
    expect(passwordProblems('Zhong-an-2025', { ...policy, minLength: 16 })).toEqual([
      'at least 16 characters (this one has 13)',
    ])
    expect(passwordProblems('alllowercaseonly', { ...policy, minClasses: 1 })).toEqual([])
  })

  it('expiry: after maxAgeDays, never with 0', () => {
    expect(passwordExpiresAt(0, policy)).toBe(90 * 86_400_000)
    expect(passwordExpiresAt(0, { ...policy, maxAgeDays: 0 })).toBeNull()
  })
})
