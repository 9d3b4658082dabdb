import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revoke } from '../../deploy/pki/revoke.ts'
import { runOpenssl } from '../../deploy/pki/openssl.ts'
import { makeTestPki, type TestPki } from '../../test/util/crypto-pki.ts'
import { isRevoked, parseCrl, verifyCrl } from './crl.ts'

/** The CRLs `parklink pki` writes (openssl ca -gencrl), read by crl.ts and checked against openssl's own reading. */
describe('parseCrl / verifyCrl on the park CRLs', () => {
  let pki: TestPki
  let serials: { tls: string; sm2: string }
  const ca = (name: 'tls' | 'sm2') => new X509Certificate(readFileSync(pki.pki.layout.ca(name).cert))
  const crlFile = (name: 'tls' | 'sm2') => pki.pki.layout.ca(name).crl

  beforeAll(() => {
    pki = makeTestPki()
    const dir = pki.dirOf('edge', 'huaian/edge-01')
    pki.dirOf('edge', 'huaian/edge-02')
    serials = {
      tls: new X509Certificate(readFileSync(`${dir}/client.crt`)).serialNumber,
      sm2: new X509Certificate(readFileSync(`${dir}/sm2.crt`)).serialNumber,
    }
    revoke(pki.pki, 'huaian/edge-01')
  })
  afterAll(() => pki.dispose())

  it.each(['sm2', 'tls'] as const)('reads the %s CRL as openssl does: revoked serials, dates, number', (name) => {
    const crl = parseCrl(readFileSync(crlFile(name)))
    expect(isRevoked(crl, serials[name])).toBe(true)
    expect(isRevoked(crl, serials[name === 'tls' ? 'sm2' : 'tls'])).toBe(false)
    expect(crl.revoked.size).toBe(1)
    const text = runOpenssl(['crl', '-in', crlFile(name), '-noout', '-lastupdate', '-nextupdate', '-crlnumber'])
    const field = (k: string) => new RegExp(`${k}=(.*)`).exec(text)![1]!.trim()
    expect(crl.thisUpdate).toBe(Date.parse(field('lastUpdate')))
    expect(crl.nextUpdate).toBe(Date.parse(field('nextUpdate')))
    expect(crl.number).toBe(BigInt(field('crlNumber')))
  })

  it('verifies a CRL against its own CA only (SM2/SM3 and ECDSA/SHA-256), and not an altered one', () => {
    expect(verifyCrl(parseCrl(readFileSync(crlFile('sm2'))), ca('sm2'))).toBe(true)
    expect(verifyCrl(parseCrl(readFileSync(crlFile('tls'))), ca('tls'))).toBe(true)
    expect(verifyCrl(parseCrl(readFileSync(crlFile('sm2'))), ca('tls'))).toBe(false)
    expect(verifyCrl(parseCrl(readFileSync(crlFile('tls'))), ca('sm2'))).toBe(false)
    const der = Buffer.from(
      /-----BEGIN X509 CRL-----([\s\S]*?)-----END/.exec(readFileSync(crlFile('sm2'), 'utf8'))![1]!,
      'base64',
    )
    // Flip a bit of the revoked serial: still a CRL, no longer the one the CA signed.
    const serialAt = der.indexOf(Buffer.from(serials.sm2.padStart(16, '0'), 'hex'))
    expect(serialAt).toBeGreaterThan(0)
    der[serialAt + 3]! ^= 0x01
    const altered = parseCrl(der)
    expect(isRevoked(altered, serials.sm2)).toBe(false)
    expect(verifyCrl(altered, ca('sm2'))).toBe(false)
  })

  it('refuses what is not a CRL', () => {
    expect(() => parseCrl(readFileSync(pki.pki.layout.ca('sm2').cert))).toThrow(/not a PEM "X509 CRL"/)
    expect(() => parseCrl(Buffer.from([0x30, 0x82, 0x10]))).toThrow(/DER/)
    expect(() => parseCrl(Buffer.from('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n'))).toThrow(/DER/)
  })
})
