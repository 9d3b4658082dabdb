import { X509Certificate } from 'node:crypto'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { edgeUser } from '../../shared/wire/acl.ts'

/**
 * The edge's own certificate (uplink.tls.cert) must name THIS edge: the broker takes its CN as the
 * user name (deploy/mosquitto/parklink.conf: use_identity_as_username), so a certificate of
 * another edge would make this agent publish nothing it may (its topics are not the CN's) or,
 * worse, speak as the other edge. Checked before anything starts, with the file and the field
 * named (issue 20, "Bad input"); an expired or not yet valid certificate is refused likewise.
 */
export function checkUplinkCertificate(pem: Buffer, file: string, site: string, edge: string, now: number): void {
  const refuse = (why: string, hint: string, cause?: unknown) =>
    new ParklinkError(ErrorCodes.CONFIG_INVALID, `uplink.tls.cert: ${file}: ${why}`, {
      hint,
      ...(cause === undefined ? {} : { cause }),
    })
  let cert: X509Certificate
  try {
    cert = new X509Certificate(pem)
  } catch (err) {
    throw refuse(
      `not a PEM certificate (${errorMessage(err)})`,
      'give the client.crt that `parklink pki issue edge` wrote',
      err,
    )
  }
  const expected = edgeUser(site, edge)
  const cn = commonName(cert.subject)
  if (cn !== expected) {
    throw refuse(
      `the certificate's CN is "${cn ?? '(none)'}", this edge is "${expected}"`,
      `issue this edge its own certificate: parklink pki issue edge ${expected}`,
    )
  }
  if (now > Date.parse(cert.validTo))
    throw refuse(
      `the certificate expired on ${cert.validTo}`,
      `issue a new one: parklink pki revoke ${expected}, then parklink pki issue edge ${expected}`,
    )
  if (now < Date.parse(cert.validFrom))
    throw refuse(`the certificate is valid only from ${cert.validFrom}`, "check this gateway's clock (NTP)")
}

/** The last CN of a subject as Node prints it (one `KEY=value` per line; '/' is not escaped). */
const commonName = (subject: string): string | undefined =>
  subject
    .split('\n')
    .filter((l) => l.startsWith('CN='))
    .map((l) => l.slice(3))
    .at(-1)
