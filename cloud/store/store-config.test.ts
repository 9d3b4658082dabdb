import { describe, expect, it } from 'vitest'
import { StoreConfig, storePassword } from './store-config.ts'

const messages = (input: unknown) => {
  const r = StoreConfig.safeParse(input)
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('store config', () => {
  it('is SQLite by default, with the default retention', () => {
    expect(StoreConfig.parse({})).toMatchObject({ engine: 'sqlite', poolSize: 10, retention: { rawDays: 365 } })
  })

  it('takes PostgreSQL with a URL and the name of the password variable', () => {
    const s = StoreConfig.parse({
      engine: 'postgres',
      url: 'postgres://parklink@db:5432/parklink',
      passwordEnv: 'PG_PASS',
    })
    expect(s).toMatchObject({ engine: 'postgres', url: 'postgres://parklink@db:5432/parklink', passwordEnv: 'PG_PASS' })
  })

  it('refuses PostgreSQL without a URL, a password in the URL, a URL for SQLite, and a non-postgres URL', () => {
    expect(messages({ engine: 'postgres' })).toEqual(['url: engine postgres needs store.url'])
    expect(messages({ engine: 'postgres', url: 'postgres://parklink:secret@db/parklink' })[0]).toMatch(
      /^url: no password in store.url/,
    )
    expect(messages({ url: 'postgres://db/parklink' })[0]).toMatch(
      /^engine: store.url and store.passwordEnv are for engine: postgres/,
    )
    expect(messages({ engine: 'postgres', url: 'mysql://db/x' })[0]).toMatch(/^url: a postgres:\/\/ URL/)
    expect(messages({ engine: 'postgres', url: 'postgres://db/x', passwordEnv: 'not a name' })[0]).toMatch(
      /^passwordEnv: an environment variable name/,
    )
  })

  it('reads the password from the variable it names, and says so when that variable is unset', () => {
    const s = StoreConfig.parse({ engine: 'postgres', url: 'postgres://parklink@db/parklink', passwordEnv: 'PG_PASS' })
    expect(storePassword(s, { PG_PASS: 'from-env' })).toBe('from-env')
    expect(() => storePassword(s, {})).toThrow(expect.objectContaining({ code: 'PL_CONFIG_INVALID' }))
    expect(storePassword(StoreConfig.parse({}), {})).toBeUndefined()
  })
})
