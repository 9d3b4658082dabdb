import { afterEach, beforeEach, describe, expect } from 'vitest'
import type { WindowRepo, WindowRequest } from '../../../cloud/store/repos/windows.ts'
import type { Store } from '../../../cloud/store/store.ts'
import type { StatusBirth } from '../../../shared/wire/messages.ts'
import { EDGE, LEVEL, PRESSURE, type RepoHandle, registry, sectionTest, type SectionOptions, T0 } from './fixtures.ts'

/** What the windows section needs: WindowRepo, the registry its points come from, and a birth for devices. */
export type WindowRepos = WindowRepo & Pick<Store, 'applyRegistry' | 'recordBirth'>

const HOUR = 3_600_000
const shilian = { enterprise: 'shilian' } as const
const fuqiang = { enterprise: 'fuqiang' } as const
const ask = (more: Partial<WindowRequest> = {}): WindowRequest => ({
  enterprise: 'shilian',
  points: [LEVEL],
  from: T0,
  to: T0 + HOUR,
  reason: 'calibration',
  by: 'ent-user',
  ...more,
})
/** An edge announcing LEVEL and PRESSURE as points of one device (PRESSURE is fuqiang's). */
const birth: StatusBirth = {
  v: 1,
  kind: 'birth',
  edge: EDGE,
  site: 'huaian',
  session: 's-1',
  ts: T0,
  configHash: 'cfg-1',
  points: [
    { id: LEVEL, device: 'tk-101' },
    { id: PRESSURE, device: 'tk-101' },
  ],
  outbox: { samples: 0, batches: 0, bytes: 0, oldestTs: null, evicted: 0 },
  outboxId: 'outbox-1a2b3c4d',
}

/** WindowRepo (cloud/store/repos/windows.ts) as executable tests: requests, decisions, scope. */
export function runWindowTests(options: SectionOptions<WindowRepos>): void {
  const test = sectionTest(options.skip)
  describe(`Store conformance: ${options.name} — windows`, () => {
    let handle: RepoHandle<WindowRepos>
    let repos: WindowRepos
    beforeEach(async () => {
      handle = await options.newRepos({})
      repos = handle.repos
      await repos.applyRegistry(registry)
    })
    afterEach(() => handle.dispose())

    const request = async (more: Partial<WindowRequest> = {}, now = T0 - 1000) => {
      const out = await repos.requestWindow(ask(more), now, shilian)
      if (!out.ok) throw new Error(out.message)
      return out.window
    }

    test('windows: a request is stored as asked, undecided, and read back by id and in the list (newest first)', async () => {
      const w = await request()
      expect(w).toEqual({
        id: expect.any(Number),
        enterprise: 'shilian',
        points: [LEVEL],
        from: T0,
        to: T0 + HOUR,
        reason: 'calibration',
        requestedBy: 'ent-user',
        requestedAt: T0 - 1000,
        status: 'requested',
        decidedBy: null,
        decidedAt: null,
        decisionNote: null,
        suppressed: 0,
      })
      expect(await repos.getWindow(w.id, 'all')).toEqual(w)
      const second = await request({ reason: 'valve swap' })
      expect((await repos.listWindows({ scope: 'all' })).map((x) => x.id)).toEqual([second.id, w.id])
      expect(await repos.getWindow(second.id + 1000, 'all')).toBeNull()
    })

    test('windows: a request is refused outside its scope, for a span that is no window, and for points not its own', async () => {
      const refused = async (more: Partial<WindowRequest>, scope: typeof shilian | 'all' = shilian) =>
        repos.requestWindow(ask(more), T0 - 1000, scope)
      expect(await refused({ enterprise: 'fuqiang', points: [PRESSURE] })).toMatchObject({
        ok: false,
        code: 'NOT_FOUND',
      })
      expect(await refused({ to: T0 })).toMatchObject({ ok: false, code: 'BAD_REQUEST' })
      expect(await refused({ from: T0 - 2 * HOUR, to: T0 - 1000 })).toMatchObject({ ok: false, code: 'BAD_REQUEST' })
      expect(await refused({ points: [] })).toMatchObject({ ok: false, code: 'BAD_REQUEST' })
      const foreign = await refused({ points: [LEVEL, PRESSURE, 'no.such'] }, 'all')
      expect(foreign).toMatchObject({ ok: false, code: 'BAD_REQUEST' })
      expect(!foreign.ok && foreign.message).toContain(`${PRESSURE}, no.such`)
      expect(await repos.listWindows({ scope: 'all' })).toEqual([])
    })

    test("windows: devices are resolved to the enterprise's points when requested, merged with the named points", async () => {
      await repos.recordBirth('huaian', birth, T0 - 5000)
      const w = await request({ points: [LEVEL], devices: ['tk-101'] })
      expect(w.points).toEqual([LEVEL])
      expect(await repos.requestWindow(ask({ points: [], devices: ['no-such'] }), T0, shilian)).toMatchObject({
        ok: false,
        code: 'BAD_REQUEST',
      })
    })

    test('windows: approve or reject a request once; cancel a request or an approved window, which then ends now', async () => {
      const a = await request()
      const approved = await repos.decideWindow(a.id, { decision: 'approve', by: 'park', note: 'ok' }, T0 - 500, 'all')
      expect(approved).toEqual({
        ok: true,
        window: { ...a, status: 'approved', decidedBy: 'park', decidedAt: T0 - 500, decisionNote: 'ok' },
      })
      for (const decision of ['approve', 'reject'] as const)
        expect(await repos.decideWindow(a.id, { decision, by: 'park' }, T0, 'all')).toMatchObject({
          ok: false,
          code: 'STATE_CONFLICT',
          window: { status: 'approved', decidedAt: T0 - 500 },
        })
      // Cancelled while it runs: it ends now, and a cancelled window is decided for good.
      expect(await repos.decideWindow(a.id, { decision: 'cancel', by: 'ent' }, T0 + 600, shilian)).toMatchObject({
        ok: true,
        window: { status: 'cancelled', from: T0, to: T0 + 600, decidedBy: 'ent', decisionNote: null },
      })
      expect(await repos.decideWindow(a.id, { decision: 'cancel', by: 'ent' }, T0 + 700, shilian)).toMatchObject({
        ok: false,
        code: 'STATE_CONFLICT',
      })
      expect(await repos.getWindow(a.id, 'all')).toMatchObject({ status: 'cancelled', to: T0 + 600 })

      const r = await request()
      expect(await repos.decideWindow(r.id, { decision: 'reject', by: 'park', note: 'no' }, T0, 'all')).toMatchObject({
        ok: true,
        window: { status: 'rejected', to: T0 + HOUR, decisionNote: 'no' },
      })
      // A request cancelled before its start keeps its span; one that has ended cannot be approved.
      const c = await request()
      expect(await repos.decideWindow(c.id, { decision: 'cancel', by: 'ent' }, T0 - 900, 'all')).toMatchObject({
        ok: true,
        window: { status: 'cancelled', to: T0 + HOUR },
      })
      const late = await request()
      expect(await repos.decideWindow(late.id, { decision: 'approve', by: 'park' }, T0 + HOUR, 'all')).toMatchObject({
        ok: false,
        code: 'STATE_CONFLICT',
        window: { status: 'requested' },
      })
      expect(await repos.decideWindow(late.id + 1000, { decision: 'approve', by: 'park' }, T0, 'all')).toMatchObject({
        ok: false,
        code: 'NOT_FOUND',
      })
    })

    test('windows: listed by status and enterprise; an enterprise sees and decides only its own', async () => {
      const own = await request()
      const other = await repos.requestWindow(ask({ enterprise: 'fuqiang', points: [PRESSURE] }), T0 - 1000, 'all')
      if (!other.ok) throw new Error(other.message)
      await repos.decideWindow(own.id, { decision: 'approve', by: 'park' }, T0 - 500, 'all')
      const ids = async (filter: Parameters<WindowRepo['listWindows']>[0]) =>
        (await repos.listWindows(filter)).map((w) => w.id)
      expect(await ids({ scope: 'all', status: 'approved' })).toEqual([own.id])
      expect(await ids({ scope: 'all', enterprise: 'fuqiang' })).toEqual([other.window.id])
      expect(await ids({ scope: shilian })).toEqual([own.id])
      // An explicit filter cannot widen the scope.
      expect(await ids({ scope: shilian, enterprise: 'fuqiang' })).toEqual([])
      expect(await repos.getWindow(own.id, fuqiang)).toBeNull()
      expect(await repos.decideWindow(own.id, { decision: 'cancel', by: 'x' }, T0, fuqiang)).toMatchObject({
        ok: false,
        code: 'NOT_FOUND',
      })
      expect(await repos.getWindow(own.id, 'all')).toMatchObject({ status: 'approved' })
    })

    test('windows: decisions on one window at the same time take turns: exactly one wins', async () => {
      const windows = await Promise.all([1, 2, 3, 4, 5].map(() => request()))
      for (const w of windows) {
        const [approve, reject] = await Promise.all([
          repos.decideWindow(w.id, { decision: 'approve', by: 'park-a' }, T0 - 500, 'all'),
          repos.decideWindow(w.id, { decision: 'reject', by: 'park-b' }, T0 - 500, 'all'),
        ])
        expect([approve.ok, reject.ok].filter(Boolean)).toHaveLength(1)
        const loser = approve.ok ? reject : approve
        expect(loser).toMatchObject({ ok: false, code: 'STATE_CONFLICT' })
        expect((await repos.getWindow(w.id, 'all'))?.status).toBe(approve.ok ? 'approved' : 'rejected')
      }
    })
  })
}
