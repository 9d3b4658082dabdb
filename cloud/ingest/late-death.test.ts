import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encode } from '../../shared/wire/codec.ts'
import { topic } from '../../shared/wire/topics.ts'
import { birth, death } from '../../edge/uplink/status.ts'
import { startTestBroker, type TestBroker } from '../../test/util/edge-support.ts'
import { captureLogger, openOwnership, tempStore } from '../../test/cloud/helpers.ts'
import { systemClock } from '../../shared/clock.ts'
import { waitFor } from '../../test/util/wait.ts'
import { createMetrics } from '../metrics.ts'
import { AckTracker } from './ack-tracker.ts'
import { startMqttIngest, type Ingest } from './mqtt/mqtt-ingest.ts'

/**
 * Late death on a real broker: an edge restarts while its old TCP connection is still half
 * open; the broker publishes the old session's last will only later (keepalive expiry), after
 * the new session's birth. The cloud must not mark the new session offline.
 */
const EDGE = 'shilian-01'
const STATUS = topic('huaian', EDGE, 'status')
const outbox = {
  samples: 0,
  batches: 0,
  bytes: 0,
  oldestTs: null,
  evicted: 0,
  lastSeq: 0,
  ackedThrough: 0,
  id: 'outbox-late0000',
}

describe('late death (real broker, real ingest)', () => {
  let broker: TestBroker
  let env: Awaited<ReturnType<typeof tempStore>>
  let ingest: Ingest
  let clients: MqttClient[]
  let metrics: ReturnType<typeof createMetrics>

  /** An edge session as the uplink connects it: last will = death of this session, then a retained birth. */
  async function session(id: string, clientId: string) {
    const who = { site: 'huaian', edge: EDGE, session: id }
    const c = mqtt.connect(broker.url, {
      clientId,
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: STATUS, payload: encode(death(who)), qos: 1, retain: true },
    })
    clients.push(c)
    c.on('error', () => {})
    await new Promise<void>((resolve) => c.once('connect', () => resolve()))
    await c.publishAsync(STATUS, encode(birth(who, Date.now(), 'cfg', [], outbox)), { qos: 1, retain: true })
    return c
  }
  const edgeRow = async () => (await env.store.listEdges()).find((e) => e.id === EDGE)

  beforeEach(async () => {
    broker = await startTestBroker()
    env = await tempStore()
    clients = []
    metrics = createMetrics(Date.now())
    ingest = startMqttIngest({
      url: broker.url,
      clientId: 'cloud-late-death',
      reconnectPeriodMs: 100,
      keepaliveS: 30,
      store: env.store,
      tracker: new AckTracker(),
      clock: systemClock,
      metrics,
      log: captureLogger().log,
      ownership: openOwnership(env.store),
    })
    await waitFor(() => metrics.mqtt.connected, { message: 'ingest never subscribed' })
  })
  afterEach(async () => {
    for (const c of clients) c.end(true)
    await ingest.stop()
    await broker.close()
    await env.dispose()
  })

  it("the old session's will, published after the new birth, leaves the new session online; its own will takes it offline", async () => {
    await session('s-old', 'edge-conn-1')
    await waitFor(async () => (await edgeRow())?.session === 's-old')
    await session('s-new', 'edge-conn-2')
    await waitFor(async () => (await edgeRow())?.session === 's-new')

    const statusesBefore = metrics.ingest.statuses
    expect(broker.dropClient('edge-conn-1')).toBe(true) // the broker now publishes s-old's will
    await waitFor(() => metrics.ingest.statuses > statusesBefore, { message: 'the old will never reached the cloud' })
    expect(await edgeRow()).toMatchObject({ session: 's-new', online: true })

    expect(broker.dropClient('edge-conn-2')).toBe(true)
    await waitFor(async () => (await edgeRow())?.online === false, {
      message: "the new session's own will did not take it offline",
    })
    expect(await edgeRow()).toMatchObject({ session: 's-new', online: false })
  })
})
