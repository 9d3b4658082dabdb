import * as fs from 'node:fs'
import path from 'node:path'
import { ensurePrivateDir } from '../../shared/private-files.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { confEnv, type PkiContext } from './ca.ts'
import { writeNewKey } from './keys.ts'
import { Extensions, type CaName } from './layout.ts'
import { subjectAltName, subjectArg, type Identity } from './names.ts'

/**
 * What `parklink pki issue` hands out, in one directory (0700) per identity:
 *   ca.crt                 the park TLS CA (uplink.tls.ca / mqtt.tls.ca / Mosquitto cafile)
 *   client.crt client.key  (edge, cloud) the TLS client certificate and its key (0600)
 *   server.crt server.key  (broker) Mosquitto's certfile/keyfile
 *   crl.pem                (broker) the TLS CA's CRL, Mosquitto's crlfile
 *   sm2.crt sm2.key        the SM2 certificate (same OU/CN, signed by the SM2 CA) and its key (0600)
 *   sm2-ca.crt             the SM2 CA, to verify the other side's SM2 certificates
 */
export interface Issued {
  dir: string
  files: Record<string, string>
}

export interface IssueOptions {
  days: number
  out?: string
  hosts?: readonly string[]
}

export function issue(ctx: PkiContext, id: Identity, options: IssueOptions): Issued {
  const dir = path.resolve(options.out ?? ctx.layout.issued(id.kind, id.cn))
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new ParklinkError(
      ErrorCodes.PKI_FAILED,
      `${dir} is not empty: certificates for ${id.cn} were issued there already`,
      {
        hint: `to replace them: parklink pki revoke ${id.cn} (which moves that folder aside), then issue again`,
      },
    )
  }
  ensurePrivateDir(fs, dir)
  const role = id.kind === 'broker' ? 'server' : 'client'
  const files = {
    ca: copyPublic(ctx.layout.ca('tls').cert, path.join(dir, 'ca.crt')),
    ...certify(ctx, id, 'tls', path.join(dir, `${role}.key`), path.join(dir, `${role}.crt`), options),
    ...certify(ctx, id, 'sm2', path.join(dir, 'sm2.key'), path.join(dir, 'sm2.crt'), options),
    sm2Ca: copyPublic(ctx.layout.ca('sm2').cert, path.join(dir, 'sm2-ca.crt')),
    ...(id.kind === 'broker' ? { crl: copyPublic(ctx.layout.ca('tls').crl, path.join(dir, 'crl.pem')) } : {}),
  }
  return { dir, files }
}

/** A new key (0600), a CSR for the identity, and the CA's signature on it (`openssl ca`, so the CA database knows it). */
function certify(
  ctx: PkiContext,
  id: Identity,
  ca: CaName,
  keyFile: string,
  certFile: string,
  { days, hosts }: IssueOptions,
): Record<string, string> {
  const { layout, openssl } = ctx
  writeNewKey(keyFile, ca === 'sm2' ? 'SM2' : 'P-256')
  const csr = `${certFile}.csr`
  const md = ca === 'sm2' ? '-sm3' : '-sha256'
  const env = confEnv(layout, subjectAltName(hosts?.length ? hosts : [id.cn]))
  try {
    openssl(['req', '-config', layout.conf, '-new', '-key', keyFile, md, '-subj', subjectArg(id), '-out', csr], env)
    const extensions = ca === 'sm2' ? Extensions.sm2 : Extensions[id.kind]
    openssl(
      [
        'ca',
        '-config',
        layout.conf,
        '-name',
        `${ca}_ca`,
        '-batch',
        '-notext',
        '-days',
        String(days),
        '-extensions',
        extensions,
        '-in',
        csr,
        '-out',
        certFile,
      ],
      env,
    )
  } finally {
    fs.rmSync(csr, { force: true })
  }
  fs.chmodSync(certFile, 0o644)
  const base = ca === 'sm2' ? 'sm2' : id.kind === 'broker' ? 'server' : 'client'
  return { [`${base}Cert`]: certFile, [`${base}Key`]: keyFile }
}

function copyPublic(from: string, to: string): string {
  fs.copyFileSync(from, to)
  fs.chmodSync(to, 0o644)
  return to
}
