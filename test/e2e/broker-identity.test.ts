import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbeddedBroker, type EmbeddedBroker } from '../../deploy/demo/broker.ts'
import { createDemoLogins, DEMO_CLOUD_USER, DEMO_MQTT_PASSWORD_ENV } from '../../deploy/demo/logins.ts'
import { DEFAULT_CLOUD_USER, edgeUser } from '../../shared/wire/acl.ts'
import { topic } from '../../shared/wire/topics.ts'
import { stopAll } from '../util/child.ts'
import { startShippedMosquitto, type ShippedMosquitto } from '../util/shipped-mosquitto.ts'
import { waitFor } from '../util/wait.ts'

/**
 * Broker identity (issues 13, 20): on the shipped Mosquitto configuration (client certificates
 * from `parklink pki`), its password fallback and the demo's aedes, an edge writes only its own topics, cannot take over another's session by its client id, cannot
 * read another edge's acks and commands, and nobody gets in without a login. Mosquitto drops an
 * unauthorized publish silently (a QoS 1 one is still PUBACKed on 3.1.1), so "nothing arrived" is
 * shown by a later allowed message from the same sender arriving alone (a broker keeps one
 * sender's order towards a subscriber): no sleeps.
 */
const SITE = 'huaian-park'
const A = { site: SITE, edge: 'edge-a' }
const B = { site: SITE, edge: 'edge-b' }

interface BrokerUnderTest {
  url: string
  tls: IClientOptions
  login: { cloud: Login; a: Login; b: Login }
  /** Logins the broker must refuse, and how it says so. */
  strangers: Array<{ why: string; options: IClientOptions; error: RegExp }>
  dispose(): Promise<void>
}
/** An identity (its broker user name) and what its client sends to be it: a password or a certificate. */
interface Login {
  username: string
  options: IClientOptions
}

const clients: MqttClient[] = []
async function connect(
  broker: BrokerUnderTest,
  login: Login | null,
  clientId?: string,
  clean = true,
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, {
    ...broker.tls,
    protocolVersion: 4,
    reconnectPeriod: 0,
    clean,
    connectTimeout: 10_000,
    clientId: clientId ?? login?.username ?? `anonymous-${Math.random().toString(16).slice(2)}`,
    ...login?.options,
  })
  clients.push(client)
  return client
}
const closed = (c: MqttClient) =>
  new Promise<'closed'>((resolve) => (c.connected ? c.once('close', () => resolve('closed')) : resolve('closed')))

/** Messages a client receives, in order. */
function inbox(c: MqttClient): Array<{ topic: string; payload: string }> {
  const got: Array<{ topic: string; payload: string }> = []
  c.on('message', (t, p) => got.push({ topic: t, payload: p.toString('utf8') }))
  return got
}

function scenarios(name: string, start: () => Promise<BrokerUnderTest>, refusesSubscription: boolean) {
  describe(`broker identity on ${name}`, () => {
    let broker: BrokerUnderTest
    beforeAll(async () => {
      broker = await start()
    }, 30_000)
    afterAll(async () => {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)))
      await broker?.dispose()
      await stopAll()
    })

    it('refuses a client without a valid login', async () => {
      for (const s of broker.strangers)
        await expect(connect(broker, { username: `stranger-${s.why}`, options: s.options }), s.why).rejects.toThrow(
          s.error,
        )
    })

    it('keeps an edge from publishing as another edge, under another site, or as the cloud', async () => {
      const cloud = await connect(broker, broker.login.cloud)
      await cloud.subscribeAsync({
        'parklink/v1/+/+/data': { qos: 1 },
        'parklink/v1/+/+/status': { qos: 1 },
        'parklink/v1/+/+/resp': { qos: 1 },
      })
      const b = await connect(broker, broker.login.b)
      await b.subscribeAsync({ [topic(SITE, B.edge, 'ack')]: { qos: 1 }, [topic(SITE, B.edge, 'cmd')]: { qos: 1 } })
      const atCloud = inbox(cloud)
      const atB = inbox(b)

      const a = await connect(broker, broker.login.a)
      const forged = [
        topic(SITE, B.edge, 'data'), // a batch in B's name (seqs ahead of B's)
        topic(SITE, B.edge, 'status'), // B's death
        topic('other-park', A.edge, 'data'), // its own edge id under another site
        topic(SITE, B.edge, 'resp'),
        topic(SITE, B.edge, 'ack'), // an ack that would make B delete its outbox
        topic(SITE, B.edge, 'cmd'),
        topic(SITE, A.edge, 'ack'), // acks and commands are the cloud's to write
      ]
      const marker = topic(SITE, A.edge, 'data')
      for (const t of forged) a.publish(t, 'forged', { qos: 1, retain: t.endsWith('/status') })
      const markerSent = a.publishAsync(marker, 'marker', { qos: 1 }).then(
        () => 'sent' as const,
        () => 'closed' as const,
      )
      // Mosquitto PUBACKs and drops; the demo broker closes the connection at the first refusal.
      if ((await Promise.race([markerSent, closed(a)])) === 'closed')
        await (await connect(broker, broker.login.a)).publishAsync(marker, 'marker', { qos: 1 })
      await waitFor(() => atCloud.some((m) => m.payload === 'marker'), {
        message: 'the marker from A never reached the cloud',
      })
      expect(atCloud.filter((m) => m.payload === 'forged')).toEqual([])
      // What A tried on B's ack and cmd: B sees only the cloud's command sent after it.
      await cloud.publishAsync(topic(SITE, B.edge, 'cmd'), 'cloud-marker', { qos: 1 })
      await waitFor(() => atB.some((m) => m.payload === 'cloud-marker'), {
        message: 'the cloud command never reached B',
      })
      expect(atB.filter((m) => m.payload === 'forged')).toEqual([])
      // Nothing retained in B's name either: a new subscriber gets no forged status.
      const late = await connect(broker, broker.login.cloud)
      const atLate = inbox(late)
      await late.subscribeAsync({ [topic(SITE, B.edge, 'status')]: { qos: 1 } })
      await b.publishAsync(topic(SITE, B.edge, 'status'), 'b-marker', { qos: 1 })
      await waitFor(() => atLate.some((m) => m.payload === 'b-marker'))
      expect(atLate.filter((m) => m.payload === 'forged')).toEqual([])
      await Promise.all([cloud, b, late].map((c) => c.endAsync()))
    })

    it('does not let an edge displace another by its client id: B stays connected while A tries', async () => {
      const b = await connect(broker, broker.login.b)
      let bCloses = 0
      b.on('close', () => bCloses++)
      for (let i = 0; i < 3; i++) {
        // Mosquitto takes A's user name as the client id; the demo broker refuses the CONNECT.
        const tried = await connect(broker, broker.login.a, broker.login.b.username).then(
          (c) => c,
          (err: Error) => err,
        )
        if (tried instanceof Error) expect(tried.message).toMatch(/identifier rejected/i)
        else await tried.endAsync()
      }
      // B still has its session: a QoS 1 round trip completes on the same connection.
      const roundTrip = b
        .publishAsync(topic(SITE, B.edge, 'data'), 'still-here', { qos: 1 })
        .then(() => 'acked' as const)
      expect(await Promise.race([roundTrip, closed(b)])).toBe('acked')
      expect(bCloses).toBe(0)
      await b.endAsync()
    })

    it("keeps the cloud's persistent session, under its user name, across its restarts", async () => {
      const first = await connect(broker, broker.login.cloud, undefined, false)
      await first.subscribeAsync({ [topic(SITE, B.edge, 'data')]: { qos: 1 } })
      await first.endAsync()
      const b = await connect(broker, broker.login.b)
      await b.publishAsync(topic(SITE, B.edge, 'data'), 'while-the-cloud-was-away', { qos: 1 })
      // Back under the same user: the session (its subscription and the message queued meanwhile) is there.
      const next = mqtt.connect(broker.url, {
        ...broker.tls,
        protocolVersion: 4,
        reconnectPeriod: 0,
        clean: false,
        clientId: broker.login.cloud.username,
        ...broker.login.cloud.options,
        manualConnect: true,
      })
      clients.push(next)
      const got = inbox(next)
      const connack = new Promise<boolean>((resolve) => next.once('connect', (p) => resolve(p.sessionPresent)))
      next.connect()
      expect(await connack).toBe(true)
      await waitFor(() => got.some((m) => m.payload === 'while-the-cloud-was-away'), {
        message: 'the queued message never came',
      })
      await Promise.all([b, next].map((c) => c.endAsync()))
    })

    it("does not let an edge subscribe to another edge's ack or cmd, nor by wildcard", async () => {
      const a = await connect(broker, broker.login.a)
      const atA = inbox(a)
      const filters = [
        topic(SITE, B.edge, 'ack'),
        topic(SITE, B.edge, 'cmd'),
        `parklink/v1/${SITE}/+/ack`,
        'parklink/v1/+/+/cmd',
        '#',
      ]
      // mqtt.js rejects a SUBACK whose every code is 0x80 (failure); the codes are on the error's packet.
      const granted = await a.subscribeAsync(Object.fromEntries(filters.map((f) => [f, { qos: 1 as const }]))).then(
        (g) => g.map((x) => x.qos),
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted ?? [],
      )
      // Mosquitto 2.0 grants a denied subscription on 3.1.1 and delivers nothing on it; aedes answers 0x80.
      if (refusesSubscription) expect(granted).toEqual(filters.map(() => 128))
      await a.subscribeAsync({ [topic(SITE, A.edge, 'cmd')]: { qos: 1 } })
      const cloud = await connect(broker, broker.login.cloud)
      await cloud.publishAsync(topic(SITE, B.edge, 'ack'), 'for-b', { qos: 1, retain: true })
      await cloud.publishAsync(topic(SITE, B.edge, 'cmd'), 'for-b', { qos: 1 })
      await cloud.publishAsync(topic(SITE, A.edge, 'cmd'), 'for-a', { qos: 1 })
      await waitFor(() => atA.some((m) => m.payload === 'for-a'), { message: 'A never got its own command' })
      expect(atA.map((m) => m.payload)).toEqual(['for-a'])
      await Promise.all([a, cloud].map((c) => c.endAsync()))
    })
  })
}

const password = () => Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2)
const byPassword = (username: string, pw = password()): Login => ({ username, options: { username, password: pw } })
const passwordStrangers = (user: string) => [
  { why: 'anonymous', options: {}, error: /not authori[sz]ed/i },
  {
    why: 'wrong password',
    options: { username: user, password: 'not-the-password' },
    error: /bad user ?name or password|not authori[sz]ed/i,
  },
]

scenarios(
  'the shipped Mosquitto configuration (client certificates)',
  async () => {
    const m: ShippedMosquitto = await startShippedMosquitto()
    const enrolled = (kind: 'edge' | 'cloud', name: string): Login => {
      const { cert, key } = m.enrol(kind, name)
      return { username: name, options: { cert, key } }
    }
    const login = {
      cloud: enrolled('cloud', DEFAULT_CLOUD_USER),
      a: enrolled('edge', edgeUser(A.site, A.edge)),
      b: enrolled('edge', edgeUser(B.site, B.edge)),
    }
    // The same names from another CA: a park's CA is the only one the broker trusts.
    const foreign = await startShippedMosquitto()
    const forged = foreign.enrol('edge', edgeUser(A.site, A.edge))
    await foreign.dispose()
    const strangers = [
      {
        why: 'no certificate',
        options: {},
        error: /certificate required|handshake failure|socket hang up|ECONNRESET/i,
      },
      {
        why: 'a password, no certificate',
        options: { username: login.a.username, password: password() },
        error: /certificate required|handshake failure|socket hang up|ECONNRESET/i,
      },
      {
        why: 'another CA',
        options: { cert: forged.cert, key: forged.key },
        error: /unknown ca|certificate verify failed|socket hang up|ECONNRESET/i,
      },
    ]
    return { url: m.url, tls: { ca: m.ca }, login, strangers, dispose: () => m.dispose() }
  },
  false,
)

scenarios(
  'the shipped password fallback (parklink-passwords.conf)',
  async () => {
    const login = {
      cloud: byPassword(DEFAULT_CLOUD_USER),
      a: byPassword(edgeUser(A.site, A.edge)),
      b: byPassword(edgeUser(B.site, B.edge)),
    }
    const m: ShippedMosquitto = await startShippedMosquitto({
      passwords: Object.fromEntries(Object.values(login).map((l) => [l.username, l.options.password as string])),
    })
    return {
      url: m.url,
      tls: { ca: m.ca },
      login,
      strangers: passwordStrangers(login.b.username),
      dispose: () => m.dispose(),
    }
  },
  false,
)

scenarios(
  "the demo's embedded broker",
  async () => {
    const logins = createDemoLogins(SITE, [A.edge, B.edge])
    const broker: EmbeddedBroker = await startEmbeddedBroker(0, { access: logins.access })
    const as = (l: { username: string; passwordEnv: string }) =>
      byPassword(l.username, logins.env(l)[DEMO_MQTT_PASSWORD_ENV]!)
    const login = { cloud: as(logins.cloud), a: as(logins.edge(SITE, A.edge)), b: as(logins.edge(SITE, B.edge)) }
    expect(login.cloud.username).toBe(DEMO_CLOUD_USER)
    return {
      url: broker.url,
      tls: {},
      login,
      strangers: passwordStrangers(login.b.username),
      dispose: () => broker.close(),
    }
  },
  true,
)
