import net from 'node:net'
import { Writable } from 'node:stream'
import { Aedes } from 'aedes'
import mqtt, { type MqttClient } from 'mqtt'
import { decodeData, decodeStatus, encode } from '../shared/wire/codec.ts'
import { WIRE_VERSION, type Ack, type DataBatch, type Status } from '../shared/wire/messages.ts'
import { channelFilter, parseTopic, topic } from '../shared/wire/topics.ts'
import { createLogger, type Logger } from './log.ts'

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

export interface TestBrokerOptions {
  /** Accept or refuse a CONNECT by its credentials (default: accept everyone). */
  authenticate?: (username: string | undefined, password: string | undefined) => boolean
}

export async function startTestBroker(port = 0, options: TestBrokerOptions = {}): Promise<TestBroker> {
  const check = options.authenticate
  const broker = await Aedes.createBroker(
    check ? { authenticate: (_client, username, password, done) => done(null, check(username, password?.toString('utf8'))) } : {},
  )
  const server = net.createServer(broker.handle)
  const sockets = new Set<net.Socket>()
  const byClient = new Map<string, net.Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  broker.on('client', (client) => byClient.set(client.id, client.conn as unknown as net.Socket))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const actual = (server.address() as net.AddressInfo).port
  return {
    port: actual,
    url: `mqtt://127.0.0.1:${actual}`,
    dropClient(clientId) {
      const socket = byClient.get(clientId)
      if (!socket || socket.destroyed) return false
      socket.destroy()
      return true
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await new Promise<void>((resolve) => broker.close(() => resolve()))
    },
  }
}

export interface FakeCloud {
  /** Every data batch received, in arrival order (resends included). */
  batches: DataBatch[]
  /** Every status message received (retained replays included). */
  statuses: Status[]
  /** While true, data is received but neither stored nor acked (a cloud that lost it). */
  ignoring: boolean
  /** The contiguous mark acked last. */
  through(): number
  connected(): boolean
  stop(): Promise<void>
}

export async function startFakeCloud(url: string): Promise<FakeCloud> {
  const stored = new Set<number>()
  let mark = 0
  const client: MqttClient = mqtt.connect(url, { clientId: `fake-cloud-${process.pid}-${Math.random().toString(16).slice(2)}`, protocolVersion: 4, reconnectPeriod: 100, clean: true })
  let subscribed: () => void = () => {}
  const ready = new Promise<void>((resolve) => (subscribed = resolve))
  client.on('connect', () => client.subscribe({ [channelFilter('data')]: { qos: 1 }, [channelFilter('status')]: { qos: 1 } }, () => subscribed()))
  client.on('error', () => {}) // reconnects by itself (the broker is restarted on purpose)
  const cloud: FakeCloud = {
    batches: [],
    statuses: [],
    ignoring: false,
    through: () => mark,
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
    if (cloud.ignoring) return
    stored.add(decoded.value.seq)
    mark = Math.max(mark, decoded.value.floor - 1)
    while (stored.has(mark + 1)) mark++
    const ack: Ack = { v: WIRE_VERSION, edge: address.edge, through: mark, ts: Date.now() }
    client.publish(topic(address.site, address.edge, 'ack'), encode(ack), { qos: 1, retain: true })
  })
  await ready
  return cloud
}

/** A logger whose JSON lines the test can read. */
export function captureLogger(level: 'debug' | 'info' = 'debug'): { log: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'))
      cb()
    },
  })
  return {
    log: createLogger('edge-test', level, destination),
    lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => chunks.join(''),
  }
}
