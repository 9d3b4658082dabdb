import { readFileSync } from 'node:fs'
import type { CaName, IssueKind, PkiLayout } from './layout.ts'

/**
 * The certificates a CA has issued, from its openssl `ca` database (index.txt: status, expiry,
 * revocation, serial, file, subject; tab-separated). The subject is written `/OU=kind/CN=name`
 * with '/' in the name unescaped: since the CN is last, everything after `/CN=` is the name.
 */
export interface IssuedCert {
  ca: CaName
  kind: IssueKind | 'unknown'
  name: string
  serial: string
  status: 'valid' | 'revoked' | 'expired'
  notAfter: string
  revokedAt?: string
}

export function readIndex(layout: PkiLayout, ca: CaName): IssuedCert[] {
  return readFileSync(layout.ca(ca).index, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => parseLine(ca, line))
}

function parseLine(ca: CaName, line: string): IssuedCert {
  const [flag = '', expiry = '', revoked = '', serial = '', , subject = ''] = line.split('\t')
  const m = /^\/OU=(edge|cloud|broker)\/CN=(.*)$/.exec(subject)
  return {
    ca,
    kind: (m?.[1] as IssueKind | undefined) ?? 'unknown',
    // openssl writes a '/' inside a value escaped as '\/'.
    name: (m?.[2] ?? subject).replaceAll('\\/', '/'),
    serial,
    status: flag === 'R' ? 'revoked' : flag === 'E' ? 'expired' : 'valid',
    notAfter: asnTime(expiry),
    ...(flag === 'R' ? { revokedAt: asnTime(revoked.split(',')[0] ?? '') } : {}),
  }
}

/** openssl's YYMMDDHHMMSSZ (or YYYYMMDDHHMMSSZ) as ISO 8601. */
function asnTime(t: string): string {
  const full = t.length === 13 ? `${Number(t.slice(0, 2)) < 50 ? '20' : '19'}${t}` : t
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(full)
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : t
}
