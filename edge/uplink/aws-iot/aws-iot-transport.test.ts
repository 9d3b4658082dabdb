import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initPki } from '../../../deploy/pki/ca.ts'
import { runOpenssl } from '../../../deploy/pki/openssl.ts'
import { systemClock } from '../../../shared/clock.ts'
import { IOT_LIMITS } from '../../../shared/iot/limits.ts'
import { captureLogger } from '../../../test/util/edge-support.ts'
import { startIotStandIn, type IotStandIn } from '../../../test/util/iot-standin.ts'
import { waitFor } from '../../../test/util/wait.ts'
import type { UplinkLink, UplinkTransport } from '../transport.ts'
import { checkIotStart } from './start-checks.ts'
import { createAwsIotTransport } from './transport.ts'

/**
 * The AWS IoT transport on its own against the TLS stand-in (test/util/iot-standin.ts): what
 * IoT Core would refuse never reaches the SDK, and bad thing files are refused at start with a
 * code and the file's name.
 */
describe('AWS IoT transport: limits and bad input', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-aws-iot-transport-'))
  let standIn: IotStandIn
  let thing: { cert: string; key: string; ca: string }
  let other: { cert: string; key: string; ca: string }
  /** The CA of another park's PKI (same park name, so the same subject: another key). */
  let foreignCa: string
  /** A CA named otherwise, that signed neither the broker nor the thing. */
  let strangerCa: string
  const transports: UplinkTransport[] = []
  const log = captureLogger()
  const ids = { site: 'park', edge: 'e1' }

  const connect = (ca: string, attemptTimeoutMs?: number) => {
    const logs = captureLogger()
    const t = createAwsIotTransport({
      endpoint: standIn.host,
      port: standIn.port,
      thingName: 'park-e1',
      cert: readFileSync(thing.cert),
      key: readFileSync(thing.key),
      ca: readFileSync(ca),
      caFile: ca,
      keepaliveS: IOT_LIMITS.keepaliveMinS,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      clock: systemClock,
      log: logs.log,
      ...(attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs }),
    })
    transports.push(t)
    const state = { link: null as UplinkLink | null, errors: [] as string[] }
    t.connect(
      { topic: 'parklink/v1/park/e1/status', payload: Buffer.from('{}'), qos: 1, retain: false },
      {
        onConnect: (l) => void (state.link = l),
        onMessage: () => {},
        onError: (m) => void state.errors.push(m),
        onClose: () => void (state.link = null),
      },
    )
    return { state, logs }
  }

  beforeAll(async () => {
    standIn = await startIotStandIn()
    thing = standIn.thing('park', 'e1')
    other = standIn.thing('park', 'e2')
    foreignCa = initPki(path.join(dir, 'foreign'), runOpenssl, { park: 'test park', days: 2 }).layout.ca('tls').cert
    strangerCa = initPki(path.join(dir, 'stranger'), runOpenssl, { park: 'another park', days: 2 }).layout.ca(
      'tls',
    ).cert
  }, 60_000)
  afterAll(async () => {
    for (const t of transports) {
      const l = t.close()
      l?.destroy()
    }
    await standIn?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('never hands a message over 128 KB to the SDK: a coded error, nothing at the broker', async () => {
    const { state, logs } = connect(thing.ca)
    const link = await waitFor(() => state.link, { message: () => `not connected: ${state.errors.join('; ')}` })
    const topic = 'parklink/v1/park/e1/data'
    const outcome = (payload: Buffer) =>
      new Promise<Error | undefined>((resolve) => link.publish(topic, payload, { qos: 1 }, resolve))
    const refused = await outcome(Buffer.alloc(IOT_LIMITS.messageBytes + 1, 0x20))
    expect(refused).toMatchObject({ code: 'PL_MESSAGE_TOO_LARGE', message: expect.stringContaining('131073-byte') })
    expect(logs.lines().some((l) => l.code === 'PL_MESSAGE_TOO_LARGE')).toBe(true)
    expect(await outcome(Buffer.alloc(IOT_LIMITS.messageBytes, 0x20))).toBeUndefined() // at the limit: sent
    const seen = await waitFor(() => {
      const p = standIn.publishes('park/e1').filter((x) => x.topic === topic)
      return p.length > 0 ? p : null
    })
    expect(seen.map((p) => p.bytes)).toEqual([IOT_LIMITS.messageBytes])
    // A topic deeper than IoT Core allows is refused likewise.
    expect(await outcome(Buffer.from('x')).then(() => null)).toBeNull()
    const deep = await new Promise<Error | undefined>((resolve) =>
      link.publish('parklink/v1/park/e1/data/a/b/c/d', Buffer.from('x'), { qos: 1 }, resolve),
    )
    expect(deep?.message).toMatch(/8 slashes; AWS IoT Core allows 7/)
  })

  it('refuses at start, naming the file: a certificate not of the key, expired, or not signed by its CA', () => {
    expect(() => checkIotStart({ ...thing, key: other.key }, ids, Date.now(), log.log)).toThrow(
      expect.objectContaining({
        code: 'PL_KEY_MISMATCH',
        message: expect.stringContaining(`${thing.cert} is not the certificate of ${other.key}`),
      }),
    )
    const expiry = Date.parse(new X509Certificate(readFileSync(thing.cert)).validTo)
    expect(() => checkIotStart(thing, ids, expiry + 86_400_000, log.log)).toThrow(
      expect.objectContaining({
        code: 'PL_CERT_EXPIRED',
        message: expect.stringContaining(`uplink.cert: ${thing.cert} expired`),
      }),
    )
    expect(() => checkIotStart({ ...thing, ca: foreignCa }, ids, Date.now(), log.log)).toThrow(
      expect.objectContaining({
        code: 'PL_CERT_UNTRUSTED',
        message: expect.stringContaining(`not signed by the CA in ${foreignCa}`),
      }),
    )
    expect(() => checkIotStart({ ...thing, ca: thing.cert }, ids, Date.now(), log.log)).toThrow(
      expect.objectContaining({
        code: 'PL_CERT_UNTRUSTED',
        message: expect.stringContaining(`${thing.cert} is not a CA certificate`),
      }),
    )
    expect(checkIotStart(thing, ids, Date.now(), log.log).cert.toString()).toContain('BEGIN CERTIFICATE')
  })

  it("a CA that did not sign the endpoint's certificate: never connected, the error names the CA file", async () => {
    // aws-crt 1.28 either fails the handshake (PL_CERT_UNTRUSTED) or stalls in it: the attempt's deadline ends that.
    const { state } = connect(strangerCa, 2_000)
    await waitFor(() => state.errors.filter((e) => e.includes(`uplink.ca (${strangerCa})`)).length >= 2, {
      timeoutMs: 20_000,
      message: () => `errors: ${state.errors.join('; ')}`,
    })
    expect(state.link).toBeNull()
  }, 30_000)
})
