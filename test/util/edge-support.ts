import { AckTracker } from '../../cloud/ingest/ack-tracker.ts'
import type net from 'node:net'
import { Writable } from 'node:stream'
import { startEmbeddedBroker, type EmbeddedBrokerOptions } from '../../deploy/demo/broker.ts'
import mqtt, { type MqttClient } from 'mqtt'
import { decodeData, decodeStatus, encode } from '../../shared/wire/codec.ts'
import { WIRE_VERSION, type Ack, type DataBatch, type Status } from '../../shared/wire/messages.ts'
import { channelFilter, parseTopic, topic } from '../../shared/wire/topics.ts'
import { createLogger, type Logger } from '../../edge/log.ts'

/**
 * Test helpers for the edge's tests (imported only by *.test.ts): a real in-process MQTT broker
 * and a minimal cloud that acks like the real one (highest contiguous seq, honouring floor).
 */

export interface TestBroker {
  port: number
  url: string
  /** Drops one client's TCP connection without an MQTT DISCONNECT, as a failing network does. */
  dropClient(clientId: string): boolean
  /** Closes everything; the port may be reused by `startTestBroker(port)`. Retained messages are lost. */
  close(): Promise<void>
}

export type TestBrokerOptions = EmbeddedBrokerOptions

/** The embedded broker, plus a way to cut one client's connection. */
export async function startTestBroker(port = 0, options: TestBrokerOptions = {}): Promise<TestBroker> {
  const broker = await startEmbeddedBroker(port, options)
  const byClient = new Map<string, net.Socket>()
  broker.aedes.on('client', (client) => byClient.set(client.id, client.conn as unknown as net.Socket))
  return {
    port: broker.port,
    url: broker.url,
    dropClient(clientId) {
      const socket = byClient.get(clientId)
      if (!socket || socket.destroyed) return false
      socket.destroy()
      return true
    },
    close: () => broker.close(),
  }
}

export interface FakeCloud {
  /** Every data batch received, in arrival order (resends included). */
  batches: DataBatch[]
  /** Every status message received (retained replays included). */
  statuses: Status[]
  /** While true, data is received but neither stored nor acked (a cloud that lost it). */
  ignoring: boolean
  /** Seqs for which this returns true are received but not stored (a cloud slow on the backlog). */
  holding: (seq: number) => boolean
  /** The contiguous mark acked last. */
  through(): number
  connected(): boolean
  stop(): Promise<void>
}

export async function startFakeCloud(url: string): Promise<FakeCloud> {
  // The cloud's own mark keeping (contiguous mark + selective ranges), not a copy of it.
  const tracker = new AckTracker()
  const client: MqttClient = mqtt.connect(url, {
    clientId: `fake-cloud-${process.pid}-${Math.random().toString(16).slice(2)}`,
    protocolVersion: 4,
    reconnectPeriod: 100,
    clean: true,
  })
  let subscribed: () => void = () => {}
  const ready = new Promise<void>((resolve) => (subscribed = resolve))
  client.on('connect', () =>
    client.subscribe({ [channelFilter('data')]: { qos: 1 }, [channelFilter('status')]: { qos: 1 } }, () =>
      subscribed(),
    ),
  )
  client.on('error', () => {}) // reconnects by itself (the broker is restarted on purpose)
  let edgeSeen = ''
  const cloud: FakeCloud = {
    batches: [],
    statuses: [],
    ignoring: false,
    holding: () => false,
    through: () => tracker.through(edgeSeen),
    connected: () => client.connected,
    stop: () => new Promise<void>((resolve) => client.end(true, {}, () => resolve())),
  }
  client.on('message', (name, payload) => {
    const address = parseTopic(name)
    if (!address) return
    if (address.channel === 'status') {
      const status = decodeStatus(payload)
      if (status.ok) cloud.statuses.push(status.value)
      return
    }
    const decoded = decodeData(payload)
    if (!decoded.ok) throw new Error(`fake cloud got an invalid batch: ${decoded.error}`)
    cloud.batches.push(decoded.value)
    if (cloud.ignoring || cloud.holding(decoded.value.seq)) return
    edgeSeen = address.edge
    const { seq, floor, outbox } = decoded.value
    const mark = tracker.record(address.edge, seq, floor, outbox)
    const stored = tracker.storedRanges(address.edge, 64, outbox)
    const ack: Ack = {
      v: WIRE_VERSION,
      edge: address.edge,
      outbox,
      through: mark,
      ...(stored.length > 0 ? { stored } : {}),
      ts: Date.now(),
    }
    client.publish(topic(address.site, address.edge, 'ack'), encode(ack), { qos: 1, retain: true })
  })
  await ready
  return cloud
}

/** A logger whose JSON lines the test can read. */
export function captureLogger(level: 'debug' | 'info' = 'debug'): {
  log: Logger
  lines: () => Array<Record<string, unknown>>
  text: () => string
} {
  const chunks: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'))
      cb()
    },
  })
  return {
    log: createLogger('edge-test', level, destination),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => chunks.join(''),
  }
}
