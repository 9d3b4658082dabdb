import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { mosquittoAcl } from '../shared/wire/acl.ts'
import { main } from './cli.ts'

describe('the shipped Mosquitto ACL', () => {
  it('is what the topic rules generate (regenerate: parklink cloud mosquitto-acl > deploy/mosquitto/parklink.acl)', () => {
    expect(readFileSync(new URL('./mosquitto/parklink.acl', import.meta.url), 'utf8')).toBe(mosquittoAcl())
  })

  it('binds the client id to the user name in the shipped broker config', () => {
    const conf = readFileSync(new URL('./mosquitto/parklink.conf', import.meta.url), 'utf8').split('\n')
    for (const line of ['use_username_as_clientid true', 'allow_anonymous false', 'acl_file /etc/mosquitto/parklink.acl']) expect(conf).toContain(line)
  })

  it('is printed with a user block per cloud instance, and refuses a cloud user name with "/"', async () => {
    let out = ''
    const write = process.stdout.write
    process.stdout.write = ((chunk: string) => { out += chunk; return true }) as typeof process.stdout.write
    try {
      expect(await main(['node', 'parklink', 'cloud', 'mosquitto-acl', '--cloud-user', 'cloud-a', 'cloud-b'])).toBe(0)
    } finally {
      process.stdout.write = write
    }
    expect(out).toBe(mosquittoAcl(['cloud-a', 'cloud-b']))
    expect(await main(['node', 'parklink', 'cloud', 'mosquitto-acl', '--cloud-user', 'huaian/e1'])).toBe(2)
  })
})
