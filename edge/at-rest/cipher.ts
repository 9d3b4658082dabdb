import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'

/**
 * Records sealed at rest (issue 20, brief §7: local data encrypted with SM4). Node's OpenSSL here
 * has no SM4-GCM (`crypto.getCiphers()` lists sm4-cbc/-ctr/-ecb/-cfb/-ofb only), so a record is
 * SM4-CBC under a random IV, then authenticated with HMAC-SM3 (encrypt-then-MAC, ISO/IEC
 * 19772 / GB/T 15852.2): the tag covers the header, the IV, the ciphertext and the record's
 * purpose, so a record moved into another column or file does not open.
 *
 *   0x07 | 0x01 | key id (4 bytes) | IV (16) | SM4-CBC ciphertext (PKCS#7) | HMAC-SM3 tag (32)
 *
 * 0x07 starts no deflate stream (BFINAL=1, BTYPE=11 is reserved: RFC 1951 §3.2.3), so a sealed
 * outbox payload is told from a clear one written before encryption was turned on. The key id
 * names the key in the key file, so rows sealed before a rotation still open with the old key.
 */
export const SEALED_MARK = 0x07
const VERSION = 0x01
const ID_BYTES = 4
const IV_BYTES = 16
const TAG_BYTES = 32
const HEADER_BYTES = 2 + ID_BYTES
export const SEALED_OVERHEAD_MIN = HEADER_BYTES + IV_BYTES + 16 + TAG_BYTES

/** One at-rest key: its id (8 hex digits) and 32 bytes of secret. */
export interface AtRestKey {
  id: string
  secret: Buffer
}

export interface AtRestCipher {
  /** The key new records are sealed with. */
  readonly currentKeyId: string
  seal(plain: Uint8Array, purpose: string): Buffer
  /** Throws PL_AT_REST_KEY when the key id is unknown or the tag does not verify. */
  open(sealed: Uint8Array, purpose: string): Buffer
}

/** Whether `data` is a sealed record (not clear data written before encryption was on). */
export function isSealed(data: Uint8Array): boolean {
  return data.length >= SEALED_OVERHEAD_MIN && data[0] === SEALED_MARK && data[1] === VERSION
}

/** The id of the key a sealed record names. */
export function sealedKeyId(data: Uint8Array): string {
  return Buffer.from(data.subarray(2, HEADER_BYTES)).toString('hex')
}

interface Subkeys {
  header: Buffer
  enc: Buffer
  mac: Buffer
}

/** SM4 and HMAC-SM3 get separate keys, derived from the key file's secret with HKDF-SM3 (RFC 5869). */
function subkeys(key: AtRestKey): Subkeys {
  const derive = (label: string, bytes: number) =>
    Buffer.from(hkdfSync('sm3', key.secret, Buffer.alloc(0), `parklink at-rest ${label}`, bytes))
  return {
    header: Buffer.concat([Buffer.from([SEALED_MARK, VERSION]), Buffer.from(key.id, 'hex')]),
    enc: derive('sm4-cbc', 16),
    mac: derive('hmac-sm3', 32),
  }
}

const tagOf = (mac: Buffer, body: Uint8Array, purpose: string) =>
  createHmac('sm3', mac).update(body).update(Buffer.from(purpose, 'utf8')).digest()

/** `keys[0]` seals; every key opens the records that name it. */
export function createAtRestCipher(keys: readonly AtRestKey[], source: string): AtRestCipher {
  if (keys.length === 0) throw new RangeError('an at-rest cipher needs a key')
  const byId = new Map(keys.map((k) => [k.id, subkeys(k)]))
  const current = keys[0]!
  const sealer = byId.get(current.id)!
  const refuse = (what: string) =>
    new ParklinkError(ErrorCodes.AT_REST_KEY, `${what} (key file ${source})`, {
      hint: 'configure storage.encryption.keyFile with the key file these records were written with (kept with the edge backups); nothing was changed or moved',
    })
  return {
    currentKeyId: current.id,
    seal(plain, purpose) {
      const iv = randomBytes(IV_BYTES)
      const c = createCipheriv('sm4-cbc', sealer.enc, iv)
      const body = Buffer.concat([sealer.header, iv, c.update(plain), c.final()])
      return Buffer.concat([body, tagOf(sealer.mac, body, purpose)])
    },
    open(sealed, purpose) {
      if (!isSealed(sealed)) throw refuse(`a ${purpose} record is not sealed in a format this version reads`)
      const id = sealedKeyId(sealed)
      const k = byId.get(id)
      if (!k) throw refuse(`a ${purpose} record was sealed with key ${id}, which the key file does not hold`)
      const body = sealed.subarray(0, sealed.length - TAG_BYTES)
      const tag = sealed.subarray(sealed.length - TAG_BYTES)
      if (!timingSafeEqual(tag, tagOf(k.mac, body, purpose)))
        throw refuse(`a ${purpose} record does not verify under key ${id} (wrong key, or the record was altered)`)
      const d = createDecipheriv('sm4-cbc', k.enc, body.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES))
      return Buffer.concat([d.update(body.subarray(HEADER_BYTES + IV_BYTES)), d.final()])
    },
  }
}
