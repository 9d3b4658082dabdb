import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadDemoSession, portIsFree, saveDemoSession, SESSION_FILE, SIMULATORS } from './session.ts'

/** The demo keeps its simulator ports and API key across restarts (issue 19). */
describe('demo session', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-demo-session-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  /** Ports handed out in order; `busy` are taken now. */
  const deps = (busy: number[] = []) => {
    let next = 40_000
    return { isFree: async (p: number) => !busy.includes(p), pick: async () => next++ }
  }

  it('first start: new ports, no key; saved owner-only and reused as they were at the next start', async () => {
    const first = await loadDemoSession(dir, { fresh: false }, deps())
    expect(first.reset).toBe('none')
    expect(first.session.apiKey).toBeUndefined()
    expect(Object.keys(first.session.ports).sort()).toEqual([...SIMULATORS].sort())
    saveDemoSession(dir, { ...first.session, apiKey: 'plk_kept' })
    expect(statSync(path.join(dir, SESSION_FILE)).mode & 0o777).toBe(0o600)

    const again = await loadDemoSession(dir, { fresh: false }, { ...deps(), pick: async () => 50_000 })
    expect(again).toEqual({ session: { ports: first.session.ports, apiKey: 'plk_kept' }, moved: [], reset: null })
  })

  it('--fresh forgets ports and key; a busy port gets a new one and is reported', async () => {
    saveDemoSession(dir, { ports: { plant: 1502, opcua: 14840, gallery: 1503, hj212: 19000 }, apiKey: 'plk_kept' })
    const fresh = await loadDemoSession(dir, { fresh: true }, deps())
    expect(fresh.reset).toBe('fresh')
    expect(fresh.session.apiKey).toBeUndefined()
    expect(fresh.session.ports.opcua).not.toBe(14840)

    const busy = await loadDemoSession(dir, { fresh: false }, deps([14840]))
    expect(busy.session.ports).toEqual({ plant: 1502, opcua: 40_000, gallery: 1503, hj212: 19000 })
    expect(busy.moved).toEqual([['opcua', 14840, 40_000]])
    expect(busy.session.apiKey).toBe('plk_kept')
  })

  it('a damaged file is not trusted: new ports, and the next save rewrites it 0600', async () => {
    writeFileSync(path.join(dir, SESSION_FILE), '{"ports":{"plant":"x"}', { mode: 0o644 })
    const r = await loadDemoSession(dir, { fresh: false }, deps())
    expect(r.reset).toBe('unreadable')
    saveDemoSession(dir, r.session)
    expect(statSync(path.join(dir, SESSION_FILE)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path.join(dir, SESSION_FILE), 'utf8')).ports).toEqual(r.session.ports)
  })

  it('tells a busy port from a free one on a real socket', async () => {
    const server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    try {
      expect(await portIsFree(port)).toBe(false)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
    expect(await portIsFree(port)).toBe(true)
  })
})
