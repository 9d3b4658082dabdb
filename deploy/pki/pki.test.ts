import { createSecureContext, getCiphers } from 'node:tls'
import { X509Certificate, createPrivateKey, sign, verify } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mqttUplinkOf, parseEdgeConfig } from '../../edge/config.ts'
import { main } from '../cli.ts'
import { initPki, openPki, type PkiContext } from './ca.ts'
import { readIndex } from './index-db.ts'
import { issue } from './issue.ts'
import { cloudIdentity, edgeIdentity } from './names.ts'
import { runOpenssl } from './openssl.ts'
import { revoke } from './revoke.ts'

/** Every file and directory under `dir` with its permission bits. */
function modes(dir: string): Array<{ file: string; mode: number; isDir: boolean }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => {
    const s = statSync(path.join(dir, f))
    return { file: f, mode: s.mode & 0o777, isDir: s.isDirectory() }
  })
}

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const log = console.log
  console.log = (...a: unknown[]) => {
    out += `${a.join(' ')}\n`
  }
  try {
    return { code: await main(['node', 'parklink', 'pki', ...args]), out }
  } finally {
    console.log = log
  }
}

describe('parklink pki', () => {
  let dir: string
  let ctx: PkiContext
  const previousUmask = process.umask(0)
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-pki-'))
    // A permissive umask: the modes below must not depend on it.
    ctx = initPki(path.join(dir, 'pki'), runOpenssl, { park: 'test park', days: 2 })
  })
  afterAll(() => {
    process.umask(previousUmask)
    rmSync(dir, { recursive: true, force: true })
  })

  it('issues an edge a P-256 TLS certificate whose CN is its broker identity, and an SM2 one signed with SM3', () => {
    const issued = issue(ctx, edgeIdentity('huaian.edge-01'), { days: 2 })
    const tlsCa = new X509Certificate(readFileSync(ctx.layout.ca('tls').cert))
    const cert = new X509Certificate(readFileSync(issued.files.clientCert!))
    expect(cert.subject).toBe('OU=edge\nCN=huaian/edge-01')
    expect(cert.verify(tlsCa.publicKey)).toBe(true)
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    expect(cert.checkPrivateKey(createPrivateKey(readFileSync(issued.files.clientKey!)))).toBe(true)

    const sm2 = new X509Certificate(readFileSync(issued.files.sm2Cert!))
    expect(sm2.subject).toBe(cert.subject)
    expect(sm2.verify(new X509Certificate(readFileSync(ctx.layout.ca('sm2').cert)).publicKey)).toBe(true)
    expect(sm2.verify(tlsCa.publicKey)).toBe(false)
    const sm2Key = createPrivateKey(readFileSync(issued.files.sm2Key!))
    const signature = sign('sm3', Buffer.from('batch'), sm2Key)
    expect(verify('sm3', Buffer.from('batch'), sm2.publicKey, signature)).toBe(true)
  })

  it('keeps SM2 out of TLS because OpenSSL 3.0 cannot use it there (the evidence for two CAs, deploy/pki/layout.ts)', () => {
    const dirOf = path.join(ctx.layout.root, 'issued/edge/huaian/edge-01')
    expect(() =>
      createSecureContext({
        cert: readFileSync(path.join(dirOf, 'sm2.crt')),
        key: readFileSync(path.join(dirOf, 'sm2.key')),
      }),
    ).toThrow(/unknown certificate type/)
    expect(getCiphers().filter((c) => /sm4|sm3/i.test(c))).toEqual([])
    expect(() =>
      createSecureContext({
        cert: readFileSync(path.join(dirOf, 'client.crt')),
        key: readFileSync(path.join(dirOf, 'client.key')),
      }),
    ).not.toThrow()
  })

  it('keeps keys and the CA database 0600 and every directory 0700 under umask 000; certificates and CRLs 0644', () => {
    issue(ctx, cloudIdentity('parklink-cloud'), { days: 2 })
    const all = modes(ctx.layout.root)
    expect(all.filter((f) => f.isDir && f.mode !== 0o700)).toEqual([])
    const isPublic = (f: string) => /(\.crt|crl\.pem)$/.test(f)
    expect(all.filter((f) => !f.isDir && !isPublic(f.file) && f.mode !== 0o600)).toEqual([])
    expect(all.filter((f) => !f.isDir && isPublic(f.file) && f.mode !== 0o644)).toEqual([])
    expect(all.filter((f) => f.file.endsWith('.key')).length).toBe(2 + 4)
  })

  it('refuses a second valid certificate for a name, and a name that is not an edge', () => {
    expect(() => issue(ctx, edgeIdentity('huaian/edge-01'), { days: 2 })).toThrow(/not empty/)
    expect(() => issue(ctx, edgeIdentity('huaian/edge-01'), { days: 2, out: path.join(dir, 'elsewhere') })).toThrow(
      /already a certificate/,
    )
    expect(() => edgeIdentity('a.b.c')).toThrow(/not an edge name/)
    expect(() => cloudIdentity('huaian/e1')).toThrow(/not a cloud user name/)
  })

  it('revokes both certificates of a name into the CRLs, and lets the name be issued again', () => {
    const before = readIndex(ctx.layout, 'tls').find((c) => c.name === 'huaian/edge-01')!
    const r = revoke(ctx, 'huaian/edge-01')
    expect(r.serials).toHaveLength(2)
    expect(readIndex(ctx.layout, 'tls').find((c) => c.serial === before.serial)?.status).toBe('revoked')
    const crl = runOpenssl(['crl', '-in', ctx.layout.ca('tls').crl, '-noout', '-text'])
    expect(crl).toContain(`Serial Number: ${before.serial}`)
    const again = issue(ctx, edgeIdentity('huaian/edge-01'), { days: 2 })
    expect(new X509Certificate(readFileSync(again.files.clientCert!)).serialNumber).not.toBe(before.serial)
    expect(() => revoke(ctx, 'huaian/nobody')).toThrow(/no valid certificate/)
  })

  it('CLI: init refuses an existing CA; issue prints paths and the config snippet, never a key', async () => {
    const root = path.join(dir, 'pki')
    expect((await cli('init', '--dir', root)).code).toBe(1)
    const issued = await cli('issue', 'edge', 'huaian/edge-02', '--dir', root)
    expect(issued.code).toBe(0)
    expect(issued.out).toContain(`tls: { ca: ${path.join(root, 'issued/edge/huaian/edge-02/ca.crt')}`)
    expect(issued.out).not.toMatch(/PRIVATE KEY|BEGIN/)
    const list = await cli('list', '--dir', root, '--json')
    expect(JSON.parse(list.out)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ca: 'tls', kind: 'edge', name: 'huaian/edge-02', status: 'valid' }),
      ]),
    )
    // edge init takes the issued folder as it is.
    const config = path.join(dir, 'edge-02.yaml')
    const issuedDir = path.join(root, 'issued/edge/huaian/edge-02')
    expect(
      await main([
        'node',
        'parklink',
        'edge',
        'init',
        '--config',
        config,
        '--site',
        'huaian',
        '--edge',
        'edge-02',
        '--broker',
        'mqtts://10.0.0.5:8883',
        '--pki-files',
        issuedDir,
        '--yes',
      ]),
    ).toBe(0)
    expect(mqttUplinkOf(parseEdgeConfig(readFileSync(config, 'utf8'), config))?.tls).toEqual({
      ca: path.join(issuedDir, 'ca.crt'),
      cert: path.join(issuedDir, 'client.crt'),
      key: path.join(issuedDir, 'client.key'),
    })
    expect((await cli('revoke', 'huaian.edge-02', '--dir', root)).code).toBe(0)
    expect((await cli('list', '--dir', path.join(dir, 'none'))).code).toBe(1)
    expect(openPki(root, runOpenssl).layout.root).toBe(root)
  })
})
