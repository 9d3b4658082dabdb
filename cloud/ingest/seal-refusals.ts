import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { errorMessage } from '../../shared/errors.ts'
import type { SealRefusal } from '../../shared/crypto/sealer.ts'
import type { CloudMetrics } from '../metrics.ts'
import type { Store } from '../store/store.ts'
import { SEAL_REFUSAL_CODE } from './crypto.ts'

const HINTS: Partial<Record<SealRefusal, string>> = {
  replayed: 'a message of this edge was sent again by someone else (a replay): check who can publish on the broker',
  bad_signature:
    'the message was altered or forged after the edge signed it: check the broker and who can publish as this edge',
  wrong_signer: "signed with another identity's key: check the edge's crypto.key/crypto.cert and the broker's users",
  bad_certificate:
    'the certificate is not from this park CA, expired, or not yet valid: issue the edge its own (parklink pki issue edge)',
  unknown_key:
    "the edge's certificate is learnt from its status messages: it comes with the next heartbeat or reconnect",
  wrong_suite: 'the edge and the cloud must use the same crypto.suite',
  unsigned: 'the edge runs crypto.suite off while the cloud verifies: set the same crypto.suite on the edge',
  not_encrypted: 'the cloud requires encryption (crypto.encrypt): set crypto.encrypt on the edge too',
  revoked:
    'the certificate was revoked (parklink pki revoke): a revoked key is in use. If this edge should send, issue it a new certificate (parklink pki issue edge); otherwise find who holds the key',
  crl_unavailable:
    'the CRL (crypto.crl) has expired: parklink pki crl, copy it to crypto.crl and the broker; the edges keep their data until then',
}

/**
 * A message that failed verification (issue 20): counted by reason in /api/v1/health, logged,
 * and a security event on the edge (a SECURITY alarm and an audit entry, as for what an edge
 * sends but does not own), at most one per edge and reason a minute. A retained message already
 * seen, and a key not known yet, are only counted (the broker hands back a topic's last message at subscription time);
 * an expired CRL is logged once a minute (cloud/ingest/crl-watch.ts). A revoked certificate is a security event.
 */
export function createSealRefusalReporter(o: { store: Store; clock: Clock; log: Logger; metrics: CloudMetrics }) {
  const last = new Map<string, number>()
  let crlLoggedAt = Number.NEGATIVE_INFINITY
  return (topic: string, edge: string | null, reason: SealRefusal, error: string): void => {
    o.metrics.crypto.refused[reason]++
    if (reason === 'stale_retained') return void o.log.debug({ topic }, 'retained message already seen: ignored')
    // The park's fault, not the edge's (an expired CRL, fail closed): one log line a minute, no event per edge.
    if (reason === 'crl_unavailable') {
      if (o.clock.now() - crlLoggedAt < 60_000) return
      crlLoggedAt = o.clock.now()
      return void o.log.error(
        { topic, edge, reason, err: error, code: SEAL_REFUSAL_CODE, hint: HINTS[reason] },
        'SECURITY: signed messages refused: the CRL has expired (not stored, not acked; the edges resend)',
      )
    }
    // Not an attack: after a restart the cloud learns each edge's certificate from its next status.
    if (reason === 'unknown_key')
      return void o.log.info(
        { topic, edge, err: error },
        'message refused until the edge certificate is known (not acked: the edge resends)',
      )
    o.log.warn(
      { topic, edge, reason, err: error, code: SEAL_REFUSAL_CODE, hint: HINTS[reason] },
      'SECURITY: message refused, it did not verify (not stored, not acked)',
    )
    const key = `${edge}\n${reason}`
    const now = o.clock.now()
    if (edge === null || now - (last.get(key) ?? Number.NEGATIVE_INFINITY) < 60_000) return
    if (last.size > 10_000) last.clear()
    last.set(key, now)
    o.store
      .recordSecurityEvent({ edge, reason, code: SEAL_REFUSAL_CODE, items: [error], at: now, priority: 'A' })
      .catch((err: unknown) => o.log.error({ edge, reason, err: errorMessage(err) }, 'security event not recorded'))
  }
}
