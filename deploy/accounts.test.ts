import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyPassword } from '../cloud/auth/password.ts'
import { tempDir } from '../test/cloud/helpers.ts'
import { PASSWORD_ENV, addKey, addUser } from './accounts.ts'
import { buildProgram } from './cli.ts'

/** The bootstrap of a new installation: the first security administrator and API keys from the command line. */
describe('parklink cloud user add / key add', () => {
  let dir: ReturnType<typeof tempDir>
  let config: string
  const rows = (sql: string) => {
    const db = new Database(path.join(dir.dir, 'data', 'cloud.db'), { readonly: true })
    try {
      return db.prepare(sql).all() as Array<Record<string, unknown>>
    } finally {
      db.close()
    }
  }
  beforeEach(() => {
    dir = tempDir()
    config = path.join(dir.dir, 'cloud.yaml')
    writeFileSync(
      config,
      'dataDir: ./data\nmqtt: { url: "mqtt://127.0.0.1:1883" }\nregistry: { enterprises: [{ id: fuqiang, name: 富强新材料 }] }\n',
    )
  })
  afterEach(() => dir.remove())

  it('reads the password from stdin (or the environment), checks the policy, hashes it and audits the creation', async () => {
    const created = await addUser(
      config,
      { username: 'sec-zhou', role: 'security_admin' },
      { env: {}, stdin: Readable.from(['Zhong-an-2025\n']) },
    )
    expect(created).toEqual({ id: 1, username: 'sec-zhou', role: 'security_admin' })
    const [user] = rows('SELECT * FROM users')
    expect(await verifyPassword('Zhong-an-2025', String(user!.password_hash))).toBe(true)
    expect(rows('SELECT actor, action FROM audit_log')).toEqual([
      { actor: expect.stringMatching(/^cli:/), action: 'user_create' },
    ])

    await addUser(
      config,
      { username: 'fq-admin', role: 'enterprise_admin', enterprise: 'fuqiang' },
      { env: { [PASSWORD_ENV]: 'Fuqiang-2025' }, stdin: Readable.from([]) },
    )
    await expect(
      addUser(
        config,
        { username: 'nobody-admin', role: 'enterprise_admin', enterprise: 'nosuch' },
        { env: { [PASSWORD_ENV]: 'Fuqiang-2025' }, stdin: Readable.from([]) },
      ),
    ).rejects.toThrow(/unknown enterprise "nosuch"/)
    await expect(
      addUser(config, { username: 'weak', role: 'auditor' }, { env: {}, stdin: Readable.from(['password\n']) }),
    ).rejects.toThrow(/does not meet the policy/)
    await expect(
      addUser(config, { username: 'nopass', role: 'auditor' }, { env: {}, stdin: Readable.from([]) }),
    ).rejects.toThrow(/no password given/)
    expect(rows('SELECT username FROM users ORDER BY id').map((r) => r.username)).toEqual(['sec-zhou', 'fq-admin'])
  })

  it('prints an API key once and keeps only its hash', async () => {
    const { key } = await addKey(config, { name: 'province-exchange', role: 'park_operator' })
    expect(key).toMatch(/^plk_/)
    expect(JSON.stringify(rows('SELECT * FROM api_keys'))).not.toContain(key)
  })

  it('has no option that would put a password on the command line', () => {
    const add = buildProgram()
      .commands.find((c) => c.name() === 'cloud')!
      .commands.find((c) => c.name() === 'user')!
      .commands.find((c) => c.name() === 'add')!
    expect(add.options.map((o) => o.long)).toEqual([
      '--config',
      '--username',
      '--role',
      '--enterprise',
      '--display-name',
    ])
  })
})
