import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Driver, DriverDeps } from '../../edge/drivers/driver.ts'
import { startPoller, type Poller } from '../../edge/drivers/poller.ts'
import { createLogger } from '../../edge/log.ts'
import { systemClock } from '../../shared/clock.ts'
import { Sample } from '../../shared/wire/sample.ts'
import { waitFor } from '../util/wait.ts'

/**
 * The Driver contract (edge/drivers/driver.ts) as executable tests, on real sockets, serial
 * ptys and servers, run by every driver: `runDriverConformance({ name, makeServer, makeDriver })`
 * in the driver's `conformance.test.ts`. The driver runs under the real framework poller, so
 * what is tested is what the agent does.
 *
 * - `makeServer()` starts the device side with its test points (for a listener such as HJ 212,
 *   the instrument that connects in). `stop()` takes it away; `restart()` brings it back on the
 *   same address, with its values.
 * - `makeDriver(server, deps)` builds a driver for all of the server's points; every point
 *   must then read good.
 * - `makeUnreachable(deps)` builds a driver for a device that is not there; `attempts()`, when
 *   given, counts its connection attempts (e.g. connections a listener saw), to check that
 *   retries go on by themselves but are bounded by a backoff.
 * - `skip` names tests that cannot apply, each with the reason in the caller's comment.
 */
export interface ConformanceServer {
  stop(): Promise<void>
  restart(): Promise<void>
}

export interface Unreachable {
  driver: Driver
  attempts?: () => number
}

export interface DriverConformanceOptions<S extends ConformanceServer> {
  name: string
  makeServer: () => Promise<S>
  makeDriver: (server: S, deps: DriverDeps) => Driver | Promise<Driver>
  makeUnreachable?: (deps: DriverDeps) => Unreachable | Promise<Unreachable>
  /** Bound for values to flow, to turn bad, and to recover (default 10 s: the issue's bound). */
  withinMs?: number
  skip?: DriverConformanceTest[]
}

export type DriverConformanceTest =
  | 'start-stop-order'
  | 'good-values'
  | 'server-restart'
  | 'unreachable'
  | 'releases-resources'

type Latest = Map<string, Sample>

/** Counts of active handles by type (sockets, timers, server sockets, file handles). */
function resources(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1)
  return counts
}

function leaked(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after]
    .filter(([type, n]) => n > (before.get(type) ?? 0))
    .map(([type, n]) => `${type}: ${before.get(type) ?? 0} → ${n}`)
}

export function runDriverConformance<S extends ConformanceServer>(options: DriverConformanceOptions<S>): void {
  const withinMs = options.withinMs ?? 10_000
  const skip = new Set(options.skip ?? [])
  const test = (name: DriverConformanceTest, title: string, fn: () => Promise<void>) =>
    (skip.has(name) ? it.skip : it)(`${name}: ${title}`, fn, 3 * withinMs + 15_000)

  describe(`Driver conformance: ${options.name}`, () => {
    const log = createLogger('driver-conformance', 'silent')
    let dir: string
    let servers: S[]
    let drivers: Driver[]
    let pollers: Poller[]
    let rejections: unknown[]
    const onRejection = (reason: unknown) => void rejections.push(reason)

    const deps = (): DriverDeps => ({ clock: systemClock, log, dataDir: mkdtempSync(path.join(dir, 'device-')) })
    const server = async () => {
      const s = await options.makeServer()
      servers.push(s)
      return s
    }
    const driverFor = async (s: S) => {
      const d = await options.makeDriver(s, deps())
      drivers.push(d)
      return d
    }
    /** Runs the driver under the framework's poller; the returned map holds each point's latest sample. */
    const run = (d: Driver) => {
      const latest: Latest = new Map()
      const all: Sample[] = []
      const poller = startPoller({
        drivers: [d],
        clock: systemClock,
        log,
        onSamples: (_device, samples) => {
          for (const s of samples) {
            all.push(s)
            latest.set(s.point, s)
          }
        },
      })
      pollers.push(poller)
      return { latest, all, poller }
    }
    const everyPoint = (d: Driver, latest: Latest, ok: (s: Sample) => boolean) =>
      d.points.length > 0 &&
      d.points.every((p) => {
        const s = latest.get(p.id)
        return s !== undefined && ok(s)
      })
    const describeLatest = (d: Driver, latest: Latest) => () => {
      const points = d.points.map((p) => {
        const s = latest.get(p.id)
        return `${p.id}=${s ? `${s.quality}${s.reason ? `(${s.reason})` : ''}` : 'none'}`
      })
      return `${points.join(', ')}; status ${JSON.stringify(d.status())}`
    }

    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'parklink-driver-conf-'))
      servers = []
      drivers = []
      pollers = []
      rejections = []
      process.on('unhandledRejection', onRejection)
    })

    afterEach(async () => {
      await Promise.allSettled(pollers.map((p) => p.stop()))
      await Promise.allSettled(drivers.map((d) => d.stop()))
      await Promise.allSettled(servers.map((s) => s.stop()))
      // Rejections surface on a later turn of the event loop.
      await new Promise((resolve) => setTimeout(resolve, 50))
      process.off('unhandledRejection', onRejection)
      rmSync(dir, { recursive: true, force: true })
      expect(rejections.map(String), 'unhandled rejections').toEqual([])
    })

    test('start-stop-order', 'stop before start, stop twice, start again after stop', async () => {
      const s = await server()
      const d = await driverFor(s)
      await d.stop()
      await d.start()
      await d.stop()
      await d.stop()
      expect(d.status().state).toBe('stopped')
      await d.start()
      expect(d.status().state).not.toBe('stopped')
      const { latest } = run(d)
      await waitFor(() => everyPoint(d, latest, (x) => x.quality === 'good'), {
        timeoutMs: withinMs,
        message: describeLatest(d, latest),
      })
    })

    test('good-values', 'every point reads good, with a source timestamp, as a valid wire sample', async () => {
      const s = await server()
      const d = await driverFor(s)
      const startedAt = Date.now()
      await d.start()
      const { latest, all } = run(d)
      await waitFor(() => everyPoint(d, latest, (x) => x.quality === 'good'), {
        timeoutMs: withinMs,
        message: describeLatest(d, latest),
      })
      expect(d.status().state).toBe('connected')
      expect(d.status().lastError).toBeNull()
      for (const sample of all) {
        expect(Sample.safeParse(sample).success, JSON.stringify(sample)).toBe(true)
        // Source time: not invented far in the future; not the epoch (a day of slack for clocks
        // and for sources that stamp only a changed value).
        expect(sample.ts).toBeLessThanOrEqual(Date.now() + 5_000)
        expect(sample.ts).toBeGreaterThan(startedAt - 86_400_000)
      }
      const known = new Set(d.points.map((p) => p.id))
      expect(
        all.filter((x) => !known.has(x.point)).map((x) => x.point),
        'samples of points the driver did not announce',
      ).toEqual([])
    })

    test('server-restart', 'server gone → every point bad; server back → good again by itself', async () => {
      const s = await server()
      const d = await driverFor(s)
      await d.start()
      const { latest } = run(d)
      await waitFor(() => everyPoint(d, latest, (x) => x.quality === 'good'), {
        timeoutMs: withinMs,
        message: describeLatest(d, latest),
      })

      await s.stop()
      await waitFor(
        () =>
          everyPoint(d, latest, (x) => x.quality === 'bad' && (x.reason ?? '').length > 0) &&
          d.status().state !== 'connected',
        {
          timeoutMs: withinMs,
          message: () => `every point bad after the server stopped: ${describeLatest(d, latest)()}`,
        },
      )
      expect(d.status().lastError).toBeTruthy()

      const back = Date.now()
      await s.restart()
      await waitFor(() => everyPoint(d, latest, (x) => x.quality === 'good' && x.ts >= back - 1_000), {
        timeoutMs: withinMs,
        message: () => `good values again within ${withinMs} ms of the restart: ${describeLatest(d, latest)()}`,
      })
      expect(d.status().state).toBe('connected')
    })

    test(
      'unreachable',
      'a device that is not there: start resolves, points bad with a reason, retries bounded',
      async () => {
        if (!options.makeUnreachable) throw new Error('makeUnreachable is required unless "unreachable" is skipped')
        const { driver: d, attempts } = await options.makeUnreachable(deps())
        drivers.push(d)
        await d.start()
        const { latest } = run(d)
        await waitFor(() => everyPoint(d, latest, (x) => x.quality === 'bad' && (x.reason ?? '').length > 0), {
          timeoutMs: withinMs,
          message: describeLatest(d, latest),
        })
        expect(d.status().state).toBe('disconnected')
        expect(d.status().lastError).toBeTruthy()
        if (attempts) {
          const interval = Math.min(d.pollIntervalMs ?? Infinity, ...(d.schedules ?? []).map((x) => x.pollIntervalMs))
          const from = attempts()
          const window = 6_000
          await new Promise((resolve) => setTimeout(resolve, window))
          const made = attempts() - from
          expect(made, 'the driver keeps retrying by itself').toBeGreaterThanOrEqual(1)
          // Backoff: fewer attempts than polls (a driver that reconnects on every poll hammers a
          // device or gateway that is rebooting).
          if (Number.isFinite(interval)) expect(made).toBeLessThan(window / interval / 2)
        }
      },
    )

    test('releases-resources', 'stop releases every socket and timer the driver opened', async () => {
      const s = await server()
      const before = resources()
      const d = await driverFor(s)
      await d.start()
      const { latest, poller } = run(d)
      await waitFor(() => everyPoint(d, latest, (x) => x.quality === 'good'), {
        timeoutMs: withinMs,
        message: describeLatest(d, latest),
      })
      await poller.stop()
      await d.stop()
      // The server side notices the closed connection a moment later.
      await waitFor(() => leaked(before, resources()).length === 0, {
        timeoutMs: 3_000,
        message: () => `handles left after stop(): ${leaked(before, resources()).join('; ')}`,
      })
    })
  })
}
