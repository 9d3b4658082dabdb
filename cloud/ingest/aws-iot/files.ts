import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import type { AwsIotIngestConfig } from './config.ts'

/**
 * The cloud's IoT certificate, key and CA read before anything starts: a missing file, a
 * certificate that is not the key's, or one out of its dates → a coded error naming the file.
 */
export function readIotIngestFiles(c: AwsIotIngestConfig, now: number): { cert: Buffer; key: Buffer; ca?: Buffer } {
  const read = (field: 'cert' | 'key' | 'ca', file: string) => {
    try {
      return readFileSync(file)
    } catch (err) {
      throw new ParklinkError(ErrorCodes.CRYPTO_FILE, `awsIot.${field}: cannot read ${file}: ${errorMessage(err)}`, {
        hint: 'copy the file to that path, readable by the service user (parklink)',
        cause: err,
      })
    }
  }
  const cert = read('cert', c.cert)
  const key = read('key', c.key)
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(cert)
    if (!x509.checkPrivateKey(createPrivateKey(key)))
      throw new ParklinkError(ErrorCodes.KEY_MISMATCH, `awsIot.cert: ${c.cert} is not the certificate of ${c.key}`, {
        hint: 'give the certificate and key IoT Core issued together (aws iot create-keys-and-certificate)',
      })
  } catch (err) {
    if (err instanceof ParklinkError) throw err
    throw new ParklinkError(ErrorCodes.CRYPTO_FILE, `awsIot: ${c.cert} or ${c.key} is not PEM: ${errorMessage(err)}`, {
      hint: 'give the PEM files IoT Core issued',
      cause: err,
    })
  }
  if (now > Date.parse(x509.validTo) || now < Date.parse(x509.validFrom))
    throw new ParklinkError(
      ErrorCodes.CERT_EXPIRED,
      `awsIot.cert: ${c.cert} is valid ${x509.validFrom} – ${x509.validTo}`,
      {
        hint: 'issue a new certificate for the cloud in IoT Core and attach its policy (or check this server clock)',
      },
    )
  return { cert, key, ...(c.ca === undefined ? {} : { ca: read('ca', c.ca) }) }
}
