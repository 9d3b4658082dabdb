import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../shared/clock.ts'
import { waitFor } from '../../test/util/wait.ts'
import type { Outbox } from '../outbox/outbox.ts'
import { openSqliteOutbox } from '../outbox/sqlite-outbox.ts'
import {
  captureLogger,
  startFakeCloud,
  startTestBroker,
  type FakeCloud,
  type TestBroker,
} from '../../test/util/edge-support.ts'
import { startMqttUplink, type Uplink } from './mqtt/mqtt-uplink.ts'

/** Backlog replay is marked: a batch written longer ago than historicalAfterMs goes out `historical`. */
describe('historical marking on a real broker', () => {
  let dir: string
  let broker: TestBroker
  let cloud: FakeCloud
  let outbox: Outbox
  let uplink: Uplink
  let writtenAt: number

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-historical-'))
    broker = await startTestBroker()
    cloud = await startFakeCloud(broker.url)
    writtenAt = Date.now() - 3_600_000
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db'), clock: { ...systemClock, now: () => writtenAt } })
  })
  afterEach(async () => {
    await uplink.stop()
    await cloud.stop()
    await broker.close()
    outbox.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('marks the batches of an outage historical and live ones not', async () => {
    const sample = (i: number) => ({ point: 'e1.level', ts: writtenAt + i, value: i, quality: 'good' as const })
    outbox.append([sample(1)]) // written an hour ago, during the outage
    writtenAt = Date.now()
    outbox.append([sample(2)]) // written now
    uplink = startMqttUplink({
      url: broker.url,
      clientId: 'edge-historical',
      site: 'park',
      edge: 'e1',
      session: 's-1',
      configHash: 'c',
      points: [],
      drivers: () => [],
      outbox,
      maxInflight: 4,
      ackTimeoutMs: 5_000,
      heartbeatMs: 60_000,
      reconnectMinMs: 50,
      reconnectMaxMs: 200,
      historicalAfterMs: 60_000,
      log: captureLogger().log,
    })
    await waitFor(() => cloud.through() === 2, { message: 'not delivered' })
    expect(cloud.batches.map((b) => [b.seq, b.historical ?? false])).toEqual([
      [1, true],
      [2, false],
    ])
  })
})
