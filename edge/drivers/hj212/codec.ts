/**
 * HJ 212-2017 (污染物在线监控（监测）系统数据传输标准) framing and parsing, pure.
 *
 * A packet (§6.3): `##` + 4-digit decimal length of the data segment + data segment + 4 hex
 * digits of CRC16 over the data segment + `\r\n`. The data segment: `QN=…;ST=…;CN=…;PW=…;
 * MN=…;Flag=…;CP=&&…&&`, CP holding `;`-separated groups of `,`-separated `key=value` pairs
 * (`DataTime=20260706103512;w01018-Rtd=12.3,w01018-Flag=N`). The data segment is at most 1 024
 * characters (§6.3.1).
 */
export const MAX_SEGMENT = 1024

/** HJ 212-2017 CRC16 (Appendix A): init 0xFFFF, each byte XORed into the HIGH-shifted register, polynomial 0xA001. */
export function crc16(text: string): string {
  let crc = 0xffff
  for (const byte of Buffer.from(text, 'utf8')) {
    crc = (crc >> 8) ^ byte
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >> 1) ^ 0xa001 : crc >> 1
  }
  return crc.toString(16).toUpperCase().padStart(4, '0')
}

export function encodeFrame(segment: string): string {
  return `##${String(Buffer.byteLength(segment, 'utf8')).padStart(4, '0')}${segment}${crc16(segment)}\r\n`
}

export type RejectReason =
  | 'bad_length'
  | 'too_long'
  | 'bad_crc'
  | 'bad_terminator'
  | 'malformed'
  | 'unknown_mn'
  | 'bad_password'

export type Extracted = { ok: true; segment: string } | { ok: false; reason: RejectReason; detail: string }

/**
 * Splits a connection's buffered text into packets. Garbage before `##` is skipped; an
 * incomplete packet stays in `rest` until more arrives.
 */
export function extractFrames(buffer: string): { items: Extracted[]; rest: string } {
  const items: Extracted[] = []
  let rest = buffer
  for (;;) {
    const start = rest.indexOf('##')
    if (start < 0) return { items, rest: rest.endsWith('#') ? '#' : '' }
    rest = rest.slice(start)
    if (rest.length < 6) return { items, rest }
    const lengthText = rest.slice(2, 6)
    if (!/^\d{4}$/.test(lengthText)) {
      items.push({ ok: false, reason: 'bad_length', detail: `length field "${lengthText}" is not 4 digits` })
      rest = rest.slice(2)
      continue
    }
    const length = Number(lengthText)
    if (length > MAX_SEGMENT) {
      items.push({
        ok: false,
        reason: 'too_long',
        detail: `data segment of ${length} characters (at most ${MAX_SEGMENT})`,
      })
      rest = rest.slice(2)
      continue
    }
    const total = 6 + length + 4 + 2
    if (rest.length < total) {
      // A wrong length could make us wait forever: a new packet inside the awaited span means this one was cut.
      const next = rest.indexOf('##', 2)
      if (next > 0 && rest.length >= next + 6) {
        items.push({ ok: false, reason: 'bad_length', detail: 'packet shorter than its length field' })
        rest = rest.slice(next)
        continue
      }
      return { items, rest }
    }
    const segment = rest.slice(6, 6 + length)
    const crc = rest.slice(6 + length, 6 + length + 4)
    const end = rest.slice(6 + length + 4, total)
    if (end !== '\r\n') {
      items.push({ ok: false, reason: 'bad_length', detail: 'no CRLF where the length field says the packet ends' })
      rest = rest.slice(2)
      continue
    }
    if (crc.toUpperCase() !== crc16(segment))
      items.push({ ok: false, reason: 'bad_crc', detail: `CRC ${crc}, computed ${crc16(segment)}` })
    else items.push({ ok: true, segment })
    rest = rest.slice(total)
  }
}

export interface Message {
  QN?: string
  ST?: string
  CN: string
  PW?: string
  MN: string
  flag: number
  /** CP groups: key → value, e.g. 'w01018-Rtd' → '12.3', 'DataTime' → '20260706103512'. */
  cp: Map<string, string>
}

/** Parses a data segment; null when a mandatory field is missing or CP is not `&&…&&`. */
export function parseSegment(segment: string): Message | null {
  const cpAt = segment.indexOf('CP=&&')
  if (cpAt < 0 || !segment.endsWith('&&')) return null
  const head = new Map<string, string>()
  for (const part of segment.slice(0, cpAt).split(';')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    if (eq <= 0) return null
    head.set(part.slice(0, eq), part.slice(eq + 1))
  }
  const cp = new Map<string, string>()
  const body = segment.slice(cpAt + 5, -2)
  for (const group of body.split(';')) {
    for (const pair of group.split(',')) {
      if (pair === '') continue
      const eq = pair.indexOf('=')
      if (eq <= 0) return null
      cp.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
  }
  const CN = head.get('CN')
  const MN = head.get('MN')
  if (!CN || !MN) return null
  const flag = Number(head.get('Flag') ?? '0')
  return {
    QN: head.get('QN'),
    ST: head.get('ST'),
    CN,
    PW: head.get('PW'),
    MN,
    flag: Number.isInteger(flag) ? flag : 0,
    cp,
  }
}

/** Flag bit A (§6.3.3, Table 4): the sender wants an answer. */
export const wantsAnswer = (flag: number): boolean => (flag & 1) === 1

/** The data answer (CN=9014, ST=91) to an upload that asked for one (§6.6.6, Appendix C). */
export function dataAnswer(m: Message): string {
  return encodeFrame(`QN=${m.QN ?? ''};ST=91;CN=9014;PW=${m.PW ?? ''};MN=${m.MN};Flag=4;CP=&&&&`)
}

/** DataTime yyyyMMddHHmmss at the instrument's UTC offset → epoch ms; null if malformed. */
export function parseDataTime(text: string | undefined, utcOffset: string): number | null {
  const m = text ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(text) : null
  if (!m) return null
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7] ?? '000'}${utcOffset}`
  const t = Date.parse(iso)
  return Number.isFinite(t) ? t : null
}
