import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestPki, type TestPki } from '../../test/util/crypto-pki.ts'
import { ReplayGuard } from './replay.ts'
import { createSealer, type Sealer } from './sealer.ts'
import type { SigningSuite } from './suite.ts'

const EDGE = 'huaian/edge-01'
const OTHER = 'huaian/edge-02'
const CLOUD = 'parklink-cloud'
const DATA = `parklink/v1/${EDGE}/data`
const ACK = `parklink/v1/${EDGE}/ack`

describe('sealed messages (issue 20)', () => {
  let pki: TestPki
  let foreign: TestPki
  beforeAll(() => {
    pki = makeTestPki()
    foreign = makeTestPki()
  })
  afterAll(() => {
    pki.dispose()
    foreign.dispose()
  })

  const party = (kind: 'edge' | 'cloud', name: string, suite: SigningSuite, from = pki, requireEncrypted = false) => {
    let ctr = 0
    const m = from.material(kind, name, suite)
    return createSealer({
      suite,
      identity: name,
      key: m.key,
      cert: m.cert,
      ca: m.ca,
      now: () => Date.now(),
      counter: () => ++ctr,
      guard: new ReplayGuard(),
      requireEncrypted,
    })
  }
  const body = (n: number) => Buffer.from(JSON.stringify({ v: 1, edge: 'edge-01', n }))

  for (const suite of ['sm', 'standard'] as const) {
    it(`${suite}: a batch opens at the cloud, encrypted or not, and the cloud's ack at the edge`, () => {
      const edge = party('edge', EDGE, suite)
      const cloud = party('cloud', CLOUD, suite)
      const sealed = edge.seal(DATA, body(1), { withCert: true })
      expect(sealed.toString('latin1')).toContain('"n":1')
      expect(cloud.open(DATA, sealed, false, { kind: 'edge', cn: EDGE })).toMatchObject({
        ok: true,
        body: body(1),
        encrypted: false,
      })
      const ack = cloud.seal(ACK, body(2), { withCert: true, to: EDGE })
      expect(ack.toString('latin1')).not.toContain('"n":2')
      expect(edge.open(ACK, ack, false, { kind: 'cloud' })).toMatchObject({ ok: true, body: body(2), encrypted: true })
      const secret = edge.seal(DATA, body(3), { to: CLOUD })
      expect(cloud.open(DATA, secret, false, { kind: 'edge', cn: EDGE })).toMatchObject({ ok: true, body: body(3) })
    })
  }

  it('refuses a replayed counter, and takes a retained one already seen as stale (not an attack)', () => {
    const edge = party('edge', EDGE, 'sm')
    const cloud = party('cloud', CLOUD, 'sm')
    const sealed = edge.seal(DATA, body(1), { withCert: true })
    expect(cloud.open(DATA, sealed, false, { kind: 'edge', cn: EDGE }).ok).toBe(true)
    expect(cloud.open(DATA, sealed, false, { kind: 'edge', cn: EDGE })).toMatchObject({ ok: false, reason: 'replayed' })
    expect(cloud.open(DATA, sealed, true, { kind: 'edge', cn: EDGE })).toMatchObject({
      ok: false,
      reason: 'stale_retained',
    })
  })

  it("refuses another edge's key on this edge's topic, another CA's certificate, the wrong suite, a plain body where encryption is required, and an unsigned message", () => {
    const cloud = party('cloud', CLOUD, 'sm', pki, true)
    const other = party('edge', OTHER, 'sm')
    const stranger = party('edge', EDGE, 'sm', foreign)
    const standard = party('edge', EDGE, 'standard')
    const edge = party('edge', EDGE, 'sm')
    const expected = { kind: 'edge', cn: EDGE } as const
    expect(cloud.open(DATA, other.seal(DATA, body(1), { withCert: true }), false, expected)).toMatchObject({
      reason: 'wrong_signer',
    })
    expect(cloud.open(DATA, stranger.seal(DATA, body(1), { withCert: true }), false, expected)).toMatchObject({
      reason: 'bad_certificate',
    })
    expect(cloud.open(DATA, standard.seal(DATA, body(1), { withCert: true }), false, expected)).toMatchObject({
      reason: 'wrong_suite',
    })
    expect(cloud.open(DATA, edge.seal(DATA, body(1), { withCert: true }), false, expected)).toMatchObject({
      reason: 'not_encrypted',
    })
    expect(cloud.open(DATA, body(1), false, expected)).toMatchObject({ reason: 'unsigned' })
    // A signed ack moved to another topic (the edge's command channel) no longer verifies.
    const edgeSide = party('edge', EDGE, 'sm')
    const ack = party('cloud', CLOUD, 'sm').seal(ACK, body(1), { withCert: true })
    expect(edgeSide.open(`parklink/v1/${EDGE}/cmd`, ack, false, { kind: 'cloud' })).toMatchObject({
      reason: 'bad_signature',
    })
    // An edge's certificate does not sign acks.
    expect(edgeSide.open(ACK, other.seal(ACK, body(1), { withCert: true }), false, { kind: 'cloud' })).toMatchObject({
      reason: 'wrong_signer',
    })
  })

  it('a key known from an earlier message signs without its certificate; an unknown one is refused', () => {
    const edge = party('edge', EDGE, 'sm')
    const cloud = party('cloud', CLOUD, 'sm')
    const first = edge.seal(DATA, body(1))
    expect(cloud.open(DATA, first, false, { kind: 'edge', cn: EDGE })).toMatchObject({ reason: 'unknown_key' })
    expect(cloud.open(DATA, edge.seal(DATA, body(2), { withCert: true }), false, { kind: 'edge', cn: EDGE }).ok).toBe(
      true,
    )
    expect(cloud.open(DATA, edge.seal(DATA, body(3)), false, { kind: 'edge', cn: EDGE }).ok).toBe(true)
  })

  it('property: sign → verify round-trips any body, and any flipped byte of the sealed message is refused', () => {
    const edge = party('edge', EDGE, 'sm')
    const cloud = party('cloud', CLOUD, 'sm')
    // The cloud learns the edge's key once; the frames below carry no certificate (cheaper to flip).
    expect(cloud.open(DATA, edge.seal(DATA, body(0), { withCert: true }), false, { kind: 'edge', cn: EDGE }).ok).toBe(
      true,
    )
    expect(edge.open(ACK, cloud.seal(ACK, body(0), { withCert: true }), false, { kind: 'cloud' }).ok).toBe(true)
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (bytes, at, flip, encrypt) => {
          const sealed = edge.seal(DATA, bytes, encrypt ? { to: CLOUD } : {})
          const tampered = Buffer.from(sealed)
          tampered[at % tampered.length]! ^= flip
          expect(openOnce(cloud, tampered).ok).toBe(false)
          const opened = openOnce(cloud, sealed)
          expect(opened).toMatchObject({ ok: true })
          expect(opened.ok && Buffer.compare(opened.body, Buffer.from(bytes))).toBe(0)
        },
      ),
      { numRuns: 200 },
    )
  })
})

const openOnce = (cloud: Sealer, payload: Buffer) => cloud.open(DATA, payload, false, { kind: 'edge', cn: EDGE })
