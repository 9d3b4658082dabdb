import { NodeId } from 'node-opcua'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'

/**
 * A failed OPC UA connection → one ParklinkError with a stable code and what to do, instead of
 * node-opcua's stack trace. Told apart by the service result or socket error in the message:
 * certificates (Part 4 §5.4.1, either direction), the user identity (§5.6.3), a security policy or
 * mode the server does not offer (§5.4.2), else the network.
 */
const CERTIFICATE = /BadCertificate|BadSecurityChecksFailed|BadNoValidCertificates|certificate/i
const IDENTITY = /BadUserAccessDenied|BadIdentityToken|BadUserSignatureInvalid/i
// node-opcua: "Cannot find an Endpoint matching security mode: 3 policy: …#Aes128_Sha256_RsaOaep".
const SECURITY = /BadSecurityPolicyRejected|BadSecurityModeRejected|Cannot find an Endpoint matching/i

export function explainOpcuaFailure(err: unknown, endpoint: string): ParklinkError {
  if (err instanceof ParklinkError) return err
  const full = errorMessage(err)
  // node-opcua names the socket error on a later line ("Err = (connect ECONNREFUSED …)").
  const socket = /\b(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ECONNRESET)\b/.exec(full)?.[1]
  const first = firstLine(full)
  const message = socket && !first.includes(socket) ? `${first} (${socket})` : first
  if (IDENTITY.test(message))
    return new ParklinkError(ErrorCodes.DEVICE_AUTH_FAILED, `${endpoint} refused the user: ${message}`, {
      hint: 'check the username and the password in its environment variable (or the user certificate) with the DCS administrator',
      cause: err,
    })
  if (SECURITY.test(message)) {
    const policy = /SecurityPolicy#(\w+)/.exec(message)?.[1]
    return new ParklinkError(
      ErrorCodes.DEVICE_SECURITY_MISMATCH,
      `${endpoint} offers no endpoint with this security${policy ? ` (${policy})` : ''}: ${message}`,
      {
        hint: 'set securityPolicy and securityMode to a pair the server offers (ask the DCS administrator; current servers offer Aes256_Sha256_RsaPss or Aes128_Sha256_RsaOaep, older ones Basic256Sha256)',
        cause: err,
      },
    )
  }
  if (CERTIFICATE.test(message))
    return new ParklinkError(ErrorCodes.DEVICE_CERT_REJECTED, `${endpoint}: a certificate was refused: ${message}`, {
      hint: "the server must trust the edge's certificate (pki/own/certs, give it to the DCS administrator), and the edge the server's (move it from pki/rejected to pki/trusted)",
      cause: err,
    })
  return new ParklinkError(ErrorCodes.DEVICE_UNREACHABLE, `cannot connect to ${endpoint}: ${message}`, {
    hint: 'check the address and port, that the OPC UA server runs and that a firewall lets the edge through',
    cause: err,
  })
}

/** node-opcua's messages span many lines (a stack of causes); the first says what happened. */
function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? text
  ).slice(0, 300)
}

/** Why `text` is not a NodeId (Part 6 §5.3.1.10 string form), or null when it is one. */
export function checkNodeId(text: string): string | null {
  try {
    NodeId.resolveNodeId(text)
    return /^(ns=\d+;)?[isgb]=.+$/.test(text)
      ? null
      : `"${text}" is not an OPC UA node id: use e.g. ns=1;s=TK201.Level or ns=3;i=1042`
  } catch (err) {
    return `"${text}" is not an OPC UA node id (${firstLine(errorMessage(err))}): use e.g. ns=1;s=TK201.Level or ns=3;i=1042`
  }
}
