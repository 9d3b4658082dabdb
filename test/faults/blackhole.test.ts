import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startTcpProxy, type TcpProxy } from '../util/tcp-proxy.ts'
import { waitFor } from '../util/wait.ts'
import { blackhole } from './blackhole.ts'

/** A target that accepts connections and holds them (the broker's side of the link). */
async function startHoldingTarget() {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A client of the proxy (the edge's side), connected once the proxy holds its connection. */
async function connectClient(proxy: TcpProxy) {
  const socket = net.connect(proxy.port, '127.0.0.1')
  const client = { socket, closed: false }
  socket.on('error', () => {})
  socket.on('close', () => (client.closed = true))
  await waitFor(() => proxy.stats().open === 1, { message: 'the proxy never held the connection' })
  return client
}

describe('the campaign blackhole', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  async function setUp() {
    const target = await startHoldingTarget()
    cleanups.push(() => target.close())
    const proxy = await startTcpProxy({ port: target.port })
    cleanups.push(() => proxy.close())
    const client = await connectClient(proxy)
    cleanups.push(() => void client.socket.destroy())
    const tally = { blackholesNoticed: 0, problems: [] as string[] }
    return { proxy, client, tally, t: { proxy, edgeKeepaliveS: 5, say: () => {} } }
  }

  it('counts a blackhole in which the client closed its connection by itself, and heals the link', async () => {
    const { proxy, client, tally, t } = await setUp()
    const done = blackhole(t, 0, tally, 30_000)
    expect(proxy.mode()).toBe('blackhole')
    client.socket.destroy()
    await done
    expect(tally).toEqual({ blackholesNoticed: 1, problems: [] })
    expect(proxy.mode()).toBe('pass')
  })

  it('reports a blackhole no client noticed within the bound, and heals the link all the same', async () => {
    const { proxy, client, tally, t } = await setUp()
    await blackhole(t, 0, tally, 300)
    expect(tally.blackholesNoticed).toBe(0)
    expect(tally.problems).toHaveLength(1)
    expect(tally.problems[0]).toContain('did not notice a blackhole by itself')
    expect(proxy.mode()).toBe('pass')
    // The heal resets what the blackhole held: the client's connection is gone, not left dead.
    await waitFor(() => client.closed, { message: 'the held connection was not reset at the heal' })
  })
})
