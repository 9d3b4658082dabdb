import net from 'node:net'
import type { Logger } from 'pino'
import type { Clock, TimerHandle } from '../../../shared/clock.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import { createConnectionGate, type ConnectionCounts, type ConnectionLimits } from '../../net/connection-gate.ts'

/**
 * The TCP side of the HJ 212 listener, kept apart from the protocol: it binds the configured
 * plant-side address only, admits at most `limits` connections (in all and per remote address:
 * the rest are closed at once) and closes a connection that has sent nothing for `idleTimeoutMs`
 * (measured on the injected clock). Each refusal and idle close is counted.
 */
export interface Hj212ListenerOptions {
  id: string
  host: string
  port: number
  limits: ConnectionLimits
  idleTimeoutMs: number
  clock: Clock
  log: Logger
  /** An admitted connection (the listener itself watches it for idleness). */
  onConnection(socket: net.Socket, peer: string): void
}

export interface Hj212ConnectionCounts extends ConnectionCounts {
  /** Connections closed for sending nothing for idleTimeoutMs. */
  idleClosed: number
}

export interface Hj212Listener {
  /** The bound port (the configured one; tests bind port 0). */
  readonly port: number
  counts(): Hj212ConnectionCounts
  stop(): Promise<void>
}

export async function startHj212Listener(o: Hj212ListenerOptions): Promise<Hj212Listener> {
  const gate = createConnectionGate(o.limits)
  const lastActive = new Map<net.Socket, number>()
  let idleClosed = 0
  let lastRefusalLogAt = -Infinity
  let sweeper: TimerHandle | null = null

  const server = net.createServer((socket) => {
    const refusal = gate.admit(socket)
    if (refusal) {
      socket.destroy()
      // Rate-limited: a flood of connections must not flood the log too.
      if (o.clock.now() - lastRefusalLogAt > 60_000) {
        lastRefusalLogAt = o.clock.now()
        o.log.warn(
          { device: o.id, reason: refusal, peer: socket.remoteAddress, connections: gate.counts() },
          'HJ 212 connection refused: over the connection cap',
        )
      }
      return
    }
    lastActive.set(socket, o.clock.now())
    socket.on('data', () => lastActive.set(socket, o.clock.now()))
    socket.on('close', () => lastActive.delete(socket))
    o.onConnection(socket, `${socket.remoteAddress}:${socket.remotePort}`)
  })

  const sweep = () => {
    const now = o.clock.now()
    for (const [socket, at] of lastActive) {
      if (now - at < o.idleTimeoutMs) continue
      idleClosed++
      lastActive.delete(socket)
      socket.destroy()
    }
    sweeper = o.clock.setTimeout(sweep, Math.max(50, Math.floor(o.idleTimeoutMs / 4)))
  }

  await listen(server, o)
  server.on('error', (err) => o.log.error({ device: o.id, err: errorMessage(err) }, 'HJ 212 listener error'))
  sweep()

  return {
    port: (server.address() as net.AddressInfo).port,
    counts: () => ({ ...gate.counts(), idleClosed }),
    async stop() {
      if (sweeper !== null) o.clock.clearTimeout(sweeper)
      sweeper = null
      for (const socket of lastActive.keys()) socket.destroy()
      lastActive.clear()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function listen(server: net.Server, o: Pick<Hj212ListenerOptions, 'id' | 'host' | 'port'>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.close()
      reject(
        new ParklinkError(
          ErrorCodes.LISTEN_FAILED,
          `HJ 212 listener ${o.id} cannot listen on ${o.host}:${o.port}: ${errorMessage(err)}`,
          {
            hint:
              err.code === 'EADDRNOTAVAIL'
                ? `no network card of this box has the address ${o.host}: use the plant-side NIC's address (ip -4 addr)`
                : err.code === 'EACCES'
                  ? 'ports below 1024 need a privilege the service does not have: use a port above 1024 and point the instruments at it'
                  : 'another program (or another device entry) uses this port: choose a free port and point the instruments at it',
            cause: err,
          },
        ),
      )
    }
    server.once('error', onError)
    server.listen(o.port, o.host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}
