import * as fs from 'node:fs'
import path from 'node:path'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { confEnv, generateCrl, type PkiContext } from './ca.ts'
import { readIndex } from './index-db.ts'
import { CA_NAMES } from './layout.ts'

/**
 * `parklink pki revoke NAME`: revokes every valid certificate issued to NAME (its TLS and its SM2
 * certificate), re-signs both CRLs, and moves the issued folder aside (`….revoked-{serial}`) so
 * the name can be issued again. The broker sees it once Mosquitto re-reads its crlfile (restart).
 */
export interface Revoked {
  name: string
  serials: string[]
  crl: string
}

export function revoke(ctx: PkiContext, name: string, reason = 'unspecified'): Revoked {
  const { layout, openssl } = ctx
  const serials: string[] = []
  let kind: string | undefined
  for (const ca of CA_NAMES) {
    for (const cert of readIndex(layout, ca).filter((c) => c.name === name && c.status === 'valid')) {
      openssl(
        [
          'ca',
          '-config',
          layout.conf,
          '-name',
          `${ca}_ca`,
          '-revoke',
          path.join(layout.ca(ca).newcerts, `${cert.serial}.pem`),
          '-crl_reason',
          reason,
        ],
        confEnv(layout),
      )
      serials.push(cert.serial)
      kind = cert.kind
    }
    generateCrl(ctx, ca)
  }
  if (serials.length === 0) {
    throw new ParklinkError(ErrorCodes.PKI_FAILED, `no valid certificate is issued to "${name}"`, {
      hint: 'parklink pki list shows the names (an edge is {site}/{edge})',
    })
  }
  if (kind === 'edge' || kind === 'cloud' || kind === 'broker') {
    const dir = layout.issued(kind, name)
    if (fs.existsSync(dir)) fs.renameSync(dir, `${dir}.revoked-${serials[0]}`)
  }
  return { name, serials, crl: layout.ca('tls').crl }
}
