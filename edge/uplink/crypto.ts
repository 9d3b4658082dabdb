import * as fs from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { cryptoFiles, loadCryptoMaterial } from '../../shared/crypto/material.ts'
import { createCryptoParty } from '../../shared/crypto/party.ts'
import type { CryptoConfig, SigningSuite } from '../../shared/crypto/suite.ts'
import type { TlsFilesConfig } from '../../shared/tls.ts'
import { edgeUser } from '../../shared/wire/acl.ts'
import { plainWire, sealedWire, type UplinkWire } from './wire.ts'

/** The file beside the outbox that keeps the send counter's reservation and the cloud's marks. */
export const CRYPTO_STATE_FILE = 'crypto-state.json'

/**
 * The edge's wire (issue 20): plain for `crypto.suite: off`; otherwise its key and certificate
 * (crypto.key/cert/ca, by default the files `parklink pki issue edge` wrote beside the TLS
 * certificate), refused at start when the certificate is not this edge's, and the replay state in
 * dataDir. `save` writes the marks (at stop).
 */
export function startEdgeWire(o: {
  crypto: CryptoConfig
  tls: TlsFilesConfig | undefined
  site: string
  edge: string
  dataDir: string
  clock: Clock
  log: Logger
}): { wire: UplinkWire; save(): void } {
  if (o.crypto.suite === 'off') return { wire: plainWire, save: () => {} }
  const suite = o.crypto.suite as SigningSuite
  const material = loadCryptoMaterial(o.crypto, o.tls, 'crypto', (f) => fs.readFileSync(f))
  const identity = edgeUser(o.site, o.edge)
  if (material.cn !== identity)
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `crypto.cert: ${cryptoFiles(o.crypto, o.tls, 'crypto').cert}: the certificate's CN is "${material.cn}", this edge is "${identity}"`,
      { hint: `issue this edge its own certificate: parklink pki issue edge ${identity}` },
    )
  const party = createCryptoParty({
    material,
    identity,
    fs,
    file: path.join(o.dataDir, CRYPTO_STATE_FILE),
    clock: o.clock,
  })
  if (party.problem) o.log.warn({ problem: party.problem }, 'crypto state not readable: counters start from the clock')
  o.log.info({ suite, encrypt: o.crypto.encrypt, identity }, 'application-layer signatures on (crypto)')
  return {
    wire: sealedWire({ sealer: party.sealer, suite, identity, encrypt: o.crypto.encrypt, log: o.log }),
    save: () => party.save(),
  }
}
