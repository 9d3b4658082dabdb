import { createHash } from 'node:crypto'

/**
 * SOAP and authentication helpers of the ONVIF camera simulator (onvif-sim.ts): the envelope,
 * faults, which operation a request calls, and the two ONVIF credential checks (ONVIF Core
 * §5.9: WS-Security UsernameToken with PasswordDigest, and HTTP digest, RFC 7616).
 */

export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wsa: 'http://www.w3.org/2005/08/addressing',
  ter: 'http://www.onvif.org/ver10/error',
  tns1: 'http://www.onvif.org/ver10/topics',
}

export function envelope(body: string): string {
  const xmlns = Object.entries(NS)
    .map(([p, uri]) => `xmlns:${p}="${uri}"`)
    .join(' ')
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope ${xmlns}><s:Body>${body}</s:Body></s:Envelope>`
}

/** A SOAP 1.2 fault (ONVIF Core §5.11.2); the reason text carries xml:lang as cameras send it. */
export function fault(code: 'Sender' | 'Receiver', subcode: string, reason: string): string {
  return envelope(
    `<s:Fault><s:Code><s:Value>s:${code}</s:Value><s:Subcode><s:Value>${subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">${reason}</s:Text></s:Reason></s:Fault>`,
  )
}

/** The local name of the first element in the SOAP body (the operation). */
export function operationOf(xml: string): string | null {
  const m = /<(?:[\w-]+:)?Body\b[^>]*>\s*<(?:[\w-]+:)?([\w-]+)/.exec(xml)
  return m ? m[1]! : null
}

export function textOf(xml: string, local: string): string | null {
  const m = new RegExp(`<(?:[\\w-]+:)?${local}\\b[^>]*>([^<]*)</(?:[\\w-]+:)?${local}>`).exec(xml)
  return m ? m[1]! : null
}

/** WS-Security UsernameToken: Base64(SHA-1(nonce + created + password)). null: no token sent. */
export function checkUsernameToken(xml: string, username: string, password: string): boolean | null {
  const user = textOf(xml, 'Username')
  const digest = textOf(xml, 'Password')
  const nonce = textOf(xml, 'Nonce')
  const created = textOf(xml, 'Created')
  if (user === null && digest === null) return null
  if (user !== username || digest === null || nonce === null || created === null) return false
  const expected = createHash('sha1')
    .update(
      Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created, 'ascii'), Buffer.from(password, 'ascii')]),
    )
    .digest('base64')
  return expected === digest
}

export const REALM = 'parklink-sim'

export function digestChallenge(nonce: string): string {
  return `Digest realm="${REALM}", qop="auth", nonce="${nonce}", algorithm=MD5`
}

/** HTTP digest (MD5, qop=auth or none). null: no Authorization header. */
export function checkDigest(
  header: string | undefined,
  method: string,
  username: string,
  password: string,
  nonces: ReadonlySet<string>,
): boolean | null {
  if (header === undefined) return null
  if (!header.startsWith('Digest ')) return false
  const params = Object.fromEntries(
    [...header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1]!, m[2] ?? m[3] ?? '']),
  )
  if (params.username !== username || params.realm !== REALM || !nonces.has(params.nonce ?? '')) return false
  const md5 = (s: string) => createHash('md5').update(s).digest('hex')
  const ha1 = md5(`${username}:${REALM}:${password}`)
  const ha2 = md5(`${method}:${params.uri}`)
  const expected = params.qop
    ? md5([ha1, params.nonce, params.nc, params.cnonce, params.qop, ha2].join(':'))
    : md5([ha1, params.nonce, ha2].join(':'))
  return expected === params.response
}

/** xs:duration as ONVIF uses it (PT5S, PT1M, PT1M30S) → ms; null when unreadable. */
export function durationMs(text: string | null): number | null {
  if (text === null) return null
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(text.trim())
  if (!m) return null
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000
}
