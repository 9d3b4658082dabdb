import net from 'node:net'
import { Aedes } from 'aedes'
import type { BrokerAccess } from './broker-access.ts'

/**
 * The embedded MQTT broker (aedes, in memory): the demo's broker, and the tests' in-process one.
 * With `access` it authenticates every client and applies the park's topic rules (the demo always
 * gives it: deploy/demo/run.ts); without `access` or `authenticate` it is OPEN (anyone may connect
 * and publish anything): only for tests that are not about the broker's security.
 * Production uses Mosquitto with persistence (deploy/mosquitto/); the delivery protocol does not
 * depend on either keeping messages, because edges resend from their outbox until the cloud acks.
 */
export interface EmbeddedBroker {
  port: number
  url: string
  aedes: Aedes
  /** Closes every connection and the listener; the port may be bound again afterwards. */
  close(): Promise<void>
}

export interface EmbeddedBrokerOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Accept or refuse a CONNECT by its credentials (tests of login handling; no topic rules). */
  authenticate?: (username: string | undefined, password: string | undefined) => boolean
  /** Logins, client id bound to user, and the topic rules (deploy/demo/broker-access.ts). */
  access?: BrokerAccess
}

export async function startEmbeddedBroker(port = 0, options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1'
  const check = options.authenticate
  if (check && options.access) throw new Error('startEmbeddedBroker: give authenticate or access, not both')
  const aedes = await Aedes.createBroker({
    drainTimeout: 30_000,
    ...(check
      ? { authenticate: (_client, username, password, done) => done(null, check(username, password?.toString('utf8'))) }
      : {}),
    ...(options.access ? options.access.hooks : {}),
  })
  const server = net.createServer(aedes.handle)
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
    aedes,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
    },
  }
}
