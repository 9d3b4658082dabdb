import net from 'node:net'
import { Aedes } from 'aedes'

/**
 * The demo's embedded MQTT broker (aedes, in memory). Production uses Mosquitto with
 * persistence (deploy/mosquitto/); the delivery protocol does not depend on either keeping
 * messages, because edges resend from their outbox until the cloud acks.
 */
export interface EmbeddedBroker {
  port: number
  url: string
  close(): Promise<void>
}

export async function startEmbeddedBroker(port = 0, host = '127.0.0.1'): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker({ drainTimeout: 30_000 })
  const server = net.createServer(broker.handle)
  const sockets = new Set<net.Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const actual = (server.address() as net.AddressInfo).port
  return {
    port: actual,
    url: `mqtt://${host}:${actual}`,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await new Promise<void>((resolve) => broker.close(() => resolve()))
    },
  }
}
