import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import * as nodeFs from 'node:fs'
import { ErrorCodes, ParklinkError, errorMessage, type ErrorCode } from '../shared/errors.ts'
import { curveOf } from '../shared/crypto/body-keys.ts'
import { cryptoFiles } from '../shared/crypto/material.ts'
import { SUITES, type SigningSuite } from '../shared/crypto/suite.ts'
import { edgeUser } from '../shared/wire/acl.ts'
import { readKeyFile } from './at-rest/key-file.ts'
import type { EdgeConfig } from './config.ts'

/**
 * `parklink edge validate`'s check of the edge's crypto files (issue 20), before a technician
 * leaves the box: uplink.tls and crypto's key, certificate and CA (present, keys 0600, key and
 * certificate a pair, the certificate signed by the park CA, in its validity dates, issued to this
 * edge) and the at-rest key file (readable, 0600, well-formed). Each problem has a stable code and
 * a hint; no key material is ever read into a message. Stricter than the agent's start on purpose:
 * the agent starts with an expired TLS certificate or a group-readable TLS key (it keeps
 * collecting into its outbox; the broker refuses it), validate does not pass them.
 */
export interface FileProblem {
  at: Array<string | number>
  err: ParklinkError
}

type CheckFs = Pick<typeof nodeFs, 'statSync' | 'readFileSync'>

const problem = (at: Array<string | number>, code: ErrorCode, message: string, hint: string): FileProblem => ({
  at,
  err: new ParklinkError(code, message, { hint }),
})

export function cryptoFileProblems(config: EdgeConfig, now: number, fs: CheckFs = nodeFs): FileProblem[] {
  const identity = edgeUser(config.site, config.edge)
  const out: FileProblem[] = []
  if (config.uplink.kind === 'aws-iot') out.push(...iotFileProblems(config.uplink, now, fs))
  const tls = config.uplink.kind === 'aws-iot' ? undefined : config.uplink.tls
  if (tls?.cert !== undefined && tls.key !== undefined && tls.ca !== undefined)
    out.push(...pairProblems({ key: tls.key, cert: tls.cert, ca: tls.ca }, ['uplink', 'tls'], { identity, now, fs }))
  else if (tls?.key !== undefined) out.push(...keyFileProblems(tls.key, ['uplink', 'tls', 'key'], fs))
  if (config.crypto.suite !== 'off') {
    const suite = config.crypto.suite as SigningSuite
    let files: { key: string; cert: string; ca: string }
    try {
      files = cryptoFiles(config.crypto, tls, 'crypto')
    } catch (err) {
      out.push(problem(['crypto'], ErrorCodes.CRYPTO_FILE, errorMessage(err), (err as ParklinkError).hint ?? ''))
      files = { key: '', cert: '', ca: '' }
    }
    if (files.key !== '')
      out.push(...pairProblems(files, ['crypto'], { identity, now, fs, curve: SUITES[suite].curve, suite }))
  }
  const keyFile = config.storage?.encryption?.keyFile
  if (keyFile !== undefined) {
    try {
      readKeyFile(keyFile)
    } catch (err) {
      const e = err as ParklinkError
      out.push(problem(['storage', 'encryption', 'keyFile'], ErrorCodes.AT_REST_KEY, e.message, e.hint ?? ''))
    }
  }
  return out
}

/**
 * An AWS IoT thing's files (uplink.cert, key, ca; issue 16): present, key 0600, a pair, in their
 * dates, ca a CA certificate. IoT Core issues the thing's certificate from its own CA, not from the
 * CA of the endpoint's certificate (Amazon Root CA 1), so the certificate is checked against `ca`
 * only when `ca` issued it (a park's own CA registered with IoT Core, or the offline stand-in);
 * a ca that signs neither shows at the TLS handshake (PL_CERT_UNTRUSTED, naming the file).
 */
export function iotFileProblems(
  files: { cert: string; key: string; ca?: string | undefined },
  now: number,
  fs: CheckFs = nodeFs,
): FileProblem[] {
  return pairProblems(files, ['uplink'], { now, fs, flat: true })
}

interface PairContext {
  /** The CN the certificate must have ({site}/{edge}); absent: not checked (an IoT thing's). */
  identity?: string
  /** The three files sit beside each other in `at` (uplink.cert, uplink.key, uplink.ca). */
  flat?: boolean
  now: number
  fs: CheckFs
  /** The curve a signing suite needs (crypto), unchecked for TLS. */
  curve?: string
  suite?: SigningSuite
}

/** A key, its certificate and the CA that should have signed it; `at` is the block holding the three fields. */
function pairProblems(
  files: { key: string; cert: string; ca?: string | undefined },
  at: string[],
  o: PairContext,
): FileProblem[] {
  const out: FileProblem[] = keyFileProblems(files.key, [...at, 'key'], o.fs)
  const key = parsed([...at, 'key'], files.key, o.fs, (pem) => createPrivateKey(pem), out)
  const cert = parsed([...at, 'cert'], files.cert, o.fs, (pem) => new X509Certificate(pem), out)
  const ca =
    files.ca === undefined ? null : parsed([...at, 'ca'], files.ca, o.fs, (pem) => new X509Certificate(pem), out)
  if (cert) out.push(...certificateProblems(cert, files.cert, [...at, 'cert'], o))
  if (ca) out.push(...datesProblems(ca, files.ca!, [...at, 'ca'], o.now))
  if (ca && o.flat && !ca.ca)
    out.push(
      problem(
        [...at, 'ca'],
        ErrorCodes.CERT_UNTRUSTED,
        `${files.ca} is not a CA certificate (issued to "${oneLine(ca.subject)}")`,
        'give the CA of the endpoint: AmazonRootCA1.pem from https://www.amazontrust.com/repository/ for AWS IoT Core',
      ),
    )
  if (cert && key) {
    const curve = curveOf(cert.publicKey)
    if (o.curve !== undefined && curve !== o.curve)
      out.push(
        problem(
          [...at, 'cert'],
          ErrorCodes.CRYPTO_FILE,
          `${files.cert} holds a ${curve ?? 'non-EC'} key; crypto.suite ${o.suite} signs with ${o.curve}`,
          o.suite === 'sm'
            ? 'give the sm2.key, sm2.crt and sm2-ca.crt `parklink pki issue edge` wrote'
            : 'give the TLS client.key, client.crt and ca.crt',
        ),
      )
    else if (!matches(cert, key))
      out.push(
        problem(
          [...at, 'cert'],
          ErrorCodes.KEY_MISMATCH,
          `${files.cert} is not the certificate of ${files.key}`,
          'copy the certificate and key `parklink pki issue edge` wrote together (same folder), not from two issues',
        ),
      )
  }
  const issuedByCa = cert && ca && (!o.flat || cert.issuer === ca.subject)
  if (cert && ca && issuedByCa && !cert.verify(ca.publicKey))
    out.push(
      problem(
        [...at, 'cert'],
        ErrorCodes.CERT_UNTRUSTED,
        `${files.cert} is not signed by the CA in ${files.ca} (issuer "${oneLine(cert.issuer)}", CA "${oneLine(ca.subject)}")`,
        o.flat
          ? 'give the CA that issued uplink.cert (the one registered with AWS IoT Core), or a certificate it issued'
          : `give the ${o.suite === 'sm' ? 'sm2-ca.crt' : 'ca.crt'} of the park PKI that issued this edge's certificate, or have this park issue one (parklink pki issue edge ${o.identity})`,
      ),
    )
  return out
}

function certificateProblems(cert: X509Certificate, file: string, at: string[], o: PairContext): FileProblem[] {
  const out = datesProblems(cert, file, at, o.now)
  const cn = lastField(cert.subject, 'CN')
  if (o.identity !== undefined && cn !== o.identity)
    out.push(
      problem(
        at,
        ErrorCodes.CERT_IDENTITY,
        `${file} is issued to "${cn ?? oneLine(cert.subject)}", this edge is "${o.identity}"`,
        `issue this edge its own certificate: parklink pki issue edge ${o.identity}`,
      ),
    )
  return out
}

function datesProblems(cert: X509Certificate, file: string, at: string[], now: number): FileProblem[] {
  if (now > Date.parse(cert.validTo))
    return [
      problem(
        at,
        ErrorCodes.CERT_EXPIRED,
        `${file} expired on ${cert.validTo}`,
        'have the park issue a new one (parklink pki revoke NAME, then parklink pki issue …) and copy it here',
      ),
    ]
  if (now < Date.parse(cert.validFrom))
    return [
      problem(
        at,
        ErrorCodes.CERT_EXPIRED,
        `${file} is valid only from ${cert.validFrom}`,
        "check this box's clock (timedatectl; NTP), then validate again",
      ),
    ]
  return []
}

/** Present, and readable by nobody but its owner (0600 or 0400). */
function keyFileProblems(file: string, at: Array<string | number>, fs: CheckFs): FileProblem[] {
  let mode: number
  try {
    mode = fs.statSync(file).mode
  } catch (err) {
    return [missing(at, file, err)]
  }
  if ((mode & 0o077) === 0) return []
  const octal = (mode & 0o777).toString(8).padStart(4, '0')
  return [
    problem(
      at,
      ErrorCodes.KEY_PERMISSIONS,
      `${file} has mode ${octal}: group or others may read this private key`,
      `chmod 600 ${file} && chown parklink ${file} (and ask who may have copied it)`,
    ),
  ]
}

function parsed<T>(at: string[], file: string, fs: CheckFs, parse: (pem: Buffer) => T, out: FileProblem[]): T | null {
  let pem: Buffer
  try {
    pem = fs.readFileSync(file)
  } catch (err) {
    // A missing key was already reported by keyFileProblems.
    if (at.at(-1) !== 'key') out.push(missing(at, file, err))
    return null
  }
  try {
    return parse(pem)
  } catch (err) {
    // The parser's message names the format, never the file's content.
    out.push(
      problem(
        at,
        ErrorCodes.CRYPTO_FILE,
        `${file} is not a ${at.at(-1) === 'key' ? 'private key' : 'certificate'} (PEM): ${errorMessage(err)}`,
        'copy the PEM file `parklink pki issue` wrote for this field again',
      ),
    )
    return null
  }
}

const missing = (at: Array<string | number>, file: string, err: unknown): FileProblem =>
  problem(
    at,
    ErrorCodes.CRYPTO_FILE,
    `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`,
    'copy the file `parklink pki issue edge` wrote to that path, readable by the service user (parklink)',
  )

const matches = (cert: X509Certificate, key: KeyObject): boolean => {
  try {
    return cert.checkPrivateKey(key)
  } catch {
    return false
  }
}

const oneLine = (dn: string) => dn.replaceAll('\n', ',')
const lastField = (dn: string, name: string) =>
  dn
    .split('\n')
    .filter((l) => l.startsWith(`${name}=`))
    .map((l) => l.slice(name.length + 1))
    .at(-1)
