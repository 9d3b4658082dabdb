import { describe, expect, it } from 'vitest'
import { captureLogger } from '../../test/cloud/helpers.ts'
import { CloudConfigSchema } from '../config.ts'
import { defaultAuthConfig, tokenSecret } from './config.ts'

describe('auth config', () => {
  it('defaults in the cloud config', () => {
    expect(CloudConfigSchema.parse({ dataDir: '.', mqtt: { url: 'mqtts://x:8883' } }).auth).toEqual({
      tokenSecretEnv: 'PARKLINK_TOKEN_SECRET',
      accessTokenMinutes: 15,
      refreshTokenHours: 12,
      password: { minLength: 10, minClasses: 3, maxAgeDays: 90, lockoutAfter: 10, lockoutMinutes: 15 },
    })
  })

  it('the signing secret comes from the environment; too short is refused; unset is random with a warning', () => {
    const { log, lines } = captureLogger()
    const long = 'k'.repeat(40)
    expect(Buffer.from(tokenSecret(defaultAuthConfig, log, { PARKLINK_TOKEN_SECRET: long })).toString()).toBe(long)
    expect(() => tokenSecret(defaultAuthConfig, log, { PARKLINK_TOKEN_SECRET: 'short' })).toThrow(/too short/)
    const a = tokenSecret(defaultAuthConfig, log, {})
    const b = tokenSecret(defaultAuthConfig, log, {})
    expect(a).toHaveLength(32)
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
    expect(lines().filter((l) => /no token secret set/.test(String(l.msg)))).toHaveLength(2)
    expect(JSON.stringify(lines())).not.toContain(long)
  })
})
