import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { eventSample, takeRequestedSnapshots } from '../../camera-events.ts'
import { DEFAULT_EVENT_MAPPINGS, OnvifDeviceConfig, priorityFor } from './config.ts'
import { mappingFor, parseNotifications, transitionOf } from './events.ts'
import { checkSnapshot } from './jpeg.ts'
import { openSnapshotStore } from './snapshot-store.ts'

/** The notification shape the onvif package leaves after parsing (prefixes stripped, linerased). */
const message = (topic: string, items: Record<string, unknown>, utc: unknown = new Date(Date.UTC(2026, 11, 2, 8))) => ({
  topic: { _: topic, $: { Dialect: 'http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet' } },
  message: {
    message: {
      $: { UtcTime: utc, PropertyOperation: 'Changed' },
      source: { simpleItem: { $: { Name: 'Rule', Value: 'Perimeter' } } },
      data: { simpleItem: Object.entries(items).map(([Name, Value]) => ({ $: { Name, Value } })) },
    },
  },
})

describe('ONVIF events (pure)', () => {
  it('parses one or several notification messages with their time and data items', () => {
    expect(
      parseNotifications({
        notificationMessage: message('tns1:RuleEngine/FieldDetector/ObjectsInside', { IsInside: true }),
      }),
    ).toEqual([
      { topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside', ts: Date.UTC(2026, 11, 2, 8), data: { IsInside: true } },
    ])
    const two = parseNotifications({
      notificationMessage: [
        message('tns1:VideoSource/MotionAlarm', { State: false }, '2026-12-02T08:00:01Z'),
        message('tns1:RuleEngine/LineDetector/Crossed', { ObjectId: 7 }, null),
      ],
    })
    expect(two.map((n) => [n.topic, n.ts])).toEqual([
      ['tns1:VideoSource/MotionAlarm', Date.UTC(2026, 11, 2, 8, 0, 1)],
      ['tns1:RuleEngine/LineDetector/Crossed', null],
    ])
    expect(parseNotifications({})).toEqual([])
    expect(parseNotifications(undefined)).toEqual([])
  })

  it('maps a topic (or a sub-topic) to a kind and provincial code; booleans raise and clear, others pulse', () => {
    expect(mappingFor('tns1:RuleEngine/FieldDetector/ObjectsInside', DEFAULT_EVENT_MAPPINGS)).toMatchObject({
      kind: 'intrusion',
      code: 'RYRQ',
    })
    expect(mappingFor('tns1:RuleEngine/LineDetector/Crossed/Zone2', DEFAULT_EVENT_MAPPINGS)).toMatchObject({
      code: 'RYYJ',
    })
    expect(mappingFor('tns1:RuleEngine/LineDetectorX', DEFAULT_EVENT_MAPPINGS)).toBeNull()
    expect(transitionOf({ topic: 't', ts: null, data: { IsInside: true } })).toBe('raise')
    expect(transitionOf({ topic: 't', ts: null, data: { State: 'false' } })).toBe('clear')
    expect(transitionOf({ topic: 't', ts: null, data: { ObjectId: 7 } })).toBe('pulse')
  })

  it('gives smoke and fire priority S (brief §5), intrusion A, others B unless configured', () => {
    expect(priorityFor({ topic: 'tns1:X/Y', kind: 'smoke', code: 'YW' })).toBe('S')
    expect(priorityFor({ topic: 'tns1:X/Y', kind: 'intrusion', code: 'RYRQ' })).toBe('A')
    expect(priorityFor({ topic: 'tns1:X/Y', kind: 'phone', code: 'DDH' })).toBe('B')
    expect(priorityFor({ topic: 'tns1:X/Y', kind: 'phone', code: 'DDH', priority: 'C' })).toBe('C')
    expect(
      OnvifDeviceConfig.safeParse({
        id: 'c',
        kind: 'onvif',
        host: 'h',
        username: 'u',
        passwordEnv: 'P',
        area: 'a',
        events: [{ topic: 'not a topic', kind: 'x', code: 'RYRQ' }],
      }).success,
    ).toBe(false)
  })

  it('the sample an event implies: online for a status change, the code (or "" when cleared) for analytics', () => {
    expect(eventSample({ id: 'x', camera: 'cam', ts: 5, type: 'status', online: false })).toEqual({
      point: 'cam.online',
      ts: 5,
      value: false,
      quality: 'good',
    })
    expect(
      eventSample({ id: 'x', camera: 'cam', ts: 5, type: 'raise', topic: 't', kind: 'k', code: 'HZ', priority: 'S' }),
    ).toMatchObject({ point: 'cam.event', value: 'HZ' })
    expect(
      eventSample({ id: 'x', camera: 'cam', ts: 5, type: 'clear', topic: 't', kind: 'k', code: 'HZ', priority: 'S' }),
    ).toMatchObject({ value: '' })
  })
})

describe('snapshots at the edge', () => {
  it('answers a request from the park for every named camera: a camera not on this edge says so', async () => {
    const request = {
      v: 1 as const,
      kind: 'snapshot' as const,
      id: '3f1c2a9e-0000-4000-8000-000000000002',
      edge: 'e1',
      alarm: 42,
      cameras: ['cam-elsewhere'],
      ts: 1,
    }
    const [e] = await takeRequestedSnapshots(request, [], () => 7)
    expect(e).toMatchObject({
      type: 'snapshot',
      camera: 'cam-elsewhere',
      alarm: 42,
      request: request.id,
      ts: 7,
      snapshotError: 'no camera "cam-elsewhere" on this edge',
    })
    expect(eventSample(e!)).toMatchObject({
      point: 'cam-elsewhere.snapshot',
      quality: 'bad',
      reason: 'snapshot:no camera "cam-elsewhere" on this edge',
    })
  })

  const jpeg = (n: number) =>
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(n), Buffer.from([0xff, 0xd9])])

  it('accepts a JPEG; refuses other types, missing markers, a truncated file and a too large one, saying which', () => {
    expect(checkSnapshot(jpeg(10), 'image/jpeg', 100)).toEqual({ ok: true })
    expect(checkSnapshot(jpeg(10), 'text/html; charset=utf-8', 100)).toEqual({
      ok: false,
      reason: 'snapshot is not a JPEG: content-type "text/html"',
    })
    expect(checkSnapshot(Buffer.from('GIF89a........'), 'image/jpeg', 100)).toMatchObject({
      reason: expect.stringMatching(/no SOI/),
    })
    expect(checkSnapshot(jpeg(10).subarray(0, 12), 'image/jpeg', 100)).toMatchObject({
      reason: expect.stringMatching(/truncated/),
    })
    expect(checkSnapshot(jpeg(200), 'image/jpeg', 100)).toMatchObject({
      reason: expect.stringMatching(/too large: 206 bytes > snapshot.maxBytes 100/),
    })
  })

  it('keeps at most keepBytes on disk, evicting the oldest, also across a restart', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parklink-snap-'))
    try {
      const store = openSnapshotStore(dir, 2_500)
      for (let i = 0; i < 5; i++) store.save(`id-${i}`, 1_000 + i, jpeg(994))
      expect(store.totalBytes()).toBe(2_000)
      expect(readdirSync(dir).sort()).toEqual(['000000000001003-id-3.jpg', '000000000001004-id-4.jpg'])
      const reopened = openSnapshotStore(dir, 2_500)
      reopened.save('id-5', 1_005, jpeg(994))
      expect(reopened.files()).toEqual(['000000000001004-id-4.jpg', '000000000001005-id-5.jpg'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
