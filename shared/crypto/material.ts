import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import path from 'node:path'
import { ErrorCodes, ParklinkError, errorMessage } from '../errors.ts'
import type { TlsFilesConfig } from '../tls.ts'
import { curveOf } from './body-keys.ts'
import { SUITES, type CryptoConfig, type SigningSuite } from './suite.ts'

/** What a party signs and verifies with (sealer.ts). */
export interface CryptoMaterial {
  suite: SigningSuite
  key: KeyObject
  /** Own certificate, DER. */
  cert: Buffer
  ca: X509Certificate
  /** The certificate's CN: the identity messages are sent as. */
  cn: string
}

/**
 * The files of `crypto` (paths already absolute). Defaults: `sm` takes sm2.key, sm2.crt and
 * sm2-ca.crt from the folder of the TLS certificate (where `parklink pki issue` put them all);
 * `standard` takes the TLS client key, certificate and CA themselves. shared/ does no I/O: the
 * caller hands in `read`. A missing or wrong file is a config error naming the file and field.
 */
export function cryptoFiles(crypto: CryptoConfig, tls: TlsFilesConfig | undefined, where: string) {
  const suite = crypto.suite as SigningSuite
  const fromTls = (name: 'key' | 'cert' | 'ca') => {
    const file = tls?.[name === 'ca' ? 'ca' : name === 'key' ? 'key' : 'cert']
    if (suite === 'standard' || file === undefined) return file
    const base = { key: 'sm2.key', cert: 'sm2.crt', ca: 'sm2-ca.crt' }[name]
    return path.join(path.dirname(tls?.cert ?? file), base)
  }
  const pick = (name: 'key' | 'cert' | 'ca') => {
    const file = crypto[name] ?? fromTls(name)
    if (file === undefined)
      throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `${where}.${name}: no file given (crypto.suite ${suite})`, {
        hint: `name the ${name} \`parklink pki issue\` wrote (${suite === 'sm' ? 'sm2.key, sm2.crt, sm2-ca.crt' : 'client.key, client.crt, ca.crt'}), or give the TLS files it defaults to`,
      })
    return file
  }
  return { key: pick('key'), cert: pick('cert'), ca: pick('ca') }
}

export function loadCryptoMaterial(
  crypto: CryptoConfig,
  tls: TlsFilesConfig | undefined,
  where: string,
  read: (file: string) => Buffer,
): CryptoMaterial {
  const suite = crypto.suite as SigningSuite
  const files = cryptoFiles(crypto, tls, where)
  const load = <T>(name: 'key' | 'cert' | 'ca', parse: (pem: Buffer) => T): T => {
    let pem: Buffer
    try {
      pem = read(files[name])
    } catch (err) {
      throw new ParklinkError(
        ErrorCodes.CONFIG_INVALID,
        `${where}.${name}: cannot read ${files[name]}: ${errorMessage(err)}`,
        {
          hint: 'copy the file `parklink pki issue` wrote to that path, readable by the service user (parklink)',
          cause: err,
        },
      )
    }
    try {
      return parse(pem)
    } catch (err) {
      throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `${where}.${name}: ${files[name]}: ${errorMessage(err)}`, {
        hint: `give the ${suite === 'sm' ? 'SM2' : 'P-256'} file \`parklink pki issue\` wrote for this suite`,
        cause: err,
      })
    }
  }
  const key = load('key', (pem) => createPrivateKey(pem))
  const cert = load('cert', (pem) => new X509Certificate(pem))
  const ca = load('ca', (pem) => new X509Certificate(pem))
  const curve = curveOf(cert.publicKey)
  if (curve !== SUITES[suite].curve)
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `${where}.cert: ${files.cert} holds a ${curve ?? 'non-EC'} key, suite ${suite} signs with ${SUITES[suite].curve}`,
      {
        hint:
          suite === 'sm'
            ? 'give sm2.key (crypto.key), or use suite standard with the TLS key'
            : 'give the TLS client.key, or use suite sm',
      },
    )
  if (!cert.checkPrivateKey(key))
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `${where}.cert: ${files.cert} is not the certificate of ${files.key}`,
      {
        hint: 'give the certificate and key `parklink pki issue` wrote together',
      },
    )
  if (!cert.verify(ca.publicKey))
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `${where}.cert: ${files.cert} is not signed by the CA in ${files.ca}`,
      {
        hint: 'give the CA of the same park PKI (sm2-ca.crt for sm, ca.crt for standard)',
      },
    )
  const cn =
    cert.subject
      .split('\n')
      .filter((l) => l.startsWith('CN='))
      .map((l) => l.slice(3))
      .at(-1) ?? ''
  return { suite, key, cert: cert.raw, ca, cn }
}
