import { X509Certificate } from 'node:crypto'
import * as fs from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { loadCryptoMaterial, type CryptoMaterial } from '../../shared/crypto/material.ts'
import { createCryptoParty, type CryptoParty } from '../../shared/crypto/party.ts'
import type { SealRefusal } from '../../shared/crypto/sealer.ts'
import type { CryptoConfig, SigningSuite } from '../../shared/crypto/suite.ts'
import type { TlsFilesConfig } from '../../shared/tls.ts'
import { edgeUser } from '../../shared/wire/acl.ts'
import { decodeStatus } from '../../shared/wire/codec.ts'
import { parseTopic } from '../../shared/wire/topics.ts'
import { loadCrlWatch, type CrlWatch } from './crl-watch.ts'

export const CLOUD_CRYPTO_STATE_FILE = 'crypto-state.json'

export type WireOpened =
  | { ok: true; payload: Buffer; settle(): void }
  | { ok: false; reason: SealRefusal; error: string; edge: string | null }

/**
 * The cloud's side of issue 20's application layer, between the transport and the inbox:
 * `open` verifies what comes off the broker IN BROKER ORDER (before the inbox reorders live and
 * backlog), so each edge's counters arrive as it sent them; `seal` signs acks and commands (and
 * encrypts them for an edge that encrypts). The receive marks saved at stop are below every
 * message not yet handled (its PUBACK not sent), so a message the broker hands again after a
 * restart is not taken for a replay.
 */
export interface IngestWire {
  readonly suite: SigningSuite | 'off'
  open(topic: string, payload: Buffer, retained: boolean): WireOpened
  seal(topic: string, body: Buffer): Buffer
  save(): void
}

export const plainIngestWire: IngestWire = {
  suite: 'off',
  open: (_t, payload) => ({ ok: true, payload, settle: () => {} }),
  seal: (_t, body) => body,
  save: () => {},
}

/** What the cloud signs and verifies with, read before anything starts (a bad file stops the start). */
export interface IngestCrypto {
  material: CryptoMaterial
  /** The signing certificates' CRL (crypto.crl); null when none is configured. */
  crl: CrlWatch | null
}

/**
 * Reads `crypto`'s key, certificate, CA and CRL: PL_CONFIG_INVALID naming the file and field on
 * anything wrong (the cloud's own certificate revoked too). Null for suite off.
 */
export function loadIngestCrypto(o: {
  crypto: CryptoConfig & { crl?: string; crlCheckS?: number }
  tls: TlsFilesConfig | undefined
  clock: Clock
  log: Logger
}): IngestCrypto | null {
  if (o.crypto.suite === 'off') return null
  const material = loadCryptoMaterial(o.crypto, o.tls, 'crypto', (f) => fs.readFileSync(f))
  if (o.crypto.crl === undefined) {
    o.log.warn(
      { suite: material.suite },
      'crypto.crl is not set: revoked edge certificates are not refused (copy the park CRL and set crypto.crl)',
    )
    return { material, crl: null }
  }
  const crl = loadCrlWatch({
    file: o.crypto.crl,
    ca: material.ca,
    clock: o.clock,
    log: o.log,
    checkEveryMs: (o.crypto.crlCheckS ?? 30) * 1000,
  })
  // Its own certificate revoked: whatever its dates say (those the sealer checks).
  const own = new X509Certificate(material.cert)
  const revoked = crl.check({
    kind: 'cloud',
    cn: material.cn,
    serial: own.serialNumber,
    publicKey: own.publicKey,
    kid: '',
    der: material.cert,
  })
  if (revoked?.reason === 'revoked')
    throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `crypto.cert: ${revoked.error}`, {
      hint: `issue this instance a new certificate: parklink pki issue cloud ${material.cn}`,
    })
  return { material, crl }
}

export function startIngestWire(o: {
  crypto: CryptoConfig
  tls: TlsFilesConfig | undefined
  dataDir: string
  clock: Clock
  log: Logger
  /** Read before (loadIngestCrypto); read here when not given. */
  loaded?: IngestCrypto | null
}): IngestWire {
  const loaded = o.loaded === undefined ? loadIngestCrypto(o) : o.loaded
  if (loaded === null) return plainIngestWire
  const { material, crl } = loaded
  const party = createCryptoParty({
    material,
    identity: material.cn,
    fs,
    file: path.join(o.dataDir, CLOUD_CRYPTO_STATE_FILE),
    clock: o.clock,
    ...(crl ? { revocation: crl.check } : {}),
  })
  if (party.problem) o.log.warn({ problem: party.problem }, 'crypto state not readable: counters start from the clock')
  o.log.info(
    { suite: material.suite, encrypt: o.crypto.encrypt, identity: material.cn, crl: crl?.health().file ?? null },
    'application-layer signatures on (crypto)',
  )
  return sealedIngestWire(party, material.suite, o.crypto.encrypt)
}

function sealedIngestWire(party: CryptoParty, suite: SigningSuite, requireEncrypted: boolean): IngestWire {
  const pending = new Map<string, Map<number, number>>()
  const encrypting = new Set<string>()
  const hold = (from: string, ctr: number) => {
    const m = pending.get(from) ?? new Map<number, number>()
    m.set(ctr, (m.get(ctr) ?? 0) + 1)
    pending.set(from, m)
    return () => {
      const n = (m.get(ctr) ?? 1) - 1
      if (n > 0) m.set(ctr, n)
      else m.delete(ctr)
    }
  }
  return {
    suite,
    open(topic, payload, retained) {
      const address = parseTopic(topic)
      if (address === null)
        return { ok: false, reason: 'malformed', error: `not a parklink topic: ${topic}`, edge: null }
      const identity = edgeUser(address.site, address.edge)
      const opened = party.sealer.open(topic, payload, retained, { kind: 'edge', cn: identity })
      if (!opened.ok) return { ok: false, reason: opened.reason, error: opened.error, edge: address.edge }
      if (opened.will && !isWill(address.channel, opened.body))
        return { ok: false, reason: 'malformed', error: 'sealed as a last will but not a death', edge: address.edge }
      if (address.channel === 'data' || address.channel === 'resp') {
        // Status messages are signed only (they carry the certificate the cloud answers with).
        if (requireEncrypted && !opened.encrypted)
          return {
            ok: false,
            reason: 'not_encrypted',
            error: `"${opened.from}" sent a plain body; crypto.encrypt requires encryption`,
            edge: address.edge,
          }
        if (opened.encrypted) encrypting.add(address.edge)
        else encrypting.delete(address.edge)
      }
      return { ok: true, payload: opened.body, settle: hold(opened.from, opened.ctr) }
    },
    seal(topic, body) {
      const address = parseTopic(topic)
      const to = address && encrypting.has(address.edge) ? edgeUser(address.site, address.edge) : undefined
      // The certificate goes with every message to an edge: it verifies acks from a cloud it never heard of.
      return party.sealer.seal(topic, body, { withCert: true, ...(to && party.sealer.peer('edge', to) ? { to } : {}) })
    },
    save() {
      const marks = party.guard.marks()
      for (const [from, m] of pending)
        if (m.size > 0) marks[from] = Math.min(marks[from] ?? 0, Math.min(...m.keys()) - 1)
      party.save(marks)
    },
  }
}

const isWill = (channel: string, body: Buffer): boolean => {
  if (channel !== 'status') return false
  const decoded = decodeStatus(body)
  return decoded.ok && decoded.value.kind === 'death' && decoded.value.ts === undefined
}

/** The stable code of a verification refusal (the security event's and the log's). */
export const SEAL_REFUSAL_CODE = ErrorCodes.SIGNATURE_INVALID
