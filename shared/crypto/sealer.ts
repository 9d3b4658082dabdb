import { randomBytes, type KeyObject, type X509Certificate } from 'node:crypto'
import { deriveBodyKeys } from './body-keys.ts'
import { signerOf, type Signer } from './certificate.ts'
import {
  decryptBody,
  encryptBody,
  parseFrame,
  sealFrame,
  verifyFrame,
  type BodyKeys,
  type SealHeader,
} from './envelope.ts'
import type { ReplayGuard } from './replay.ts'
import { SUITES, type SigningSuite } from './suite.ts'

/**
 * Why a message was refused, as counted (cloud: /api/v1/health; edge: its status). All but
 * `stale_retained` are security events: a retained message already seen is the broker handing
 * back a topic's last message at subscription time.
 */
export const SealRefusals = [
  'unsigned',
  'malformed',
  'wrong_suite',
  'unknown_key',
  'bad_certificate',
  'wrong_signer',
  'bad_signature',
  'replayed',
  'not_encrypted',
  'decrypt_failed',
  'stale_retained',
  // Issue 20, revocation: the signer's certificate is on the park CA's CRL, or no CRL in force says it is not.
  'revoked',
  'crl_unavailable',
] as const
export type SealRefusal = (typeof SealRefusals)[number]
export const emptySealCounts = (): Record<SealRefusal, number> =>
  Object.fromEntries(SealRefusals.map((r) => [r, 0])) as Record<SealRefusal, number>

export interface SealerOptions {
  suite: SigningSuite
  /** This party: an edge's `{site}/{edge}`, a cloud instance's name (its certificate's CN). */
  identity: string
  key: KeyObject
  /** This party's certificate (DER), sent where the receiver may not know it yet. */
  cert: Buffer
  /** The park CA that signs every party's certificate of this suite. */
  ca: X509Certificate
  now: () => number
  /** The next send counter; the caller keeps it growing across restarts (replay.ts SendCounter). */
  counter: () => number
  guard: ReplayGuard
  /** Each party's body encryption is its own choice; the receiver may demand it (the cloud's `encrypt`). */
  requireEncrypted?: boolean
  /** Asked for every verified signer, at every message (a certificate may be revoked while cached): null = not revoked. */
  revocation?: RevocationCheck
}

/** Why a signer may not be trusted although its certificate verifies (the cloud's CRL, cloud/ingest/crl-watch.ts). */
export type RevocationCheck = (signer: Signer) => { reason: 'revoked' | 'crl_unavailable'; error: string } | null

/** Who may sign on a topic: the kind (OU) and, when known, the identity (CN). */
export interface Expected {
  kind: 'edge' | 'cloud'
  cn?: string
}

export type Opened =
  | { ok: true; body: Buffer; from: string; ctr: number; encrypted: boolean; will: boolean }
  | { ok: false; reason: SealRefusal; error: string; from?: string }

export interface Sealer {
  /** Signs (and, with `to`, encrypts for that verified peer) a plain message body for `topic`. */
  seal(topic: string, body: Uint8Array, options?: { withCert?: boolean; to?: string; will?: boolean }): Buffer
  /** Checks a received payload in order (frame, suite, signer, signature, counter, body) and returns its plain body. */
  open(topic: string, payload: Buffer, retained: boolean, expected: Expected): Opened
  /** The last verified signer of that identity (or, without one, of that kind): a recipient to encrypt for. */
  peer(kind: Expected['kind'], cn?: string): Signer | null
}

/** The signing and verifying half of issue 20's application layer; pure apart from randomness. */
export function createSealer(o: SealerOptions): Sealer {
  const alg = SUITES[o.suite]
  const own = signerOf(o.cert, o.ca, o.now(), alg)
  if ('error' in own) throw new Error(`own certificate: ${own.error}`)
  const kid = own.signer.kid
  const certB64 = o.cert.toString('base64')
  const byKid = new Map<string, Signer>()
  const byCn = new Map<string, Signer>()
  const bodyKeys = new Map<string, BodyKeys>()
  const keysFor = (peer: Signer, from: string, to: string): BodyKeys => {
    const id = `${peer.kid}\n${from}>${to}`
    let keys = bodyKeys.get(id)
    if (!keys) {
      keys = deriveBodyKeys(o.key, peer.publicKey, from, to, alg)
      if (bodyKeys.size > 10_000) bodyKeys.clear()
      bodyKeys.set(id, keys)
    }
    return keys
  }
  const remember = (s: Signer) => {
    if (byKid.size > 10_000) byKid.clear()
    byKid.set(s.kid, s)
    byCn.set(`${s.kind}\n${s.cn}`, s)
    byCn.set(`${s.kind}\n`, s)
  }
  const refuse = (reason: SealRefusal, error: string, from?: string): Opened => ({
    ok: false,
    reason,
    error,
    ...(from === undefined ? {} : { from }),
  })

  function signerFor(header: SealHeader): Signer | string {
    const known = byKid.get(header.kid)
    if (known) return known
    if (header.cert === undefined)
      return `unknown key ${header.kid} (its certificate comes with the sender's next status or ack)`
    const checked = signerOf(Buffer.from(header.cert, 'base64'), o.ca, o.now(), alg)
    if ('error' in checked) return `certificate: ${checked.error}`
    if (checked.signer.kid !== header.kid) return 'certificate: kid does not name the certificate sent'
    return checked.signer
  }

  return {
    seal(topic, body, options = {}) {
      const header: SealHeader = { s: o.suite, from: o.identity, ctr: o.counter(), kid }
      if (options.withCert) header.cert = certB64
      if (options.will) header.will = true
      let out: Uint8Array = body
      if (options.to !== undefined) {
        const peer = byCn.get(`${options.to.includes('/') ? 'edge' : 'cloud'}\n${options.to}`)
        if (!peer) throw new Error(`no verified certificate of ${options.to} to encrypt for`)
        const sealed = encryptBody(body, keysFor(peer, o.identity, options.to), randomBytes(16), alg)
        Object.assign(header, { to: options.to, iv: sealed.iv, mac: sealed.mac })
        out = sealed.ciphertext
      }
      return sealFrame(topic, header, out, o.key, alg)
    },

    open(topic, payload, retained, expected) {
      const parsed = parseFrame(payload)
      if ('error' in parsed) return refuse(payload[0] === 0x7b ? 'unsigned' : 'malformed', parsed.error)
      const { header } = parsed.frame
      if (header.s !== o.suite)
        return refuse('wrong_suite', `signed with suite ${header.s}, this side uses ${o.suite}`, header.from)
      const signer = signerFor(header)
      if (typeof signer === 'string')
        return refuse(signer.startsWith('unknown') ? 'unknown_key' : 'bad_certificate', signer, header.from)
      if (
        signer.kind !== expected.kind ||
        signer.cn !== header.from ||
        (expected.cn !== undefined && signer.cn !== expected.cn)
      )
        return refuse(
          'wrong_signer',
          `signed by ${signer.kind} "${signer.cn}" as "${header.from}"; this topic takes ${expected.kind} "${expected.cn ?? '*'}"`,
          header.from,
        )
      if (!verifyFrame(topic, parsed.frame, signer.publicKey, alg))
        return refuse('bad_signature', `the signature of "${header.from}" does not verify`, header.from)
      // After the signature: a refusal as `revoked` means the revoked key really signed it.
      const revoked = o.revocation?.(signer)
      if (revoked) return refuse(revoked.reason, revoked.error, header.from)
      // A verified certificate is known from now on, also when this message is a replay (the
      // retained status a restarted receiver gets first is one, and it carries the certificate).
      remember(signer)
      const will = header.will === true
      const replay = will
        ? o.guard.checkWill(header.from, header.ctr, retained)
        : o.guard.check(header.from, header.ctr, retained)
      if (replay !== 'fresh')
        return refuse(replay, `counter ${header.ctr} of "${header.from}" was seen before`, header.from)
      remember(signer)
      let body = parsed.frame.body
      const encrypted = header.iv !== undefined
      if (encrypted) {
        if (header.to !== o.identity)
          return refuse('decrypt_failed', `encrypted for "${header.to}", not for us`, header.from)
        const plain = decryptBody(body, header, keysFor(signer, header.from, o.identity), alg)
        if (plain === null) return refuse('decrypt_failed', 'the MAC of the encrypted body does not match', header.from)
        body = plain
      } else if (o.requireEncrypted)
        return refuse(
          'not_encrypted',
          `"${header.from}" sent a plain body; crypto.encrypt requires encryption`,
          header.from,
        )
      if (will) o.guard.acceptWill(header.from, header.ctr)
      else o.guard.accept(header.from, header.ctr)
      return { ok: true, body, from: header.from, ctr: header.ctr, encrypted, will }
    },

    peer(kind, cn) {
      return byCn.get(`${kind}\n${cn ?? ''}`) ?? null
    },
  }
}
