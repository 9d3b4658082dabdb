import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'
import { waitFor } from './wait.ts'

/** A target that echoes what it receives prefixed with "echo:", and keeps what it received. */
async function startEchoTarget() {
  const received: string[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
    s.on('data', (b) => {
      received.push(b.toString())
      s.write(`echo:${b.toString()}`)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A client of the proxy that records what it receives and how it ended. */
function connectClient(port: number) {
  const socket = net.connect(port, '127.0.0.1')
  const client = { socket, data: '', error: null as NodeJS.ErrnoException | null, closed: false }
  socket.on('data', (b) => (client.data += b.toString()))
  socket.on('error', (err) => (client.error = err))
  socket.on('close', () => (client.closed = true))
  return client
}
const connected = (c: ReturnType<typeof connectClient>) =>
  new Promise<void>((resolve, reject) => {
    c.socket.once('connect', () => resolve())
    c.socket.once('error', reject)
  })

describe('TCP proxy', () => {
  let target: Awaited<ReturnType<typeof startEchoTarget>>
  let proxy: TcpProxy
  const clients: Array<ReturnType<typeof connectClient>> = []
  const client = (port: number) => {
    const c = connectClient(port)
    clients.push(c)
    return c
  }
  /** The echo target behind a proxy in pass mode. */
  const start = async () => {
    target = await startEchoTarget()
    proxy = await startTcpProxy({ port: target.port })
  }
  /** A client through the proxy that has had `text` echoed back (the path works). */
  const echoed = async (text: string) => {
    const c = client(proxy.port)
    c.socket.write(text)
    await waitFor(() => c.data === `echo:${text}`, { message: () => `got "${c.data}"` })
    return c
  }
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy()
    await proxy?.close()
    await target?.close()
  })

  it('passes bytes both ways in pass mode', async () => {
    await start()
    expect(proxy.port).toBeGreaterThan(0)
    await echoed('hello')
    expect(target.received.join('')).toBe('hello')
  })

  it('passes a close through: the target ending its side closes the client', async () => {
    await start()
    const c = client(proxy.port)
    c.socket.write('x')
    await waitFor(() => target.sockets.size === 1)
    for (const s of target.sockets) s.end()
    await waitFor(() => c.closed, { message: 'the client was not closed' })
    expect(c.error).toBeNull()
  })

  it('drop resets current connections and new ones; pass lets new ones through again', async () => {
    await start()
    const before = await echoed('a')
    proxy.setMode('drop')
    await waitFor(() => before.closed, { message: 'the current connection was not reset' })
    expect(before.error?.code).toBe('ECONNRESET')
    await waitFor(() => target.sockets.size === 0, { message: 'the target side was not reset' })

    const during = client(proxy.port)
    await waitFor(() => during.closed, { message: 'a new connection was not reset' })
    expect(during.data).toBe('')
    expect(target.received.join('')).toBe('a')

    proxy.setMode('pass')
    await echoed('b')
  })

  it('blackhole keeps connections open and discards bytes both ways', async () => {
    await start()
    const c = await echoed('a')
    proxy.setMode('blackhole')

    // Client → target: the proxy reads and discards (the counter says it consumed the bytes).
    c.socket.write('lost')
    await waitFor(() => proxy.stats().discardedBytes >= 4)
    // Target → client: likewise.
    for (const s of target.sockets) s.write('unseen')
    await waitFor(() => proxy.stats().discardedBytes >= 4 + 6)
    expect(target.received.join('')).toBe('a')
    expect(c.data).toBe('echo:a')
    expect(c.closed).toBe(false)
    expect(target.sockets.size).toBe(1)

    // A new connection is accepted but never reaches the target; its bytes vanish too.
    const late = client(proxy.port)
    await connected(late)
    late.socket.write('knock')
    await waitFor(() => proxy.stats().discardedBytes >= 4 + 6 + 5)
    expect(proxy.stats().accepted).toBe(2)
    expect(target.sockets.size).toBe(1)
    expect(late.closed).toBe(false)
  })

  it('blackhole passes no close on; the heal resets what it held', async () => {
    await start()
    const c = await echoed('a')
    proxy.setMode('blackhole')
    c.socket.destroy()
    await waitFor(() => proxy.stats().closedByClientInBlackhole === 1)
    expect(target.sockets.size).toBe(1)

    const held = client(proxy.port)
    await connected(held)
    proxy.setMode('pass')
    await waitFor(() => held.closed && target.sockets.size === 0, {
      message: 'the blackholed connections were not reset at the heal',
    })

    await echoed('b')
  })
})
