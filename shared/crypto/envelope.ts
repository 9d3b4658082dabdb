import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto'
import { z } from 'zod'
import type { SuiteAlgorithms } from './suite.ts'

/**
 * A sealed message (issue 20), versioned and additive: `crypto.suite: off` keeps the plain JSON
 * of shared/wire/codec.ts; a sealed one is
 *
 *   PLSEAL1 <header JSON>\n<signature, base64>\n<body>
 *
 * The body is the plain message's bytes (or, encrypted, its ciphertext). The signature covers
 * `PLSEAL1\n{topic}\n{header JSON}\n{body}`: the header exactly as sent (no canonical form to
 * get wrong), the body, and the topic, so a signed ack cannot be replayed as a command, nor a
 * batch of one edge on another edge's topic. The header's counter makes a replay detectable
 * (replay.ts); `cert` (the signer's certificate, DER base64) travels where the receiver may not
 * know it yet, `kid` names it otherwise.
 */
export const SEAL_MAGIC = 'PLSEAL1'
const PREFIX = Buffer.from(`${SEAL_MAGIC} `)
/** An identity: an edge's `{site}/{edge}` or a cloud instance's name. */
const Identity = z.string().regex(/^[A-Za-z0-9._-]{1,64}(\/[A-Za-z0-9._-]{1,64})?$/)

export const SealHeader = z.strictObject({
  s: z.enum(['sm', 'standard']),
  from: Identity,
  ctr: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  kid: z.string().regex(/^[0-9a-f]{32}$/),
  cert: z.string().max(8192).optional(),
  /** Encrypted: the recipient (whose key the body key is agreed with), the IV and the MAC (base64). */
  to: Identity.optional(),
  iv: z.string().max(64).optional(),
  mac: z.string().max(128).optional(),
  /** A last will (MQTT §3.1.2.5): sealed at connect, published by the broker later, so its counter is older than what followed it. */
  will: z.literal(true).optional(),
})
export type SealHeader = z.infer<typeof SealHeader>

export const isSealed = (payload: Uint8Array): boolean =>
  payload.length >= PREFIX.length && Buffer.from(payload.buffer, payload.byteOffset, PREFIX.length).equals(PREFIX)

/** The bytes the signature covers. */
export const signedBytes = (topic: string, headerJson: string, body: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from(`${SEAL_MAGIC}\n${topic}\n${headerJson}\n`), body])

export function sealFrame(
  topic: string,
  header: SealHeader,
  body: Uint8Array,
  key: KeyObject,
  alg: SuiteAlgorithms,
): Buffer {
  const headerJson = JSON.stringify(header)
  const signature = sign(alg.digest, signedBytes(topic, headerJson, body), key).toString('base64')
  return Buffer.concat([PREFIX, Buffer.from(`${headerJson}\n${signature}\n`), body])
}

export interface Frame {
  header: SealHeader
  headerJson: string
  signature: Buffer
  body: Buffer
}

/** The parts of a sealed payload, or what is wrong with it (nothing is verified yet). */
export function parseFrame(payload: Buffer): { frame: Frame } | { error: string } {
  if (!isSealed(payload)) return { error: `not a sealed message (no ${SEAL_MAGIC} prefix)` }
  const nl1 = payload.indexOf(0x0a, PREFIX.length)
  const nl2 = nl1 < 0 ? -1 : payload.indexOf(0x0a, nl1 + 1)
  if (nl2 < 0 || nl1 - PREFIX.length > 16_384) return { error: 'sealed message without header and signature lines' }
  const headerJson = payload.subarray(PREFIX.length, nl1).toString('utf8')
  let json: unknown
  try {
    json = JSON.parse(headerJson)
  } catch {
    return { error: 'sealed header is not JSON' }
  }
  const parsed = SealHeader.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return { error: `sealed header ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` }
  }
  // Strict base64: Node's decoder skips stray characters, so one signature must have one spelling.
  const text = payload.subarray(nl1 + 1, nl2).toString('latin1')
  const signature = Buffer.from(text, 'base64')
  if (signature.length === 0 || signature.toString('base64') !== text)
    return { error: 'sealed message without a valid base64 signature' }
  return { frame: { header: parsed.data, headerJson, signature, body: payload.subarray(nl2 + 1) } }
}

export const verifyFrame = (topic: string, frame: Frame, key: KeyObject, alg: SuiteAlgorithms): boolean => {
  try {
    return verify(alg.digest, signedBytes(topic, frame.headerJson, frame.body), key, frame.signature)
  } catch {
    return false
  }
}

/** The keys of one direction between two parties (crypto-keys.ts derives them). */
export interface BodyKeys {
  enc: Buffer
  mac: Buffer
}

/** Encrypt-then-MAC: CBC under a random IV, the MAC over IV ‖ ciphertext (SM4-GCM is not in this OpenSSL). */
export function encryptBody(body: Uint8Array, keys: BodyKeys, iv: Buffer, alg: SuiteAlgorithms) {
  const cipher = createCipheriv(alg.cipher, keys.enc, iv)
  const ciphertext = Buffer.concat([cipher.update(body), cipher.final()])
  const mac = createHmac(alg.mac, keys.mac).update(iv).update(ciphertext).digest()
  return { ciphertext, iv: iv.toString('base64'), mac: mac.toString('base64') }
}

/** The plain body, or null when the MAC does not match (nothing is decrypted then). */
export function decryptBody(
  ciphertext: Buffer,
  header: SealHeader,
  keys: BodyKeys,
  alg: SuiteAlgorithms,
): Buffer | null {
  if (header.iv === undefined || header.mac === undefined) return null
  const iv = Buffer.from(header.iv, 'base64')
  const mac = Buffer.from(header.mac, 'base64')
  const expected = createHmac(alg.mac, keys.mac).update(iv).update(ciphertext).digest()
  if (iv.length !== 16 || mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null
  try {
    const decipher = createDecipheriv(alg.cipher, keys.enc, iv)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()])
  } catch {
    return null
  }
}
