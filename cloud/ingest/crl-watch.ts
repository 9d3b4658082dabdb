import * as nodeFs from 'node:fs'
import type { X509Certificate } from 'node:crypto'
import type { Logger } from 'pino'
import type { Clock, TimerHandle } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { isRevoked, parseCrl, verifyCrl, type Crl } from '../../shared/crypto/crl.ts'
import type { RevocationCheck } from '../../shared/crypto/sealer.ts'

/**
 * The park CA's CRL for the signing certificates (issue 20, `crypto.crl`): the list `parklink pki
 * revoke` re-signs (pki/sm2/crl.pem for suite sm, pki/tls/crl.pem for standard), copied to the
 * cloud as it is to the broker's crlfile. Checked at every verified message (sealer.ts).
 *
 * Policy, fail closed (README, Security model): a signer whose revocation status cannot be
 * established is not trusted (等保 2.0 level 3 / GB/T 39786: identity must be verified, which
 * includes revocation; Mosquitto refuses every client the same way once its crlfile expires).
 * - At start the file must be readable, a CRL, and signed by `crypto.ca`, or the cloud does not
 *   start (PL_CONFIG_INVALID). An expired one starts it but refuses as below.
 * - The file is re-read when it changes (stat every `crlCheckS`); a list that is unreadable,
 *   not signed by the CA, or older than the one in force is reported (log + health) and the
 *   one in force is kept: it stays authoritative until its own nextUpdate.
 * - Past the nextUpdate of the list in force every signed message is refused
 *   (`crl_unavailable`, counted in /api/v1/health) and stays in the edge's outbox, unacked:
 *   nothing is lost, it flows once a fresh CRL is copied in.
 */
export type CrlState = 'ok' | 'expiring' | 'expired' | 'unreadable' | 'invalid'

export interface CrlHealth {
  state: CrlState
  file: string
  /** Signed messages are refused because of the CRL (expired, nothing newer read). */
  blocking: boolean
  thisUpdate: string
  nextUpdate: string | null
  number: string | null
  revoked: number
  /** Why the file on disk is not the list in force (unreadable, invalid), or null. */
  error: string | null
  checkedAt: string
}

export interface CrlWatch {
  check: RevocationCheck
  health(): CrlHealth
  /** Re-reads the file if it changed, re-judges the dates, reports. */
  poll(): void
  start(report: (health: CrlHealth) => void): void
  stop(): void
}

export type CrlFs = Pick<typeof nodeFs, 'statSync' | 'readFileSync'>

/** The CRL is reported `expiring` this long before its nextUpdate (`parklink pki crl` is due). */
export const CRL_EXPIRING_MS = 7 * 86_400_000

export function loadCrlWatch(o: {
  file: string
  ca: X509Certificate
  clock: Clock
  log: Logger
  checkEveryMs: number
  fs?: CrlFs
}): CrlWatch {
  const fs = o.fs ?? nodeFs
  const first = readCrl(fs, o.file, o.ca)
  if ('error' in first)
    throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `crypto.crl: ${o.file}: ${first.error}`, {
      hint: 'copy the CRL `parklink pki revoke` / `parklink pki crl` re-signs (pki/sm2/crl.pem for suite sm, pki/tls/crl.pem for standard), readable by the service user',
    })
  let crl = first.crl
  let seen = first.stamp
  let problem: { state: 'unreadable' | 'invalid'; error: string } | null = null
  let timer: TimerHandle | null = null
  let lastState: CrlState | null = null
  const expiredAt = (now: number) => crl.nextUpdate !== null && now > crl.nextUpdate

  const health = (): CrlHealth => {
    const now = o.clock.now()
    const expired = expiredAt(now)
    const state: CrlState = expired
      ? 'expired'
      : problem
        ? problem.state
        : crl.nextUpdate !== null && crl.nextUpdate - now < CRL_EXPIRING_MS
          ? 'expiring'
          : 'ok'
    return {
      state,
      file: o.file,
      blocking: expired,
      thisUpdate: new Date(crl.thisUpdate).toISOString(),
      nextUpdate: crl.nextUpdate === null ? null : new Date(crl.nextUpdate).toISOString(),
      number: crl.number === null ? null : crl.number.toString(),
      revoked: crl.revoked.size,
      error: problem?.error ?? null,
      checkedAt: new Date(now).toISOString(),
    }
  }

  const reread = () => {
    let stamp: string
    try {
      stamp = stampOf(fs, o.file)
    } catch (err) {
      problem = { state: 'unreadable', error: `cannot read: ${errorMessage(err)}` }
      return
    }
    if (stamp === seen) return
    const next = readCrl(fs, o.file, o.ca)
    seen = stamp
    if ('error' in next) problem = { state: next.state, error: next.error }
    else if (older(next.crl, crl))
      problem = { state: 'invalid', error: 'older than the CRL in force (a rollback would un-revoke): not taken' }
    else {
      crl = next.crl
      problem = null
      o.log.info({ file: o.file, revoked: crl.revoked.size, number: crl.number?.toString() }, 'CRL re-read')
    }
  }

  const poll = () => {
    reread()
    const h = health()
    if (h.state !== lastState) logState(o.log, h)
    lastState = h.state
  }

  return {
    check(signer) {
      if (expiredAt(o.clock.now()))
        return {
          reason: 'crl_unavailable',
          error: `the CRL ${o.file} expired at ${new Date(crl.nextUpdate!).toISOString()}: revocation cannot be checked (fail closed)`,
        }
      if (isRevoked(crl, signer.serial))
        return {
          reason: 'revoked',
          error: `the certificate of ${signer.kind} "${signer.cn}" (serial ${signer.serial}) is revoked (${o.file})`,
        }
      return null
    },
    health,
    poll,
    start(report) {
      const tick = () => {
        poll()
        report(health())
        timer = o.clock.setTimeout(tick, o.checkEveryMs)
      }
      tick()
    },
    stop() {
      if (timer !== null) o.clock.clearTimeout(timer)
      timer = null
    },
  }
}

type Read = { crl: Crl; stamp: string } | { state: 'unreadable' | 'invalid'; error: string }

function readCrl(fs: CrlFs, file: string, ca: X509Certificate): Read {
  let data: Buffer
  let stamp: string
  try {
    stamp = stampOf(fs, file)
    data = fs.readFileSync(file)
  } catch (err) {
    return { state: 'unreadable', error: `cannot read: ${errorMessage(err)}` }
  }
  let crl: Crl
  try {
    crl = parseCrl(data)
  } catch (err) {
    return { state: 'invalid', error: `not a CRL: ${errorMessage(err)}` }
  }
  if (!verifyCrl(crl, ca))
    return { state: 'invalid', error: `not signed by the CA in crypto.ca (${ca.subject.replaceAll('\n', ',')})` }
  return { crl, stamp }
}

/** What tells a changed file: its inode (a copy renamed into place), size and modification time. */
const stampOf = (fs: CrlFs, file: string): string => {
  const s = fs.statSync(file)
  return `${s.ino}:${s.size}:${s.mtimeMs}`
}

const older = (a: Crl, b: Crl): boolean =>
  a.number !== null && b.number !== null ? a.number < b.number : a.thisUpdate < b.thisUpdate

function logState(log: Logger, h: CrlHealth): void {
  const fields = { file: h.file, state: h.state, nextUpdate: h.nextUpdate, err: h.error }
  if (h.state === 'expired')
    log.error(
      {
        ...fields,
        code: ErrorCodes.SIGNATURE_INVALID,
        hint: 'parklink pki crl, then copy the CRL to crypto.crl (and the broker)',
      },
      'SECURITY: the CRL has expired: every signed message is refused until a fresh one is copied in (fail closed)',
    )
  else if (h.state === 'unreadable' || h.state === 'invalid')
    log.error(
      { ...fields, hint: 'copy the CRL `parklink pki` signed to crypto.crl again' },
      'the CRL file is not usable: the CRL read before stays in force until its nextUpdate',
    )
  else if (h.state === 'expiring')
    log.warn({ ...fields, hint: 'parklink pki crl, then copy it to crypto.crl and the broker' }, 'the CRL expires soon')
  else log.info({ file: h.file, revoked: h.revoked, nextUpdate: h.nextUpdate }, 'CRL in force')
}
