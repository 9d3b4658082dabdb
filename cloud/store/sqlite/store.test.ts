import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { LEVEL, NH3, OUTBOX, PRESSURE, T0, batch, good, registry, tempStore } from '../../../test/cloud/helpers.ts'
import type { Store } from '../store.ts'

let ctx: Awaited<ReturnType<typeof tempStore>>
let store: Store
const meta = { site: 'huaian', receivedAt: T0 }

beforeEach(async () => {
  ctx = await tempStore()
  store = ctx.store
})
afterEach(async () => ctx.dispose())

const alarmRows = async () =>
  (await store.listAlarms({ scope: 'all', state: 'all', limit: 100 })).map((a) => [
    a.kind,
    a.priority,
    a.state,
    a.raisedAt,
    a.value,
    a.limit,
    a.recoveredAt,
    a.recoveredValue,
  ])

describe('sqlite store: batches', () => {
  it('stores a batch once: the same (edge, outbox, seq) again is a duplicate, with other content a conflict; neither writes anything', async () => {
    const b = batch(1, [good(LEVEL, T0, 5), good(NH3, T0, 3)])
    expect(await store.ingestBatch(b, meta)).toMatchObject({ duplicate: false, samples: 2 })
    const conflict = await store.ingestBatch({ ...b, samples: [good(LEVEL, T0 + 1, 11)] }, meta)
    expect(conflict).toMatchObject({
      duplicate: false,
      samples: 0,
      conflict: { storedHash: expect.stringMatching(/^[0-9a-f]{64}$/), hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    })
    expect(conflict.conflict!.storedHash).not.toBe(conflict.conflict!.hash)
    // What a resend legitimately changes (session, floor, historical, carried gaps) is no conflict.
    expect(await store.ingestBatch({ ...b, session: 's-2', floor: 1, historical: true }, meta)).toMatchObject({
      duplicate: true,
      samples: 0,
    })
    expect((await store.ingestBatch(b, meta)).conflict).toBeUndefined()
    expect(await store.history(LEVEL, { from: 0, to: T0 + 10, limit: 10 }, 'all')).toEqual([
      { ts: T0, value: 5, quality: 'good' },
    ])
    expect(await store.listAlarms({ scope: 'all', state: 'all', limit: 10 })).toEqual([])
    // The same seq from another edge, or from another outbox of the edge, is another batch.
    expect(await store.ingestBatch(batch(1, [good(LEVEL, T0 + 5, 6)], { edge: 'shilian-02' }), meta)).toMatchObject({
      duplicate: false,
    })
    expect(
      await store.ingestBatch(batch(1, [good(LEVEL, T0 + 6, 6)], { outbox: 'outbox-2nd00000' }), meta),
    ).toMatchObject({ duplicate: false })
  })

  it('keeps the latest value only when a sample is newer than the stored one', async () => {
    await store.ingestBatch(batch(1, [good(LEVEL, T0 + 2000, 7), good(LEVEL, T0 + 1000, 6)]), meta)
    expect((await store.getPoint(LEVEL, 'all'))?.latest).toEqual({ ts: T0 + 2000, value: 7, quality: 'good' })
    await store.ingestBatch(batch(2, [good(LEVEL, T0 + 1500, 1)]), meta)
    expect((await store.getPoint(LEVEL, 'all'))?.latest).toEqual({ ts: T0 + 2000, value: 7, quality: 'good' })
    await store.ingestBatch(
      batch(3, [{ point: LEVEL, ts: T0 + 3000, value: null, quality: 'bad', reason: 'timeout' }]),
      meta,
    )
    expect((await store.getPoint(LEVEL, 'all'))?.latest).toEqual({
      ts: T0 + 3000,
      value: null,
      quality: 'bad',
      reason: 'timeout',
    })
  })

  it('round-trips every value type through history', async () => {
    const values = [3.25, -0, 0, true, false, 'running', 'true', '', null]
    await store.ingestBatch(
      batch(
        1,
        values.map((v, i) => good('x.mixed', T0 + i, v)),
      ),
      meta,
    )
    expect((await store.history('x.mixed', { from: T0, to: T0 + 100, limit: 100 }, 'all')).map((s) => s.value)).toEqual(
      [3.25, 0, 0, true, false, 'running', 'true', '', null],
    )
  })

  it('creates unknown points from data, owned by the sending edge, without registry fields', async () => {
    await store.ingestBatch(batch(1, [good('shilian.new.tag', T0, 1)]), meta)
    expect(await store.getPoint('shilian.new.tag', 'all')).toMatchObject({
      edge: 'shilian-01',
      enterprise: null,
      class: null,
      limits: null,
      registered: false,
    })
  })

  it('history is ascending, bounded by from/to inclusive and by limit', async () => {
    await store.ingestBatch(
      batch(
        1,
        [30, 10, 20, 40].map((d) => good(LEVEL, T0 + d, d)),
      ),
      meta,
    )
    expect(
      (await store.history(LEVEL, { from: T0 + 10, to: T0 + 30, limit: 10 }, 'all')).map((s) => s.ts - T0),
    ).toEqual([10, 20, 30])
    expect((await store.history(LEVEL, { from: T0, to: T0 + 100, limit: 2 }, 'all')).map((s) => s.ts - T0)).toEqual([
      10, 20,
    ])
  })

  it('rebuilds ack state from the store', async () => {
    for (const seq of [1, 2, 4]) await store.ingestBatch(batch(seq, [good(LEVEL, T0 + seq, 5)]), meta)
    await store.setAckedThrough('shilian-01', 2, OUTBOX)
    await store.setAckedThrough('shilian-01', 1, OUTBOX) // never lowers
    expect(await store.loadAckStates()).toEqual([
      { edge: 'shilian-01', outbox: OUTBOX, current: true, ackedThrough: 2, above: [{ seq: 4, floor: 1 }] },
    ])
  })
})

describe('sqlite store: alarms', () => {
  it('raises H then HH into rows with priorities, and recovers both onto the same rows', async () => {
    await store.ingestBatch(batch(1, [good(LEVEL, T0 + 1, 9.0)]), meta)
    expect(await store.ingestBatch(batch(2, [good(LEVEL, T0 + 2, 9.7)]), meta)).toMatchObject({ raised: 1 })
    expect(await store.ingestBatch(batch(3, [good(LEVEL, T0 + 3, 10.8)]), meta)).toMatchObject({ raised: 1 })
    expect(await alarmRows()).toEqual([
      ['HH', 'S', 'active', T0 + 3, 10.8, 10.5, null, null],
      ['H', 'A', 'active', T0 + 2, 9.7, 9.5, null, null],
    ])
    expect(await store.ingestBatch(batch(4, [good(LEVEL, T0 + 4, 9.2)]), meta)).toMatchObject({ recovered: 2 })
    expect(await alarmRows()).toEqual([
      ['HH', 'S', 'recovered', T0 + 3, 10.8, 10.5, T0 + 4, 9.2],
      ['H', 'A', 'recovered', T0 + 2, 9.7, 9.5, T0 + 4, 9.2],
    ])
    const [hh] = await store.listAlarms({ scope: 'all', state: 'all', limit: 1 })
    expect(hh).toMatchObject({ point: LEVEL, pointName: '液氨储罐TK-101液位', enterprise: 'shilian' })
  })

  it('honours the deadband: a value just under the limit does not recover', async () => {
    await store.ingestBatch(batch(1, [good(PRESSURE, T0 + 1, 0.9)]), meta)
    await store.ingestBatch(batch(2, [good(PRESSURE, T0 + 2, 0.845)]), meta) // above 0.85 − 0.01
    expect((await store.listAlarms({ scope: 'all', state: 'active', limit: 10 })).map((a) => a.kind)).toEqual(['H'])
    await store.ingestBatch(batch(3, [good(PRESSURE, T0 + 3, 0.8)]), meta)
    expect(await store.listAlarms({ scope: 'all', state: 'active', limit: 10 })).toEqual([])
  })

  it('keeps evaluation state across a restart (rule_state), so recovery still closes the alarm', async () => {
    await store.ingestBatch(batch(1, [good(NH3, T0 + 1, 25)]), meta)
    await store.close()
    const { openSqliteStore } = await import('./store.ts')
    const { createEvaluator } = await import('../../../shared/rules/evaluate.ts')
    const { createLogger } = await import('../../log.ts')
    store = openSqliteStore({ file: ctx.file, evaluate: createEvaluator(), log: createLogger({ level: 'silent' }) })
    ctx.store = store
    expect(await store.ingestBatch(batch(2, [good(NH3, T0 + 2, 26)]), meta)).toMatchObject({ raised: 0 })
    expect(await store.ingestBatch(batch(3, [good(NH3, T0 + 3, 5)]), meta)).toMatchObject({ recovered: 1 })
    expect(await alarmRows()).toEqual([['H', 'B', 'recovered', T0 + 1, 25, 20, T0 + 3, 5]])
  })

  it('stores a late sample but does not evaluate it', async () => {
    await store.ingestBatch(batch(1, [good(LEVEL, T0 + 100, 5)]), meta)
    expect(await store.ingestBatch(batch(2, [good(LEVEL, T0 + 50, 12)]), meta)).toMatchObject({ stale: 1, raised: 0 })
    expect(await store.history(LEVEL, { from: T0, to: T0 + 200, limit: 10 }, 'all')).toHaveLength(2)
  })

  it('rolls the whole batch back when any part fails', async () => {
    // A trigger makes the alarm insert fail after the batch and samples were written.
    const raw = new Database(ctx.file)
    raw.exec(`CREATE TRIGGER boom BEFORE INSERT ON alarms BEGIN SELECT RAISE(ABORT, 'boom'); END`)
    raw.close()
    await expect(store.ingestBatch(batch(1, [good(LEVEL, T0, 5), good(LEVEL, T0 + 1, 11)]), meta)).rejects.toThrow(
      /boom/,
    )
    expect(await store.history(LEVEL, { from: 0, to: T0 + 10, limit: 10 }, 'all')).toEqual([])
    expect(await store.loadAckStates()).toEqual([])
    expect((await store.getPoint(LEVEL, 'all'))?.latest).toBeNull()
  })
})

describe('sqlite store: registry and edges', () => {
  it('registry is authoritative; a birth adds device and edge but never overrides registry fields', async () => {
    await store.recordBirth(
      'huaian',
      {
        v: 1,
        kind: 'birth',
        edge: 'e1',
        site: 'huaian',
        session: 's',
        ts: T0,
        configHash: 'h',
        points: [
          { id: LEVEL, name: 'x', unit: 'mm', device: 'dcs' },
          { id: 'e1.free', name: 'free', unit: 'bar' },
        ],
        outbox: { samples: 0, batches: 0, bytes: 0, oldestTs: null, evicted: 0 },
        outboxId: OUTBOX,
      },
      T0,
    )
    expect(await store.getPoint(LEVEL, 'all')).toMatchObject({
      name: '液氨储罐TK-101液位',
      unit: 'm',
      enterprise: 'shilian',
      class: 'mhs',
      device: 'dcs',
      edge: 'e1',
      registered: true,
    })
    expect(await store.getPoint('e1.free', 'all')).toMatchObject({
      name: 'free',
      unit: 'bar',
      enterprise: null,
      registered: false,
    })
  })

  it('re-applying a smaller registry unregisters removed points and replaces enterprises', async () => {
    const smaller = {
      ...registry,
      enterprises: [registry.enterprises[0]!],
      points: [{ ...registry.points[0]!, limits: { hh: 12, deadband: 0 } }],
    }
    expect(await store.applyRegistry(smaller)).toEqual({ points: 1, enterprises: 1, unregistered: 2 })
    expect(await store.getPoint(LEVEL, 'all')).toMatchObject({ limits: { hh: 12, deadband: 0 }, registered: true })
    expect(await store.getPoint(PRESSURE, 'all')).toMatchObject({
      enterprise: null,
      class: null,
      limits: null,
      registered: false,
    })
    expect((await store.listPoints({ scope: 'all', enterprise: 'fuqiang' })).length).toBe(0)
  })

  it("limitsFromSource: the control room's limits from the birth drive the alarms; inconsistent ones are refused", async () => {
    const outbox = { samples: 0, batches: 0, bytes: 0, oldestTs: null, evicted: 0 }
    const birth = (limits: { hh?: number; h?: number; l?: number; ll?: number }) => ({
      v: 1 as const,
      kind: 'birth' as const,
      edge: 'e1',
      site: 'huaian',
      session: 's',
      ts: T0,
      configHash: 'h',
      points: [
        { id: LEVEL, range: { low: 0, high: 12 }, limits },
        { id: PRESSURE, limits: { hh: 2, h: 1.5 } },
      ],
      outbox,
      outboxId: OUTBOX,
    })
    // Before the registry asks for it, source limits are only shown (and compared).
    expect(await store.recordBirth('huaian', birth({ hh: 11, h: 10, l: 2, ll: 1 }), T0)).toEqual({
      limitsAdopted: [],
      limitsRefused: [],
    })
    expect(await store.getPoint(LEVEL, 'all')).toMatchObject({
      limits: { hh: 10.5, h: 9.5 },
      limitsFrom: 'registry',
      range: { low: 0, high: 12 },
      sourceLimits: { hh: 11, h: 10, l: 2, ll: 1 },
    })

    const fromSource = {
      ...registry,
      points: registry.points.map((p) =>
        p.id === LEVEL ? { ...p, limits: { deadband: 0.2 }, limitsFromSource: true } : p,
      ),
    }
    await store.applyRegistry(fromSource)
    // Applying the registry adopts the levels already announced, with the registry's deadband.
    expect(await store.getPoint(LEVEL, 'all')).toMatchObject({
      limits: { hh: 11, h: 10, l: 2, ll: 1, deadband: 0.2 },
      limitsFrom: 'source',
    })
    // The control room raises H: the next birth carries it; registry-owned points are untouched.
    expect(await store.recordBirth('huaian', birth({ hh: 11, h: 10.2, l: 2, ll: 1 }), T0)).toEqual({
      limitsAdopted: [
        {
          point: LEVEL,
          from: { hh: 11, h: 10, l: 2, ll: 1, deadband: 0.2 },
          to: { hh: 11, h: 10.2, l: 2, ll: 1, deadband: 0.2 },
        },
      ],
      limitsRefused: [],
    })
    expect((await store.getPoint(PRESSURE, 'all'))?.limits).toEqual({ hh: 1.0, h: 0.85, deadband: 0.01 })
    // HH below H: refused, the previous limits stay in force.
    const refused = await store.recordBirth('huaian', birth({ hh: 9, h: 10.2 }), T0)
    expect(refused.limitsAdopted).toEqual([])
    expect(refused.limitsRefused).toEqual([{ point: LEVEL, problem: expect.stringMatching(/hh/) }])
    expect((await store.getPoint(LEVEL, 'all'))?.limits).toEqual({ hh: 11, h: 10.2, l: 2, ll: 1, deadband: 0.2 })
  })

  it('registry rules: an on-delay keeps a spike from raising; a lasting crossing raises at onset + delay', async () => {
    await store.applyRegistry({
      ...registry,
      points: registry.points.map((p) => (p.id === LEVEL ? { ...p, rules: { onDelayS: 5, offDelayS: 0 } } : p)),
    })
    await store.ingestBatch(batch(1, [good(LEVEL, T0, 11), good(LEVEL, T0 + 2_000, 8)]), meta) // a 2 s spike
    expect(await alarmRows()).toEqual([])
    await store.ingestBatch(batch(2, [good(LEVEL, T0 + 10_000, 9.8), good(LEVEL, T0 + 16_000, 9.9)]), meta)
    expect((await alarmRows()).map((r) => [r[0], r[3]])).toEqual([['H', T0 + 15_000]])
  })

  it('notes chattering on the third raise of a point within 60 s', async () => {
    const values = [11, 8, 11, 8, 11] // H raises at 0, 20 and 40 s (HH too)
    for (const [i, v] of values.entries())
      await store.ingestBatch(batch(i + 1, [good(LEVEL, T0 + i * 10_000, v)]), meta)
    const h = (await store.listAlarms({ scope: 'all', state: 'all', kind: 'H', limit: 10 })).map((a) => a.id)
    const notes = await Promise.all(h.map(async (id) => (await store.alarmTimeline(id, 'all'))!.map((e) => e.action)))
    expect(notes).toEqual([
      ['raise', 'chattering'],
      ['raise', 'recover'],
      ['raise', 'recover'],
    ])
  })

  it('a death applies only to the session it names', async () => {
    const outbox = { samples: 0, batches: 0, bytes: 0, oldestTs: null, evicted: 0 }
    await store.recordBirth(
      'huaian',
      {
        v: 1,
        kind: 'birth',
        edge: 'e1',
        site: 'huaian',
        session: 's2',
        ts: T0,
        configHash: 'h',
        points: [],
        outbox,
        outboxId: OUTBOX,
      },
      T0,
    )
    expect(await store.recordDeath({ v: 1, kind: 'death', edge: 'e1', session: 's1' }, T0 + 1)).toEqual({
      applied: false,
      storedSession: 's2',
    })
    expect((await store.listEdges())[0]).toMatchObject({ online: true, session: 's2' })
    expect(await store.recordDeath({ v: 1, kind: 'death', edge: 'e1', session: 's2' }, T0 + 2)).toEqual({
      applied: true,
      storedSession: 's2',
    })
    expect((await store.listEdges())[0]).toMatchObject({ online: false, lastSeen: T0 + 2 })
    expect(await store.recordDeath({ v: 1, kind: 'death', edge: 'nobody', session: 's' }, T0)).toEqual({
      applied: false,
      storedSession: null,
    })
  })

  it('answers ping and closes idempotently', async () => {
    await expect(store.ping()).resolves.toBeUndefined()
    await store.close()
    await store.close()
    await expect(store.ping()).rejects.toThrow()
  })
})

describe('sqlite store: enterprise scope (enforced in the data layer)', () => {
  const shilian = { enterprise: 'shilian' } as const
  beforeEach(async () => {
    await store.ingestBatch(batch(1, [good(LEVEL, T0, 11), good(PRESSURE, T0, 1.2)]), meta)
  })

  it("reads: another enterprise's points, samples and alarms do not exist for a scoped query", async () => {
    expect((await store.listPoints({ scope: shilian })).map((p) => p.enterprise)).toEqual(['shilian', 'shilian'])
    expect(await store.listPoints({ scope: shilian, enterprise: 'fuqiang' })).toEqual([])
    expect(await store.getPoint(PRESSURE, shilian)).toBeNull()
    expect(await store.getPoint(LEVEL, shilian)).not.toBeNull()
    expect(await store.history(PRESSURE, { from: 0, to: T0 + 1, limit: 10 }, shilian)).toEqual([])
    expect(await store.history(PRESSURE, { from: 0, to: T0 + 1, limit: 10 }, 'all')).toHaveLength(1)
    const all = await store.listAlarms({ scope: 'all', state: 'all', limit: 10 })
    const scoped = await store.listAlarms({ scope: shilian, state: 'all', limit: 10 })
    expect(new Set(all.map((a) => a.enterprise))).toEqual(new Set(['shilian', 'fuqiang']))
    expect(scoped.map((a) => a.point)).toEqual([LEVEL, LEVEL])
    // Even an explicit filter for the other enterprise cannot widen the scope.
    expect(await store.listAlarms({ scope: shilian, enterprise: 'fuqiang', state: 'all', limit: 10 })).toEqual([])
    const foreign = all.find((a) => a.enterprise === 'fuqiang')!
    expect(await store.getAlarm(foreign.id, shilian)).toBeNull()
    expect(await store.alarmTimeline(foreign.id, shilian)).toBeNull()
    expect(await store.alarmDeliveries(foreign.id, shilian)).toEqual([])
  })

  it("actions: another enterprise's alarm or window is not found, and stays as it was", async () => {
    const foreign = (await store.listAlarms({ scope: { enterprise: 'fuqiang' }, state: 'all', limit: 1 }))[0]!
    expect(await store.actOnAlarm(foreign.id, { type: 'ack', by: 'x' }, T0, shilian)).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    })
    expect(
      await store.overlayAlarm(foreign.id, { type: 'remove_from_service', by: 'x', reason: 'r' }, T0, shilian),
    ).toMatchObject({ ok: false, code: 'NOT_FOUND' })
    expect((await store.getAlarm(foreign.id, 'all'))?.disposal).toEqual(foreign.disposal)

    expect(
      await store.requestWindow(
        { enterprise: 'fuqiang', points: [PRESSURE], from: T0, to: T0 + 1_000, reason: 'r', by: 'x' },
        T0,
        shilian,
      ),
    ).toMatchObject({ ok: false, code: 'NOT_FOUND' })
    const w = await store.requestWindow(
      { enterprise: 'fuqiang', points: [PRESSURE], from: T0, to: T0 + 1_000, reason: 'r', by: 'x' },
      T0,
      'all',
    )
    if (!w.ok) throw new Error(w.message)
    expect(await store.getWindow(w.window.id, shilian)).toBeNull()
    expect(await store.listWindows({ scope: shilian })).toEqual([])
    expect(await store.decideWindow(w.window.id, { decision: 'cancel', by: 'x' }, T0, shilian)).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    })
    expect((await store.getWindow(w.window.id, 'all'))?.status).toBe('requested')
  })
})
