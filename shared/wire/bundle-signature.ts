import { createPrivateKey, createPublicKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto'
import type { BundleAlgorithm, ConfigBundle, SignedBundle } from './bundle.ts'

/**
 * Signing and checking the park's configuration bundles (shared/wire/bundle.ts) with node:crypto
 * (OpenSSL): SM2 with SM3 (OpenSSL's default SM2 identity, 1234567812345678, GM/T 0009) or
 * Ed25519. Keys are taken from PEM text only: an SM2 key made in memory is an "EC" key to
 * OpenSSL and would sign ECDSA over the SM2 curve instead of SM2, one read from PEM is SM2.
 */

/** The park's private key (PKCS#8 PEM) and which algorithm it signs with. */
export function signingKeyOf(pem: string): { key: KeyObject; alg: BundleAlgorithm } {
  const key = createPrivateKey(pem)
  return { key, alg: algorithmOf(key) }
}

/** The park's public key from a PEM public key or a certificate (e.g. its SM2 certificate). */
export function verifyingKeyOf(pem: string): { key: KeyObject; alg: BundleAlgorithm } {
  const key = pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem)
  return { key, alg: algorithmOf(key) }
}

function algorithmOf(key: KeyObject): BundleAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519'
  // Node names no type for an SM2 key read from PEM (OpenSSL's SM2 type). An EC key on the SM2
  // curve made in memory says 'ec' and would sign ECDSA: refused like any other EC key.
  if (key.asymmetricKeyType === undefined) return 'sm2-sm3'
  throw new Error(`a ${key.asymmetricKeyType} key cannot sign bundles: use an SM2 or an Ed25519 key`)
}

const digestOf = (alg: BundleAlgorithm) => (alg === 'sm2-sm3' ? 'sm3' : null)

export function signBundle(bundle: ConfigBundle, signer: { key: KeyObject; alg: BundleAlgorithm }): SignedBundle {
  const text = JSON.stringify(bundle)
  const signature = sign(digestOf(signer.alg), Buffer.from(text, 'utf8'), signer.key).toString('base64')
  return { bundle: text, alg: signer.alg, signature }
}

/** True only when `signed` was signed by the holder of `verifier`'s private key, with its algorithm. */
export function bundleSignatureValid(
  signed: SignedBundle,
  verifier: { key: KeyObject; alg: BundleAlgorithm },
): boolean {
  if (signed.alg !== verifier.alg) return false
  try {
    return verify(
      digestOf(signed.alg),
      Buffer.from(signed.bundle, 'utf8'),
      verifier.key,
      Buffer.from(signed.signature, 'base64'),
    )
  } catch {
    return false
  }
}
