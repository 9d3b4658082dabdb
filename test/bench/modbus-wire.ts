import net from 'node:net'

/**
 * A TCP relay in front of a Modbus TCP simulator that counts what crosses it, so both pollers
 * of the side-by-side bench are measured by the same independent counter rather than by their
 * own claims. It splits each direction into MBAP frames (Modbus Messaging on TCP/IP
 * Implementation Guide §3.1.3: 7-byte header, bytes 4–5 the length of what follows byte 5) and
 * counts requests, responses, and exception responses (function code | 0x80, application
 * protocol §7).
 */
export interface WireCounts {
  requests: number
  responses: number
  exceptions: number
}

export interface WireCounter {
  port: number
  counts(): WireCounts
  close(): Promise<void>
}

export async function startWireCounter(target: { host?: string; port: number }): Promise<WireCounter> {
  const counts: WireCounts = { requests: 0, responses: 0, exceptions: 0 }
  const sockets = new Set<net.Socket>()
  const frames = (onFrame: (functionCode: number) => void) => {
    let pending: Buffer = Buffer.alloc(0)
    return (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      while (pending.length >= 8) {
        const size = 6 + pending.readUInt16BE(4)
        if (pending.length < size) break
        onFrame(pending[7]!)
        pending = pending.subarray(size)
      }
    }
  }
  const server = net.createServer((client) => {
    const device = net.connect(target.port, target.host ?? '127.0.0.1')
    sockets.add(client).add(device)
    const countRequest = frames(() => counts.requests++)
    const countResponse = frames((fc) => (fc & 0x80 ? counts.exceptions++ : counts.responses++))
    client.on('data', (b) => {
      countRequest(b)
      device.write(b)
    })
    device.on('data', (b) => {
      countResponse(b)
      client.write(b)
    })
    const end = () => {
      client.destroy()
      device.destroy()
      sockets.delete(client)
      sockets.delete(device)
    }
    client.on('close', end).on('error', end)
    device.on('close', end).on('error', end)
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as net.AddressInfo).port,
    counts: () => ({ ...counts }),
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
