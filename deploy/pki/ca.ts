import * as fs from 'node:fs'
import { ensurePrivateDir, writePrivateFile } from '../../shared/private-files.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { writeNewKey } from './keys.ts'
import { CA_NAMES, opensslConf, pkiLayout, type CaName, type PkiLayout } from './layout.ts'
import type { OpensslRunner } from './openssl.ts'

/** How long a CRL stays valid: Mosquitto refuses every client once its crlfile is past nextUpdate. */
export const CRL_DAYS = 90

export interface PkiContext {
  layout: PkiLayout
  openssl: OpensslRunner
}

/** Environment for openssl.cnf (layout.ts). */
export const confEnv = (layout: PkiLayout, san = 'DNS:localhost'): Record<string, string> => ({
  PARKLINK_PKI_DIR: layout.root,
  PARKLINK_SAN: san,
})

/** The PKI at `root`; refuses a directory `pki init` has not set up. Rewrites openssl.cnf from code. */
export function openPki(root: string, openssl: OpensslRunner): PkiContext {
  const layout = pkiLayout(root)
  for (const name of CA_NAMES) {
    if (!fs.existsSync(layout.ca(name).cert)) {
      throw new ParklinkError(
        ErrorCodes.PKI_FAILED,
        `${layout.root} holds no park CA (${layout.ca(name).cert} is missing)`,
        { hint: 'run `parklink pki init --dir DIR` first, or pass the --dir of the existing PKI' },
      )
    }
  }
  writePrivateFile(fs, layout.conf, opensslConf(CRL_DAYS))
  return { layout, openssl }
}

export interface InitOptions {
  park: string
  days: number
}

/**
 * `parklink pki init`: both CAs (tls: P-256/SHA-256, sm2: SM2/SM3), self-signed, their empty
 * databases and first CRLs. Refuses a directory that already has a CA (nothing is overwritten).
 */
export function initPki(root: string, openssl: OpensslRunner, options: InitOptions): PkiContext {
  const layout = pkiLayout(root)
  if (CA_NAMES.some((n) => fs.existsSync(layout.ca(n).key))) {
    throw new ParklinkError(ErrorCodes.PKI_FAILED, `${layout.root} already holds a park CA: not overwritten`, {
      hint: 'use that PKI (parklink pki list), or init another --dir',
    })
  }
  ensurePrivateDir(fs, layout.root)
  writePrivateFile(fs, layout.conf, opensslConf(CRL_DAYS))
  const ctx = { layout, openssl }
  for (const name of CA_NAMES) initCa(ctx, name, options)
  return ctx
}

function initCa({ layout, openssl }: PkiContext, name: CaName, { park, days }: InitOptions): void {
  const ca = layout.ca(name)
  ensurePrivateDir(fs, ca.dir)
  ensurePrivateDir(fs, ca.newcerts)
  writeNewKey(ca.key, name === 'sm2' ? 'SM2' : 'P-256')
  writePrivateFile(fs, ca.index, '')
  writePrivateFile(fs, ca.serial, `${randomSerial()}\n`)
  writePrivateFile(fs, ca.crlnumber, '1000\n')
  const cn = `${park} ${name === 'sm2' ? 'SM2' : 'TLS'} CA`.replaceAll('/', '\\/')
  openssl(
    [
      'req',
      '-config',
      layout.conf,
      '-x509',
      '-new',
      '-key',
      ca.key,
      name === 'sm2' ? '-sm3' : '-sha256',
      '-subj',
      `/OU=ca/CN=${cn}`,
      '-days',
      String(days),
      '-extensions',
      'ca_ext',
      '-out',
      ca.cert,
    ],
    confEnv(layout),
  )
  fs.chmodSync(ca.cert, 0o644)
  generateCrl({ layout, openssl }, name)
}

/** Re-signs a CA's CRL (after a revocation, and before the old one's nextUpdate). */
export function generateCrl({ layout, openssl }: PkiContext, name: CaName): void {
  const ca = layout.ca(name)
  openssl(['ca', '-config', layout.conf, '-name', `${name}_ca`, '-gencrl', '-out', ca.crl], confEnv(layout))
  fs.chmodSync(ca.crl, 0o644)
}

/** Serial numbers start at a random 64-bit value (CA/B Forum practice: unpredictable serials). */
const randomSerial = (): string => {
  const bytes = new Uint8Array(8)
  crypto.getRandomValues(bytes)
  bytes[0] = (bytes[0]! & 0x7f) | 0x10
  return Buffer.from(bytes).toString('hex').toUpperCase()
}
