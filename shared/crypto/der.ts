/**
 * The little of DER (ITU-T X.690 §8, §10) a CRL needs: definite-length TLVs read in place.
 * Node's crypto has X509Certificate but no CRL type (deploy/pki/openssl.ts makes CRLs with the
 * openssl binary); this reader lets the cloud read them without a child process or a new
 * dependency. It throws on anything malformed; the caller turns that into a refusal.
 */
export interface Tlv {
  tag: number
  /** The whole element (tag, length and content). */
  raw: Buffer
  content: Buffer
}

export const Tag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  /** [0] EXPLICIT, constructed (a CRL's crlExtensions). */
  CONTEXT_0: 0xa0,
} as const

/** The element at `offset` of `buf`. */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  if (offset + 2 > buf.length) throw new Error('DER: truncated element')
  const tag = buf[offset]!
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not used in a CRL')
  let len = buf[offset + 1]!
  let head = 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0 || n > 4) throw new Error('DER: indefinite or oversized length')
    if (offset + 2 + n > buf.length) throw new Error('DER: truncated length')
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i]!
    head += n
  }
  const end = offset + head + len
  if (end > buf.length) throw new Error('DER: element longer than its container')
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + head, end) }
}

/** The elements inside a constructed element's content. */
export function children(content: Buffer): Tlv[] {
  const out: Tlv[] = []
  for (let at = 0; at < content.length; ) {
    const t = readTlv(content, at)
    out.push(t)
    at += t.raw.length
  }
  return out
}

/** Reads `t`, refusing another tag than `tag` (naming `what`). */
export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (t === undefined) throw new Error(`DER: ${what} is missing`)
  if (t.tag !== tag) throw new Error(`DER: ${what} has tag 0x${t.tag.toString(16)}, expected 0x${tag.toString(16)}`)
  return t
}

/** An OBJECT IDENTIFIER in dotted form (X.690 §8.19). */
export function oid(content: Buffer): string {
  if (content.length === 0) throw new Error('DER: empty OID')
  const first = content[0]!
  const arcs = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40]
  let value = 0
  for (const byte of content.subarray(1)) {
    value = value * 128 + (byte & 0x7f)
    if ((byte & 0x80) === 0) {
      arcs.push(value)
      value = 0
    }
  }
  return arcs.join('.')
}

/** UTCTime (YYMMDDHHMMSSZ, years 1950–2049, RFC 5280 §4.1.2.5.1) or GeneralizedTime (YYYYMMDDHHMMSSZ) in ms. */
export function time(t: Tlv): number {
  const text = t.content.toString('latin1')
  const m =
    t.tag === Tag.UTC_TIME
      ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text)
      : t.tag === Tag.GENERALIZED_TIME
        ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text)
        : null
  if (!m) throw new Error(`DER: not a UTC or generalized time: ${JSON.stringify(text)}`)
  const year = t.tag === Tag.UTC_TIME ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1])
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
}

/** An INTEGER's magnitude as upper-case hex without leading zeros: how serial numbers are compared. */
export const serialHex = (content: Buffer): string => normalSerial(content.toString('hex'))

/** A serial in hex (X509Certificate.serialNumber, openssl's index) as serialHex writes it. */
export const normalSerial = (hex: string): string => hex.toUpperCase().replace(/^0+(?=.)/, '')
