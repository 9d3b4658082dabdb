import { createECDH, hkdfSync, type KeyObject } from 'node:crypto'
import type { BodyKeys } from './envelope.ts'
import type { SuiteAlgorithms } from './suite.ts'

/**
 * The body keys of one direction (`from` → `to`): ECDH between the sender's and the recipient's
 * certified keys (SM2 or P-256), then HKDF (RFC 5869) with the suite's digest (SM3 or SHA-256),
 * the direction in its info, so each direction has its own keys. Static keys: no forward
 * secrecy beyond the certificates' lifetime (README, Security model). 16 bytes for the cipher,
 * 32 for the MAC.
 *
 * Node 20 loads an SM2 key from PEM as a key of no known type: crypto.diffieHellman refuses it
 * and exporting it as SEC1 aborts the process. So the raw scalar is read from its PKCS#8 form,
 * the raw point from the SPKI form, and createECDH(curve) agrees on them.
 */
export function deriveBodyKeys(
  own: KeyObject,
  peer: KeyObject,
  from: string,
  to: string,
  alg: SuiteAlgorithms,
): BodyKeys {
  const ecdh = createECDH(alg.curve)
  ecdh.setPrivateKey(rawPrivate(own))
  const secret = ecdh.computeSecret(rawPublic(peer))
  const okm = Buffer.from(hkdfSync(alg.mac, secret, 'parklink-seal/1', `${from}>${to}`, 48))
  return { enc: okm.subarray(0, 16), mac: okm.subarray(16) }
}

/** ECPrivateKey (RFC 5915) inside PKCS#8: version 1, then the 32-byte scalar. */
const EC_PRIVATE = Buffer.from('0201010420', 'hex')
function rawPrivate(key: KeyObject): Buffer {
  const der = key.export({ type: 'pkcs8', format: 'der' })
  const at = der.indexOf(EC_PRIVATE)
  if (at < 0) throw new Error('not an EC private key of 256 bits')
  return der.subarray(at + EC_PRIVATE.length, at + EC_PRIVATE.length + 32)
}

/** The uncompressed point (0x04 ‖ X ‖ Y) that ends an EC SubjectPublicKeyInfo. */
function rawPublic(key: KeyObject): Buffer {
  const der = key.export({ type: 'spki', format: 'der' })
  const point = der.subarray(der.length - 65)
  if (point[0] !== 0x04) throw new Error('not an uncompressed EC public key of 256 bits')
  return point
}

const CURVE_OIDS: Record<SuiteAlgorithms['curve'], Buffer> = {
  SM2: Buffer.from('06082a811ccf5501822d', 'hex'), // 1.2.156.10197.1.301
  prime256v1: Buffer.from('06082a8648ce3d030107', 'hex'), // 1.2.840.10045.3.1.7
}

/** The curve of a public key, read from its SPKI (Node names no curve for an SM2 key from a file). */
export function curveOf(key: KeyObject): SuiteAlgorithms['curve'] | null {
  if (key.type !== 'public') return null
  const der = key.export({ type: 'spki', format: 'der' })
  for (const [curve, oid] of Object.entries(CURVE_OIDS)) if (der.includes(oid)) return curve as SuiteAlgorithms['curve']
  return null
}
