import type { Logger } from 'pino'
import { emptySealCounts, type SealRefusal, type Sealer } from '../../shared/crypto/sealer.ts'
import type { SigningSuite } from '../../shared/crypto/suite.ts'
import type { Channel } from '../../shared/wire/topics.ts'

/**
 * How the uplink's messages look on the wire (issue 20): plain JSON (`crypto.suite: off`), or
 * sealed (shared/crypto): every message signed with this edge's key and numbered; the status
 * messages carry the edge's certificate (the cloud learns it from the birth, or from the next
 * heartbeat after a cloud restart) and are never encrypted; data and command answers are
 * encrypted for the cloud when `crypto.encrypt` is on, once a verified message of the cloud
 * told its certificate (the cloud answers every birth with an ack: until then data waits).
 */
export interface UplinkWire {
  readonly suite: SigningSuite | 'off'
  /** The payload to publish; null while an encrypting edge does not know the cloud's key yet. */
  seal(topic: string, body: Buffer, channel: Channel, options?: { will?: boolean }): Buffer | null
  /** The plain body of a message from the cloud, or null (refused, counted, logged). */
  open(topic: string, payload: Buffer, retained: boolean): Buffer | null
  /** The plain body of this edge's own status (the late-will watch), or null; nothing counted. */
  openOwn(topic: string, payload: Buffer): Buffer | null
  /** Data may flow (an encrypting edge knows whom to encrypt for). */
  ready(): boolean
  /** Refused cloud messages by reason (the edge's status). */
  refused(): Record<SealRefusal, number>
}

export const plainWire: UplinkWire = {
  suite: 'off',
  seal: (_t, body) => body,
  open: (_t, payload) => payload,
  openOwn: (_t, payload) => payload,
  ready: () => true,
  refused: emptySealCounts,
}

export function sealedWire(o: {
  sealer: Sealer
  suite: SigningSuite
  /** This edge's identity, `{site}/{edge}` (its certificate's CN). */
  identity: string
  encrypt: boolean
  log: Logger
}): UplinkWire {
  const counts = emptySealCounts()
  const cloud = () => o.sealer.peer('cloud')
  return {
    suite: o.suite,
    seal(topic, body, channel, options = {}) {
      if (channel === 'status') return o.sealer.seal(topic, body, { withCert: true, ...options })
      if (!o.encrypt) return o.sealer.seal(topic, body)
      const to = cloud()
      return to === null ? null : o.sealer.seal(topic, body, { to: to.cn })
    },
    open(topic, payload, retained) {
      const opened = o.sealer.open(topic, payload, retained, { kind: 'cloud' })
      if (opened.ok) return opened.body
      counts[opened.reason]++
      if (opened.reason === 'stale_retained') o.log.debug({ topic }, 'retained message already seen: ignored')
      else
        o.log.warn(
          { topic, reason: opened.reason, err: opened.error, from: opened.from, security: true },
          'SECURITY: a message from the cloud failed verification and is ignored (nothing is deleted on it)',
        )
      return null
    },
    openOwn(topic, payload) {
      const opened = o.sealer.open(topic, payload, false, { kind: 'edge', cn: o.identity })
      return opened.ok ? opened.body : null
    },
    ready: () => !o.encrypt || cloud() !== null,
    refused: () => ({ ...counts }),
  }
}
