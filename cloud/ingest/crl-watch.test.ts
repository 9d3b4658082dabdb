import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { confEnv, generateCrl } from '../../deploy/pki/ca.ts'
import { runOpenssl } from '../../deploy/pki/openssl.ts'
import { revoke } from '../../deploy/pki/revoke.ts'
import { type Clock, systemClock } from '../../shared/clock.ts'
import type { CryptoMaterial } from '../../shared/crypto/material.ts'
import { ReplayGuard } from '../../shared/crypto/replay.ts'
import { createSealer } from '../../shared/crypto/sealer.ts'
import type { CryptoConfig } from '../../shared/crypto/suite.ts'
import { topic } from '../../shared/wire/topics.ts'
import { captureLogger, tempStore } from '../../test/cloud/helpers.ts'
import { makeTestPki, type TestPki } from '../../test/util/crypto-pki.ts'
import { steppedClock } from '../../test/util/stepped-clock.ts'
import { createMetrics } from '../metrics.ts'
import { loadIngestCrypto, startIngestWire } from './crypto.ts'
import { CRL_EXPIRING_MS } from './crl-watch.ts'
import { createSealRefusalReporter } from './seal-refusals.ts'

/**
 * Issue 20, revocation: the cloud refuses what a revoked edge certificate signed, from the CRL
 * `parklink pki revoke` re-signs, re-read when the copy changes; an expired CRL refuses every
 * signed message (fail closed). Real PKI files; fake timers drive the re-read.
 */
const SITE = 'huaian'

describe('the signing certificates checked against the park CRL (crypto.crl)', () => {
  let pki: TestPki
  let dir: string
  let crlFile: string
  let edge: CryptoMaterial
  let other: CryptoMaterial
  const logs = captureLogger()
  const parkCrl = () => pki.pki.layout.ca('sm2').crl
  /** Copied beside and renamed into place, as an operator's scp + mv (or a config tool) does. */
  const deploy = (from = parkCrl()) => {
    copyFileSync(from, `${crlFile}.new`)
    renameSync(`${crlFile}.new`, crlFile)
  }
  /** The cloud's files as deployed (a copy: `pki revoke` moves the issued folder aside). */
  const cryptoConfig = (): CryptoConfig & { crl: string; crlCheckS: number } => {
    const files = { key: `${dir}/sm2.key`, cert: `${dir}/sm2.crt`, ca: `${dir}/sm2-ca.crt` }
    return { suite: 'sm', encrypt: false, ...files, crl: crlFile, crlCheckS: 30 }
  }
  const load = (clock: Clock = systemClock) =>
    loadIngestCrypto({ crypto: cryptoConfig(), tls: undefined, clock, log: logs.log })!
  let ctr = Date.now() * 1000
  const sealerOf = (m: CryptoMaterial, now = () => Date.now()) =>
    createSealer({
      suite: 'sm',
      identity: m.cn,
      key: m.key,
      cert: m.cert,
      ca: m.ca,
      now,
      counter: () => ++ctr,
      guard: new ReplayGuard(),
    })

  beforeAll(() => {
    pki = makeTestPki()
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-crl-'))
    crlFile = path.join(dir, 'sm2-crl.pem')
    edge = pki.material('edge', `${SITE}/edge-01`, 'sm')
    other = pki.material('edge', `${SITE}/edge-02`, 'sm')
    for (const f of ['sm2.key', 'sm2.crt', 'sm2-ca.crt'])
      copyFileSync(path.join(pki.dirOf('cloud', 'parklink-cloud'), f), path.join(dir, f))
    // A second instance, revoked by the last test.
    mkdirSync(path.join(dir, 'standby'))
    for (const f of ['sm2.key', 'sm2.crt', 'sm2-ca.crt'])
      copyFileSync(path.join(pki.dirOf('cloud', 'parklink-standby'), f), path.join(dir, 'standby', f))
  })
  afterAll(() => {
    pki.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  beforeEach(() => deploy())

  it('refuses a revoked edge from the next look at the file (no restart): counted, a SECURITY alarm and an audit row', async () => {
    // Fake time on the injected clock: the store keeps real timers (test/util/stepped-clock.ts).
    const clock = steppedClock(Date.now())
    const env = await tempStore()
    const metrics = createMetrics(clock.now())
    const loaded = load(clock)
    const wire = startIngestWire({
      crypto: cryptoConfig(),
      tls: undefined,
      dataDir: dir,
      clock,
      log: logs.log,
      loaded,
    })
    loaded.crl!.start((h) => {
      metrics.crypto.crl = h
    })
    const report = createSealRefusalReporter({ store: env.store, clock, log: logs.log, metrics })
    const send = (m: CryptoMaterial) => {
      const t = topic(SITE, m.cn.split('/')[1]!, 'data')
      const r = wire.open(t, sealerOf(m, clock.now).seal(t, Buffer.from('{}'), { withCert: true }), false)
      if (!r.ok) report(t, r.edge, r.reason, r.error)
      return r
    }
    try {
      expect(send(edge).ok).toBe(true)
      expect(metrics.crypto.crl).toMatchObject({ state: 'ok', blocking: false, file: crlFile })
      const listed = metrics.crypto.crl!.revoked

      revoke(pki.pki, `${SITE}/edge-01`)
      deploy()
      // Not looked at yet: the list in force does not have it.
      expect(send(edge).ok).toBe(true)
      await clock.advance(30_000)
      expect(metrics.crypto.crl).toMatchObject({ state: 'ok', revoked: listed + 1 })
      const refused = send(edge)
      expect(refused).toMatchObject({ ok: false, reason: 'revoked', edge: 'edge-01' })
      expect(!refused.ok && refused.error).toMatch(/huaian\/edge-01.*revoked/)
      expect(send(other).ok).toBe(true)
      expect(metrics.crypto.refused.revoked).toBe(1)

      await vi.waitFor(async () => {
        const audit = await env.store.auth.queryAudit({ action: 'ingest_refused', limit: 10 })
        expect(audit[0]).toMatchObject({ actor: 'edge:edge-01', detail: { reason: 'revoked' } })
      })
      const alarms = await env.store.listAlarms({ scope: 'all', state: 'all', limit: 10 })
      expect(alarms.filter((a) => a.point === 'edge:edge-01' && a.kind === 'SECURITY')).toHaveLength(1)
    } finally {
      loaded.crl!.stop()
      await env.dispose()
    }
  })

  describe('on fake timers (no store)', () => {
    beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }))
    afterEach(() => void vi.useRealTimers())

    it('keeps the list in force when the copy is unreadable, not signed by the CA, or older (a rollback); reports it', () => {
      const crl = load().crl!
      const reports: string[] = []
      crl.start((h) => reports.push(h.state))
      try {
        const before = crl.health()
        const signer = { kind: 'edge', cn: other.cn, serial: 'x', publicKey: other.key, kid: '', der: other.cert }
        // Another CA's list (the TLS CA's), then garbage, then the file gone.
        deploy(pki.pki.layout.ca('tls').crl)
        vi.advanceTimersByTime(30_000)
        expect(crl.health()).toMatchObject({ state: 'invalid', revoked: before.revoked, number: before.number })
        expect(crl.health().error).toMatch(/not signed by the CA in crypto.ca/)
        writeFileSync(crlFile, 'not a crl')
        vi.advanceTimersByTime(30_000)
        expect(crl.health()).toMatchObject({ state: 'invalid', error: expect.stringMatching(/not a CRL/) })
        rmSync(crlFile)
        vi.advanceTimersByTime(30_000)
        expect(crl.health()).toMatchObject({ state: 'unreadable', error: expect.stringMatching(/ENOENT/) })
        expect(crl.check(signer)).toBeNull()
        // A newer list is taken; putting the old one back is refused as a rollback.
        const old = path.join(dir, 'old.pem')
        copyFileSync(parkCrl(), old)
        generateCrl(pki.pki, 'sm2')
        deploy()
        vi.advanceTimersByTime(30_000)
        expect(crl.health()).toMatchObject({ state: 'ok', error: null })
        const newer = crl.health().number
        deploy(old)
        vi.advanceTimersByTime(30_000)
        expect(crl.health()).toMatchObject({ state: 'invalid', number: newer })
        expect(crl.health().error).toMatch(/older than the CRL in force/)
        expect(reports).toContain('unreadable')
        const errors = logs
          .lines()
          .filter(
            (l) => l.msg === 'the CRL file is not usable: the CRL read before stays in force until its nextUpdate',
          )
        expect(errors.length).toBeGreaterThan(0)
      } finally {
        crl.stop()
      }
    })

    it('fails closed once the CRL has expired: every signer refused as crl_unavailable, health blocking; a fresh copy lifts it', () => {
      const crl = load().crl!
      crl.start(() => {})
      try {
        const signer = { kind: 'edge', cn: other.cn, serial: 'AB', publicKey: other.key, kid: '', der: other.cert }
        const next = Date.parse(crl.health().nextUpdate!)
        vi.setSystemTime(next - CRL_EXPIRING_MS + 60_000)
        vi.advanceTimersByTime(30_000)
        expect(crl.health().state).toBe('expiring')
        expect(crl.check(signer)).toBeNull()
        vi.setSystemTime(next + 1_000)
        vi.advanceTimersByTime(30_000)
        expect(crl.health()).toMatchObject({ state: 'expired', blocking: true })
        expect(crl.check(signer)).toMatchObject({ reason: 'crl_unavailable' })
        expect(logs.lines().some((l) => l.level === 50 && /CRL has expired/.test(String(l.msg)))).toBe(true)
        // A list signed now, valid beyond that (fake) time, copied in: taken at the next look, refusals stop.
        runOpenssl(
          [
            'ca',
            '-config',
            pki.pki.layout.conf,
            '-name',
            'sm2_ca',
            '-gencrl',
            '-crldays',
            '200',
            '-out',
            `${crlFile}.new`,
          ],
          confEnv(pki.pki.layout),
        )
        renameSync(`${crlFile}.new`, crlFile)
        vi.advanceTimersByTime(30_000)
        expect(crl.health()).toMatchObject({ state: 'ok', blocking: false })
        expect(crl.check(signer)).toBeNull()
      } finally {
        crl.stop()
      }
    })
  })

  it('does not start on a missing CRL, a list of another CA, or its own certificate revoked (PL_CONFIG_INVALID naming crypto.crl)', () => {
    rmSync(crlFile)
    expect(load).toThrow(/crypto.crl: .*sm2-crl.pem: cannot read/)
    deploy(pki.pki.layout.ca('tls').crl)
    expect(load).toThrow(
      expect.objectContaining({ code: 'PL_CONFIG_INVALID', message: expect.stringMatching(/not signed by the CA/) }),
    )
    // Another cloud instance (the tests may run in any order: parklink-cloud stays valid for them).
    const other = path.join(dir, 'standby')
    revoke(pki.pki, 'parklink-standby')
    deploy()
    const crypto = { ...cryptoConfig(), key: `${other}/sm2.key`, cert: `${other}/sm2.crt`, ca: `${other}/sm2-ca.crt` }
    expect(() => loadIngestCrypto({ crypto, tls: undefined, clock: systemClock, log: logs.log })).toThrow(
      /crypto.cert: .*parklink-standby.*revoked/,
    )
    expect(load().crl).not.toBeNull()
  })
})
