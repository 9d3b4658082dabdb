import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { ErrorCodes } from '../../shared/errors.ts'
import type { ConfigBundle } from '../../shared/wire/bundle.ts'
import { signBundle, signingKeyOf, verifyingKeyOf } from '../../shared/wire/bundle-signature.ts'
import { checkBundle } from './check.ts'
import { withParkRules } from './merge.ts'

/** PEM key pairs, as the park keeps them in files (an SM2 key is SM2 to OpenSSL only when read from PEM). */
function pemPair(kind: 'sm2' | 'ed25519') {
  const { privateKey, publicKey } =
    kind === 'sm2' ? generateKeyPairSync('ec', { namedCurve: 'SM2' }) : generateKeyPairSync('ed25519')
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

const bundle = (over: Partial<ConfigBundle> = {}): ConfigBundle => ({
  v: 1,
  edge: 'shilian-01',
  issuedAt: 1_000,
  configYaml: 'site: p\nedge: shilian-01\n',
  rules: { points: [] },
  ...over,
})

describe('park config bundles: signature, edge, age', () => {
  for (const kind of ['sm2', 'ed25519'] as const)
    it(`accepts a ${kind} bundle signed by the park, refuses a forged or altered one`, () => {
      const park = pemPair(kind)
      const forger = pemPair(kind)
      const verifier = verifyingKeyOf(park.publicPem)
      const signed = signBundle(bundle(), signingKeyOf(park.privatePem))
      expect(signed.alg).toBe(kind === 'sm2' ? 'sm2-sm3' : 'ed25519')
      const ctx = { edge: 'shilian-01', verifier, running: null }
      expect(checkBundle(signed, ctx)).toMatchObject({ ok: true, same: false })
      const forged = signBundle(bundle(), signingKeyOf(forger.privatePem))
      expect(checkBundle(forged, ctx)).toMatchObject({ ok: false, code: ErrorCodes.BUNDLE_SIGNATURE })
      const altered = { ...signed, bundle: signed.bundle.replace('shilian-01\\n', 'shilian-01\\nx: 1\\n') }
      expect(altered.bundle).not.toBe(signed.bundle)
      expect(checkBundle(altered, ctx)).toMatchObject({ ok: false, code: ErrorCodes.BUNDLE_SIGNATURE })
    })

  it("signs real SM2 with SM3: OpenSSL's own verification accepts the signature", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parklink-sm2-'))
    try {
      const park = pemPair('sm2')
      const signed = signBundle(bundle(), signingKeyOf(park.privatePem))
      writeFileSync(path.join(dir, 'pub.pem'), park.publicPem)
      writeFileSync(path.join(dir, 'data'), signed.bundle)
      writeFileSync(path.join(dir, 'sig'), Buffer.from(signed.signature, 'base64'))
      const out = execFileSync('openssl', ['dgst', '-sm3', '-verify', 'pub.pem', '-signature', 'sig', 'data'], {
        cwd: dir,
        encoding: 'utf8',
      })
      expect(out).toContain('Verified OK')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses a bundle signed with the other algorithm, for another edge, or not newer than the running one', () => {
    const park = pemPair('sm2')
    const signer = signingKeyOf(park.privatePem)
    const verifier = verifyingKeyOf(park.publicPem)
    const ed = signBundle(bundle(), signingKeyOf(pemPair('ed25519').privatePem))
    expect(checkBundle(ed, { edge: 'shilian-01', verifier, running: null })).toMatchObject({
      code: ErrorCodes.BUNDLE_SIGNATURE,
    })
    const other = signBundle(bundle({ edge: 'fuqiang-01' }), signer)
    expect(checkBundle(other, { edge: 'shilian-01', verifier, running: null })).toMatchObject({
      code: ErrorCodes.BUNDLE_WRONG_EDGE,
    })
    const running = signBundle(bundle({ issuedAt: 2_000 }), signer)
    const ctx = { edge: 'shilian-01', verifier, running: { issuedAt: 2_000, signature: running.signature } }
    expect(checkBundle(signBundle(bundle({ issuedAt: 1_999 }), signer), ctx)).toMatchObject({
      code: ErrorCodes.BUNDLE_STALE,
    })
    expect(checkBundle(signBundle(bundle({ issuedAt: 2_000 }), signer), ctx)).toMatchObject({
      code: ErrorCodes.BUNDLE_STALE,
    })
    expect(checkBundle(running, ctx)).toMatchObject({ ok: true, same: true })
    expect(checkBundle(signBundle(bundle({ issuedAt: 2_001 }), signer), ctx)).toMatchObject({ ok: true, same: false })
  })
})

describe('the park rules written into the pushed config', () => {
  it('sets alarms.points, priorities and chatter, keeps the comments and the rest', () => {
    const yaml =
      '# the park file\nsite: p # site\nedge: e1\nalarms:\n  points:\n    - { id: old, limits: { h: 1, deadband: 0 } }\n'
    const out = withParkRules(yaml, {
      points: [{ id: 'a.b', class: 'gas', limits: { h: 25, hh: 50, deadband: 1 }, rules: { onDelayMs: 2_000 } }],
      chatter: { count: 3, windowMs: 60_000, latch: true, clearHoldS: 60 },
    })
    expect(out).toContain('# the park file')
    expect(out).toContain('# site')
    expect(parse(out).alarms).toEqual({
      points: [{ id: 'a.b', class: 'gas', limits: { h: 25, hh: 50, deadband: 1 }, rules: { onDelayMs: 2_000 } }],
      chatter: { count: 3, windowMs: 60_000, latch: true, clearHoldS: 60 },
    })
    expect(parse(withParkRules(yaml, { points: [] })).alarms).toBeUndefined()
  })
})
