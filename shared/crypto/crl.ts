import { verify, type X509Certificate } from 'node:crypto'
import { Tag, children, expectTag, normalSerial, oid, readTlv, serialHex, time, type Tlv } from './der.ts'

/**
 * A certificate revocation list (RFC 5280 §5) as `parklink pki revoke` / `pki crl` write it
 * (openssl `ca -gencrl`, PEM, a CRL number, v2): who is revoked, from when the list is valid and
 * until when. Parsed in place by der.ts and verified against the CA with node:crypto (Node has
 * no CRL type). Pure: the caller reads the file.
 */
export interface Crl {
  thisUpdate: number
  /** Past this the list says nothing any more (RFC 5280 §5.1.2.5); null: the CA did not say. */
  nextUpdate: number | null
  /** The CRL number extension (§5.2.3), growing with every list the CA signs; null when absent. */
  number: bigint | null
  /** Revoked serial numbers (normalSerial form). */
  revoked: ReadonlySet<string>
  /** The signed part and its signature, for verifyCrl. */
  tbs: Buffer
  algorithm: string
  signature: Buffer
}

/** Signature algorithms of the park's two CAs (and the wider ECDSA family a standard CA may use). */
const DIGESTS: Record<string, string> = {
  '1.2.156.10197.1.501': 'sm3', // SM2 with SM3 (GB/T 35276)
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256 (RFC 5758)
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
}
const CRL_NUMBER = '2.5.29.20'

/** PEM (`-----BEGIN X509 CRL-----`) or DER bytes. Throws, saying what is wrong, on anything else. */
export function parseCrl(data: Buffer): Crl {
  const der = fromPem(data)
  const [tbs, algorithm, signature] = children(expectTag(readTlv(der), Tag.SEQUENCE, 'CertificateList').content)
  const fields = children(expectTag(tbs, Tag.SEQUENCE, 'tbsCertList').content)
  let i = fields[0]?.tag === Tag.INTEGER ? 1 : 0 // version (v2) is optional
  expectTag(fields[i++], Tag.SEQUENCE, 'signature algorithm')
  expectTag(fields[i++], Tag.SEQUENCE, 'issuer')
  const thisUpdate = time(timeTag(fields[i++], 'thisUpdate'))
  let nextUpdate: number | null = null
  if (isTime(fields[i])) nextUpdate = time(fields[i++]!)
  const revoked = new Set<string>()
  if (fields[i]?.tag === Tag.SEQUENCE) {
    for (const entry of children(fields[i++]!.content)) {
      const [serial] = children(expectTag(entry, Tag.SEQUENCE, 'revoked certificate').content)
      revoked.add(serialHex(expectTag(serial, Tag.INTEGER, 'revoked serial').content))
    }
  }
  const number = fields[i]?.tag === Tag.CONTEXT_0 ? crlNumber(fields[i]!) : null
  const bits = expectTag(signature, Tag.BIT_STRING, 'signatureValue').content
  if (bits[0] !== 0) throw new Error('DER: the signature is not a whole number of bytes')
  return {
    thisUpdate,
    nextUpdate,
    number,
    revoked,
    tbs: tbs!.raw,
    algorithm: oid(
      expectTag(children(expectTag(algorithm, Tag.SEQUENCE, 'signatureAlgorithm').content)[0], Tag.OID, 'algorithm')
        .content,
    ),
    signature: bits.subarray(1),
  }
}

/** Whether `ca` signed the list (a CRL of another CA, or an altered one, is not). */
export function verifyCrl(crl: Crl, ca: X509Certificate): boolean {
  const digest = DIGESTS[crl.algorithm]
  if (digest === undefined) return false
  try {
    return verify(digest, crl.tbs, ca.publicKey, crl.signature)
  } catch {
    return false
  }
}

export const isRevoked = (crl: Crl, serial: string): boolean => crl.revoked.has(normalSerial(serial))

function fromPem(data: Buffer): Buffer {
  const text = data.subarray(0, 64).toString('latin1')
  if (!text.includes('-----BEGIN')) return data
  const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(data.toString('latin1'))
  if (!m) throw new Error('not a PEM "X509 CRL"')
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')
}

const isTime = (t: Tlv | undefined): t is Tlv => t?.tag === Tag.UTC_TIME || t?.tag === Tag.GENERALIZED_TIME
const timeTag = (t: Tlv | undefined, what: string): Tlv => {
  if (!isTime(t)) throw new Error(`DER: ${what} is not a time`)
  return t
}

/** crlExtensions [0] EXPLICIT SEQUENCE OF Extension { extnID, critical?, extnValue OCTET STRING }. */
function crlNumber(explicit: Tlv): bigint | null {
  const [extensions] = children(explicit.content)
  for (const ext of children(expectTag(extensions, Tag.SEQUENCE, 'crlExtensions').content)) {
    const parts = children(ext.content)
    if (oid(expectTag(parts[0], Tag.OID, 'extnID').content) !== CRL_NUMBER) continue
    const value = readTlv(expectTag(parts.at(-1), Tag.OCTET_STRING, 'extnValue').content)
    return BigInt(`0x${expectTag(value, Tag.INTEGER, 'CRL number').content.toString('hex') || '0'}`)
  }
  return null
}
