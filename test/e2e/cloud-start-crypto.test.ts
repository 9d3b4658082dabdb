import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { cloudConfigFor } from '../../deploy/demo/configs.ts'
import { startParklink, stopAll } from '../util/child.ts'
import { makeTestPki, type TestPki } from '../util/crypto-pki.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'

/**
 * Issue 20: `parklink cloud` reads its crypto files (key, certificate, CA, CRL) before the database
 * opens and HTTP listens. A bad one stops the start with exit code 2 and a message naming the
 * field and the file: nothing was served, no database was made. Real processes, real PKI files.
 */
describe('parklink cloud with bad crypto files', () => {
  let pki: TestPki
  let dir: string
  let files: { key: string; cert: string; ca: string; crl: string }

  beforeAll(() => {
    pki = makeTestPki()
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-cloud-crypto-'))
    const issued = pki.dirOf('cloud', 'parklink-cloud')
    files = {
      key: path.join(issued, 'sm2.key'),
      cert: path.join(issued, 'sm2.crt'),
      ca: path.join(issued, 'sm2-ca.crt'),
      crl: path.join(dir, 'sm2-crl.pem'),
    }
    copyFileSync(pki.pki.layout.ca('sm2').crl, files.crl)
  })
  afterAll(async () => {
    await stopAll()
    pki.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  /** A cloud config in its own folder (its own dataDir), crypto files overridden by `crypto`. */
  const configWith = async (name: string, crypto: Partial<typeof files>) => {
    const port = await freePort()
    const file = path.join(dir, `${name}.yaml`)
    const config = {
      ...cloudConfigFor({ dataDir: `./${name}-data`, httpPort: port, mqttUrl: 'mqtt://127.0.0.1:1' }),
      crypto: { suite: 'sm', ...files, ...crypto },
    }
    writeFileSync(file, stringify(config))
    return { file, db: path.join(dir, `${name}-data`, 'cloud.db') }
  }

  it.each([
    ['a certificate that is not one', 'cert', /crypto\.cert: .*garbage\.crt/],
    ['a CRL of another CA', 'crl', /crypto\.crl: .*crl\.pem: not signed by the CA in crypto\.ca/],
    ['a missing key', 'key', /crypto\.key: cannot read .*nothing\.key/],
  ] as const)(
    '%s: exit 2, the field and file named, nothing served, no database made',
    async (_what, field, message) => {
      const garbage = path.join(dir, 'garbage.crt')
      writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')
      const bad = {
        cert: garbage,
        crl: pki.pki.layout.ca('tls').crl,
        key: path.join(dir, 'nothing.key'),
      }[field]
      const { file, db } = await configWith(`bad-${field}`, { [field]: bad })
      const child = startParklink('cloud', ['cloud', '--config', file])
      expect(await child.exited).toBe(2)
      expect(child.output()).toMatch(/PL_CONFIG_INVALID/)
      expect(child.output()).toMatch(message)
      expect(child.output()).toMatch(/hint: /)
      expect(child.output()).not.toMatch(/cloud API listening/)
      expect(existsSync(db)).toBe(false)
    },
    60_000,
  )

  it('starts with the good files (the configs above differ only in the one file)', async () => {
    const { file, db } = await configWith('good', {})
    const child = startParklink('cloud', ['cloud', '--config', file])
    await waitFor(() => /cloud API listening/.test(child.output()), {
      timeoutMs: 20_000,
      message: () => `the cloud did not start:\n${child.output()}`,
    })
    expect(child.output()).toMatch(/CRL in force/)
    expect(existsSync(db)).toBe(true)
    expect(await child.kill('SIGTERM')).toBe(0)
  }, 60_000)
})
