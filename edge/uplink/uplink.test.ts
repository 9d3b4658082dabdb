import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeStatus } from '../../shared/wire/codec.ts'
import { topic } from '../../shared/wire/topics.ts'
import { captureLogger } from '../../test/util/edge-support.ts'
import type { Outbox } from '../outbox/outbox.ts'
import { openSqliteOutbox } from '../outbox/sqlite-outbox.ts'
import type {
  LastWill,
  PublishOptions,
  SubscribeFailure,
  UplinkLink,
  UplinkTransport,
  UplinkTransportEvents,
} from './transport.ts'
import { startUplink, type Uplink } from './uplink.ts'

/**
 * The uplink against its transport CONTRACT (transport.ts), with a scripted in-memory transport:
 * what any implementation (mqtt.js today, AWS IoT Core next) is asked to do, and nothing more.
 * The behaviour on a real broker is mqtt/mqtt-uplink.test.ts.
 */
const STATUS = topic('park', 'e1', 'status')

interface Published {
  topic: string
  payload: Buffer
  options: PublishOptions
}

function scriptedTransport(refuse: readonly string[] = []) {
  const published: Published[] = []
  const subscribed: string[] = []
  const calls: string[] = []
  let will: LastWill | null = null
  let events: UplinkTransportEvents | null = null
  let link: UplinkLink | null = null
  const newLink = (): UplinkLink => ({
    publish: (t, payload, options, done) => {
      published.push({ topic: t, payload, options })
      done?.()
    },
    subscribe: (filter, _qos, done: (f: SubscribeFailure | null) => void) => {
      subscribed.push(filter)
      done(refuse.includes(filter) ? { refused: true } : null)
    },
    disconnect: (done) => {
      calls.push('disconnect')
      done()
    },
    destroy: () => void calls.push('destroy'),
  })
  const transport: UplinkTransport = {
    endpoint: 'memory://broker',
    clientId: 'e1',
    connect(w, e) {
      will = w
      events = e
    },
    current: () => link,
    reconnect: (l) => void calls.push(l === link ? 'reconnect' : 'reconnect-stale'),
    close() {
      calls.push('close')
      return link
    },
  }
  return {
    transport,
    published,
    subscribed,
    calls,
    will: () => will,
    up() {
      link = newLink()
      events!.onConnect(link)
      return link
    },
  }
}

describe('uplink over its transport interface', () => {
  let dir: string
  let outbox: Outbox
  let uplink: Uplink | null = null
  const logs = captureLogger()

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-uplink-'))
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db') })
  })
  afterEach(async () => {
    await uplink?.stop()
    uplink = null
    outbox.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const start = (transport: UplinkTransport) => {
    uplink = startUplink(
      {
        site: 'park',
        edge: 'e1',
        session: 's1',
        configHash: 'cafe',
        points: [],
        drivers: () => [],
        outbox,
        maxInflight: 4,
        ackTimeoutMs: 60_000,
        heartbeatMs: 60_000,
        log: logs.log,
      },
      transport,
    )
    return uplink
  }

  it('hands the transport a retained death as its will, subscribes on connect and announces a retained birth', () => {
    const t = scriptedTransport()
    start(t.transport)
    const will = t.will()!
    expect(will).toMatchObject({ topic: STATUS, qos: 1, retain: true })
    const death = decodeStatus(typeof will.payload === 'function' ? will.payload() : will.payload)
    expect(death.ok && death.value).toMatchObject({ kind: 'death', session: 's1' })
    expect(death.ok && 'ts' in death.value).toBe(false)

    t.up()
    expect(t.subscribed.sort()).toEqual([topic('park', 'e1', 'ack'), topic('park', 'e1', 'cmd'), STATUS].sort())
    const birth = t.published.find((p) => p.topic === STATUS)!
    expect(birth.options).toEqual({ qos: 1, retain: true })
    const decoded = decodeStatus(birth.payload)
    expect(decoded.ok && decoded.value.kind).toBe('birth')
    expect(uplink!.state().connected).toBe(true)
  })

  it('a refused ack subscription is not a connection: no birth, and the transport is asked to reconnect', () => {
    const t = scriptedTransport([topic('park', 'e1', 'ack')])
    start(t.transport)
    t.up()
    expect(t.published).toEqual([])
    expect(t.calls).toContain('reconnect')
    expect(uplink!.state()).toMatchObject({ connected: false, lastError: expect.stringContaining('refused') })
  })

  it('stops with its own death (with ts), then a clean disconnect, then drops the link', async () => {
    const t = scriptedTransport()
    start(t.transport)
    t.up()
    await uplink!.stop()
    const last = t.published.at(-1)!
    const death = decodeStatus(last.payload)
    expect(last.topic).toBe(STATUS)
    expect(death.ok && death.value.kind === 'death' && typeof death.value.ts).toBe('number')
    expect(t.calls).toEqual(['close', 'disconnect', 'destroy'])
  })
})
