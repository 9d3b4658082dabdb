import type net from 'node:net'

/**
 * Admission for a TCP listener on the plant LAN (the console, the HJ 212 listener): at most
 * `maxTotal` open connections, and at most `maxPerAddress` from one remote address, so one
 * misbehaving host (or a scan) cannot use up the sockets that the real clients need. A refused
 * socket is destroyed at once by the caller; every refusal is counted by reason.
 */
export interface ConnectionLimits {
  maxTotal: number
  maxPerAddress: number
}

export type ConnectionRefusal = 'total_cap' | 'address_cap'

export interface ConnectionCounts {
  /** Connections open now. */
  open: number
  /** Connections admitted since start. */
  accepted: number
  refused: Record<ConnectionRefusal, number>
}

export interface ConnectionGate {
  /** Admits the socket (its slot is freed when it closes) or says why not: the caller then destroys it. */
  admit(socket: net.Socket): ConnectionRefusal | null
  counts(): ConnectionCounts
}

export function createConnectionGate(limits: ConnectionLimits): ConnectionGate {
  const perAddress = new Map<string, number>()
  let open = 0
  const counts: ConnectionCounts = { open: 0, accepted: 0, refused: { total_cap: 0, address_cap: 0 } }
  const release = (address: string) => {
    open--
    const left = (perAddress.get(address) ?? 1) - 1
    if (left > 0) perAddress.set(address, left)
    else perAddress.delete(address)
  }
  return {
    admit(socket) {
      const address = socket.remoteAddress ?? 'unknown'
      const refusal: ConnectionRefusal | null =
        open >= limits.maxTotal
          ? 'total_cap'
          : (perAddress.get(address) ?? 0) >= limits.maxPerAddress
            ? 'address_cap'
            : null
      if (refusal) {
        counts.refused[refusal]++
        return refusal
      }
      open++
      counts.accepted++
      perAddress.set(address, (perAddress.get(address) ?? 0) + 1)
      socket.once('close', () => release(address))
      return null
    },
    counts: () => ({ ...counts, open, refused: { ...counts.refused } }),
  }
}

/** Applies a gate to a server's connections (e.g. an HTTP server, which accepts them itself). */
export function gateServer(
  server: net.Server,
  gate: ConnectionGate,
  onRefused?: (reason: ConnectionRefusal, socket: net.Socket) => void,
): void {
  server.on('connection', (socket: net.Socket) => {
    const refusal = gate.admit(socket)
    if (!refusal) return
    onRefused?.(refusal, socket)
    socket.destroy()
  })
}
