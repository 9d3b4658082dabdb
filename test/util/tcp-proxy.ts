import net from 'node:net'

/**
 * A TCP proxy on a loopback port (port 0: the system picks) in front of one target, whose link
 * a fault test can cut:
 *
 * - 'pass': bytes flow both ways; a close on one side closes the other.
 * - 'drop': every current connection is reset (RST, both sides) and new ones are reset as soon
 *   as they are accepted: the peers notice at once (ECONNRESET), as when a router or a firewall
 *   rejects the flow.
 * - 'blackhole': connections stay open and the proxy keeps reading, but discards every byte in
 *   both directions; new connections are accepted and never reach the target; a close by one
 *   side is not passed on. The peers notice only through their own timers (MQTT keepalive,
 *   CONNACK and ack timeouts), as when a mobile link or a VPN dies silently.
 *
 * Leaving 'blackhole' resets the connections it held: bytes were discarded, so their streams
 * cannot go on (a real link's TCP would retransmit, but after a blackhole longer than the
 * keepalive both ends have given up on that connection anyway).
 */
export type ProxyMode = 'pass' | 'drop' | 'blackhole'

export interface ProxyStats {
  /** Connections accepted since the start. */
  accepted: number
  /** Connections open now (client side). */
  open: number
  /** Bytes discarded while blackholed, both directions. */
  discardedBytes: number
  /** Client sides that closed a connection while it was blackholed: the client noticed the dead link by itself. */
  closedByClientInBlackhole: number
}

export interface TcpProxy {
  readonly port: number
  mode(): ProxyMode
  setMode(mode: ProxyMode): void
  stats(): ProxyStats
  close(): Promise<void>
}

interface Pair {
  client: net.Socket
  upstream: net.Socket | null
  /** The connection lived through a blackhole: its streams lost bytes. */
  holed: boolean
}

export async function startTcpProxy(
  target: { port: number; host?: string },
  listenHost = '127.0.0.1',
): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1'
  let mode: ProxyMode = 'pass'
  const pairs = new Set<Pair>()
  /** Target sides whose client closed during a blackhole: reset at the heal. */
  const orphans = new Set<net.Socket>()
  const stats: ProxyStats = { accepted: 0, open: 0, discardedBytes: 0, closedByClientInBlackhole: 0 }

  const reset = (s: net.Socket | null) => {
    if (s && !s.destroyed) s.resetAndDestroy()
  }
  /** In 'pass', a side that ends or closes ends the other after what was written to it is flushed. */
  const endGracefully = (s: net.Socket | null) => {
    if (s && !s.destroyed && !s.writableEnded) s.end()
  }
  /** Forwards from → to in 'pass' (with backpressure), discards otherwise. */
  const forward = (p: Pair, from: net.Socket, to: () => net.Socket | null) => {
    from.on('data', (chunk: Buffer) => {
      const dest = to()
      if (p.holed || dest === null || dest.destroyed) {
        stats.discardedBytes += chunk.length
        return
      }
      if (!dest.write(chunk)) {
        from.pause()
        dest.once('drain', () => from.resume())
      }
    })
  }

  const server = net.createServer((client) => {
    stats.accepted++
    if (mode === 'drop') return void client.resetAndDestroy()
    const p: Pair = { client, upstream: null, holed: mode === 'blackhole' }
    pairs.add(p)
    stats.open++
    client.on('error', () => {})
    client.on('end', () => {
      if (!p.holed) endGracefully(p.upstream)
    })
    client.on('close', () => {
      stats.open--
      pairs.delete(p)
      // A blackhole passes no close on: the target finds out by its own keepalive, or at the heal.
      if (!p.holed) endGracefully(p.upstream)
      else {
        stats.closedByClientInBlackhole++
        if (p.upstream && !p.upstream.destroyed) orphans.add(p.upstream)
      }
    })
    forward(p, client, () => p.upstream)
    if (p.holed) return
    const upstream = net.connect(target.port, host)
    p.upstream = upstream
    upstream.on('error', () => {})
    upstream.on('end', () => {
      if (!p.holed) endGracefully(client)
    })
    upstream.on('close', () => {
      orphans.delete(upstream)
      if (!p.holed) endGracefully(client)
    })
    forward(p, upstream, () => client)
  })
  server.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, listenHost, () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port
  const resetAll = () => {
    for (const p of pairs) {
      reset(p.client)
      reset(p.upstream)
    }
    for (const s of orphans) reset(s)
  }

  return {
    port,
    mode: () => mode,
    setMode(next) {
      if (next === mode) return
      const previous = mode
      mode = next
      if (next === 'drop') resetAll()
      else if (next === 'blackhole') for (const p of pairs) p.holed = true
      else if (previous === 'blackhole') resetAll()
    },
    stats: () => ({ ...stats }),
    close() {
      resetAll()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
