import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { mosquittoAcl } from '../shared/wire/acl.ts'
import { main } from './cli.ts'

describe('the shipped Mosquitto ACL', () => {
  it('is what the topic rules generate (regenerate: parklink cloud mosquitto-acl > deploy/mosquitto/parklink.acl)', () => {
    expect(readFileSync(new URL('./mosquitto/parklink.acl', import.meta.url), 'utf8')).toBe(mosquittoAcl())
  })

  const directives = (file: string) =>
    readFileSync(new URL(`./mosquitto/${file}`, import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))

  it('takes the identity from the client certificate and binds the client id to it in the shipped broker config', () => {
    const conf = directives('parklink.conf')
    for (const line of [
      'require_certificate true',
      'use_identity_as_username true',
      'crlfile /etc/mosquitto/certs/crl.pem',
      'use_username_as_clientid true',
      'allow_anonymous false',
      'acl_file /etc/mosquitto/parklink.acl',
    ])
      expect(conf).toContain(line)
    expect(conf.filter((l) => l.startsWith('password_file'))).toEqual([])
  })

  it('has a password fallback that differs from the shipped config in the authentication lines only', () => {
    const auth = /^(require_certificate|use_identity_as_username|crlfile|password_file) /
    expect(directives('parklink-passwords.conf').filter((l) => !auth.test(l))).toEqual(
      directives('parklink.conf').filter((l) => !auth.test(l)),
    )
    expect(directives('parklink-passwords.conf')).toEqual(
      expect.arrayContaining(['require_certificate false', 'password_file /etc/mosquitto/passwd']),
    )
  })

  it('is printed with a user block per cloud instance, and refuses a cloud user name with "/"', async () => {
    let out = ''
    const write = process.stdout.write
    process.stdout.write = ((chunk: string) => {
      out += chunk
      return true
    }) as typeof process.stdout.write
    try {
      expect(await main(['node', 'parklink', 'cloud', 'mosquitto-acl', '--cloud-user', 'cloud-a', 'cloud-b'])).toBe(0)
    } finally {
      process.stdout.write = write
    }
    expect(out).toBe(mosquittoAcl(['cloud-a', 'cloud-b']))
    expect(await main(['node', 'parklink', 'cloud', 'mosquitto-acl', '--cloud-user', 'huaian/e1'])).toBe(2)
  })
})
