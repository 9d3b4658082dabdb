import { createHash, X509Certificate, type KeyObject } from 'node:crypto'
import { errorMessage } from '../errors.ts'
import { curveOf } from './body-keys.ts'
import type { SuiteAlgorithms } from './suite.ts'

/**
 * Who signed a sealed message: a certificate of the park's CA (`parklink pki`), its OU the kind
 * (edge | cloud) and its CN the identity (an edge's `{site}/{edge}`, deploy/pki/names.ts).
 */
export interface Signer {
  kind: string
  cn: string
  publicKey: KeyObject
  /** The certificate's fingerprint (first 16 bytes of its digest, hex): the `kid` of the messages it signs. */
  kid: string
  /** The certificate's serial number (hex), what a CRL lists (crl.ts). */
  serial: string
  der: Buffer
}

export const keyId = (der: Buffer, alg: SuiteAlgorithms): string =>
  createHash(alg.digest).update(der).digest().subarray(0, 16).toString('hex')

/** The last value of `key` in a subject as Node prints it (one `KEY=value` a line). */
const field = (subject: string, key: string): string | undefined =>
  subject
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1))
    .at(-1)

/**
 * A certificate as a signer, or why not: signed by `ca`, valid at `now`, a key on the suite's
 * curve. Pure; revocation is the receiver's `revocation` check (sealer.ts), asked at every message.
 */
export function signerOf(
  der: Buffer,
  ca: X509Certificate,
  now: number,
  alg: SuiteAlgorithms,
): { signer: Signer } | { error: string } {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(der)
  } catch (err) {
    return { error: `not a certificate: ${errorMessage(err)}` }
  }
  if (!cert.verify(ca.publicKey))
    return { error: `"${cert.subject.replaceAll('\n', ',')}" is not signed by the park CA` }
  if (now > Date.parse(cert.validTo)) return { error: `the certificate expired on ${cert.validTo}` }
  if (now < Date.parse(cert.validFrom)) return { error: `the certificate is valid only from ${cert.validFrom}` }
  const curve = curveOf(cert.publicKey)
  if (curve !== alg.curve)
    return { error: `the certificate's key is on ${curve ?? 'another curve'}, the suite needs ${alg.curve}` }
  const cn = field(cert.subject, 'CN')
  const kind = field(cert.subject, 'OU')
  if (cn === undefined || kind === undefined) return { error: 'the certificate names no OU or CN' }
  return {
    signer: {
      kind,
      cn,
      publicKey: cert.publicKey,
      kid: keyId(cert.raw, alg),
      serial: cert.serialNumber,
      der: cert.raw,
    },
  }
}
