import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestPki, type TestPki } from '../test/util/crypto-pki.ts'
import { startParklink, stopAll } from '../test/util/child.ts'
import { initKeyFile } from './at-rest/key-file.ts'
import { checkEdgeConfigText } from './config-check.ts'

/**
 * `parklink edge validate` on the crypto files (issue 20): real files from `parklink pki` (the
 * test PKI helper) and `parklink edge key init`, each fault made as a technician would make it.
 */
const ENV = { PARKLINK_MQTT_PASSWORD: 'x' }
const NOW = Date.now()

describe('validate checks the key, certificate and at-rest key files', () => {
  let pki: TestPki
  let foreign: TestPki
  let dir: string
  let n = 0

  beforeAll(() => {
    pki = makeTestPki()
    foreign = makeTestPki()
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-validate-crypto-'))
  })
  afterAll(async () => {
    await stopAll()
    pki.dispose()
    foreign.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  /** The files of huaian/edge-01 copied into a folder of their own (the box's /etc/parklink/pki), and a key file. */
  const box = () => {
    const d = path.join(dir, `box-${++n}`)
    mkdirSync(d)
    const from = pki.dirOf('edge', 'huaian/edge-01')
    for (const f of ['ca.crt', 'client.crt', 'client.key', 'sm2.crt', 'sm2.key', 'sm2-ca.crt'])
      copyFileSync(path.join(from, f), path.join(d, f))
    initKeyFile(path.join(d, 'at-rest.key'), NOW)
    return d
  }
  const configOf = (d: string, extra = '') =>
    [
      'site: huaian',
      'edge: edge-01',
      'dataDir: ./data',
      'uplink:',
      '  url: mqtts://127.0.0.1:8883',
      `  tls: { ca: ${d}/ca.crt, cert: ${d}/client.crt, key: ${d}/client.key }`,
      'crypto: { suite: sm }',
      `storage: { encryption: { keyFile: ${d}/at-rest.key } }`,
      'devices: []',
      extra,
    ].join('\n')
  const check = (d: string, now = Date.now(), text = configOf(d)) =>
    checkEdgeConfigText(text, path.join(d, 'edge.yaml'), ENV, { cryptoFiles: { now } })
  const found = (r: ReturnType<typeof check>) => r.problems.map((p) => [p.path, p.code])

  it('passes the files `parklink pki issue edge` and `edge key init` wrote', () => {
    const r = check(box())
    expect(r.problems).toEqual([])
    expect(r.ok).toBe(true)
  })

  it('a key others may read: PL_KEY_PERMISSIONS with the chmod to run, at the line of the field', () => {
    const d = box()
    chmodSync(path.join(d, 'client.key'), 0o644)
    chmodSync(path.join(d, 'sm2.key'), 0o640)
    const r = check(d)
    expect(found(r)).toEqual([
      ['uplink.tls.key', 'PL_KEY_PERMISSIONS'],
      ['crypto.key', 'PL_KEY_PERMISSIONS'],
    ])
    expect(r.problems[0]).toMatchObject({ line: 6, hint: expect.stringContaining(`chmod 600 ${d}/client.key`) })
    expect(r.problems[0]!.message).toMatch(/mode 0644/)
  })

  it("another edge's certificate beside this key: PL_KEY_MISMATCH and PL_CERT_IDENTITY", () => {
    const d = box()
    copyFileSync(path.join(pki.dirOf('edge', 'huaian/edge-02'), 'client.crt'), path.join(d, 'client.crt'))
    const r = check(d)
    expect(found(r)).toEqual([
      ['uplink.tls.cert', 'PL_CERT_IDENTITY'],
      ['uplink.tls.cert', 'PL_KEY_MISMATCH'],
    ])
    expect(r.problems[0]!.message).toContain('"huaian/edge-02", this edge is "huaian/edge-01"')
    expect(r.problems[0]!.hint).toBe('issue this edge its own certificate: parklink pki issue edge huaian/edge-01')
  })

  it("another park's CA: PL_CERT_UNTRUSTED naming the issuer and the CA given", () => {
    const d = box()
    copyFileSync(path.join(foreign.dirOf('edge', 'huaian/edge-01'), 'sm2-ca.crt'), path.join(d, 'sm2-ca.crt'))
    expect(found(check(d))).toEqual([['crypto.cert', 'PL_CERT_UNTRUSTED']])
    expect(check(d).problems[0]!.hint).toMatch(/sm2-ca\.crt of the park PKI/)
  })

  it('outside the validity dates: PL_CERT_EXPIRED for the certificates and the CAs; not yet valid says check the clock', () => {
    const d = box()
    const later = check(d, Date.now() + 3 * 86_400_000)
    // The test PKI issues for 2 days, CAs included.
    expect(found(later)).toEqual([
      ['uplink.tls.cert', 'PL_CERT_EXPIRED'],
      ['uplink.tls.ca', 'PL_CERT_EXPIRED'],
      ['crypto.cert', 'PL_CERT_EXPIRED'],
      ['crypto.ca', 'PL_CERT_EXPIRED'],
    ])
    expect(later.problems[0]!.message).toMatch(/expired on/)
    const earlier = check(d, Date.now() - 86_400_000)
    expect(earlier.problems[0]).toMatchObject({ code: 'PL_CERT_EXPIRED', hint: expect.stringMatching(/clock/) })
  })

  it('a missing or wrong file: PL_CRYPTO_FILE (the start check`s one-line problem for the same block goes)', () => {
    const d = box()
    rmSync(path.join(d, 'ca.crt'))
    writeFileSync(path.join(d, 'sm2.crt'), 'not a certificate')
    const r = check(d)
    expect(found(r)).toEqual([
      ['uplink.tls.ca', 'PL_CRYPTO_FILE'],
      ['crypto.cert', 'PL_CRYPTO_FILE'],
    ])
    // suite standard with the SM2 files named: the curve does not fit.
    const e = box()
    const standard = configOf(e).replace(
      'crypto: { suite: sm }',
      `crypto: { suite: standard, key: ${e}/sm2.key, cert: ${e}/sm2.crt, ca: ${e}/sm2-ca.crt }`,
    )
    const s = check(e, Date.now(), standard)
    expect(found(s)).toEqual([['crypto.cert', 'PL_CRYPTO_FILE']])
    expect(s.problems[0]!.message).toMatch(/holds a SM2 key; crypto.suite standard signs with prime256v1/)
  })

  it('the at-rest key file missing, open or malformed: PL_AT_REST_KEY, the secret never in the message', () => {
    const d = box()
    const keyFile = path.join(d, 'at-rest.key')
    const secret = (JSON.parse(readFileSync(keyFile, 'utf8')) as { keys: Array<{ secret: string }> }).keys[0]!.secret
    chmodSync(keyFile, 0o644)
    expect(check(d).problems).toEqual([
      expect.objectContaining({
        path: 'storage.encryption.keyFile',
        code: 'PL_AT_REST_KEY',
        message: expect.stringMatching(/mode 0644/),
      }),
    ])
    chmodSync(keyFile, 0o600)
    writeFileSync(keyFile, JSON.stringify({ format: 'parklink-at-rest-keys/1', keys: [{ id: 'zz', secret }] }))
    const bad = check(d).problems
    expect(bad).toEqual([
      expect.objectContaining({ code: 'PL_AT_REST_KEY', message: expect.stringMatching(/not a parklink key file/) }),
    ])
    expect(JSON.stringify(bad)).not.toContain(secret)
    rmSync(keyFile)
    expect(check(d).problems[0]).toMatchObject({ code: 'PL_AT_REST_KEY', hint: expect.stringMatching(/backup/) })
  })

  it('CLI: exit 2, each problem with its code and hint, no key material printed; --no-env skips the files', async () => {
    const d = box()
    chmodSync(path.join(d, 'client.key'), 0o644)
    rmSync(path.join(d, 'at-rest.key'))
    const file = path.join(d, 'edge.yaml')
    writeFileSync(file, configOf(d))
    const run = async (...args: string[]) => {
      const child = startParklink('validate', ['edge', 'validate', file, ...args], ENV)
      return { code: await child.exited, out: child.output() }
    }
    const json = await run('--json')
    expect(json.code).toBe(2)
    const result = JSON.parse(json.out.trim().split('\n').at(-1)!) as { problems: Array<Record<string, unknown>> }
    expect(result.problems).toEqual([
      expect.objectContaining({
        path: 'uplink.tls.key',
        code: 'PL_KEY_PERMISSIONS',
        line: 6,
        hint: expect.any(String),
      }),
      expect.objectContaining({ path: 'storage.encryption.keyFile', code: 'PL_AT_REST_KEY', line: 8 }),
    ])
    const text = await run()
    expect(text.code).toBe(2)
    expect(text.out).toContain('uplink.tls.key: [PL_KEY_PERMISSIONS] ')
    expect(text.out).toMatch(/hint: chmod 600/)
    expect(text.out).not.toMatch(/PRIVATE KEY|BEGIN/)
    expect((await run('--no-env')).code).toBe(0)
  }, 60_000)
})
