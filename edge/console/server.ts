import type { Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { loadUplinkTls } from '../uplink/tls.ts'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { createConsoleApp, type ConsoleDeps } from './app.ts'
import { parseListen, type ConsoleConfig } from './config.ts'
import { createConnectionGate, gateServer, type ConnectionCounts } from '../net/connection-gate.ts'

/** Serves the console on the configured address only (the plant-LAN NIC, or loopback). */
export interface RunningConsole {
  url: string
  port: number
  /** Connections open, admitted and refused (over the caps) since start. */
  connections(): ConnectionCounts
  stop(): Promise<void>
}

/** A client must send its headers within 10 s and its whole request within 30 s (slow senders hold a slot no longer). */
const HEADERS_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 30_000

type ServerConfig = Pick<ConsoleConfig, 'listen' | 'tls' | 'maxConnections' | 'maxConnectionsPerAddress'> & {
  maxBodyBytes?: number
  maxUploadBytes?: number
}

export async function startConsole(
  config: ServerConfig,
  deps: Omit<ConsoleDeps, 'secure' | 'maxBodyBytes' | 'maxUploadBytes'>,
): Promise<RunningConsole> {
  const at = parseListen(config.listen)
  if (!at)
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `console.listen "${String(config.listen)}" is not an address:port`,
      { hint: 'use e.g. "192.168.1.10:8088" (the plant-LAN address) or a port number' },
    )
  const tls = loadUplinkTls(config.tls, 'console.tls')
  const app = createConsoleApp({
    ...deps,
    secure: tls !== undefined,
    ...(config.maxBodyBytes !== undefined ? { maxBodyBytes: config.maxBodyBytes } : {}),
    ...(config.maxUploadBytes !== undefined ? { maxUploadBytes: config.maxUploadBytes } : {}),
  })
  const server = (
    tls
      ? createAdaptorServer({
          fetch: app.fetch,
          hostname: at.host,
          createServer: createHttpsServer,
          serverOptions: { cert: tls.cert!, key: tls.key! },
        })
      : createAdaptorServer({ fetch: app.fetch, hostname: at.host })
  ) as Server
  server.headersTimeout = HEADERS_TIMEOUT_MS
  server.requestTimeout = REQUEST_TIMEOUT_MS
  const gate = createConnectionGate({ maxTotal: config.maxConnections, maxPerAddress: config.maxConnectionsPerAddress })
  gateServer(server, gate)
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new ParklinkError(
          ErrorCodes.LISTEN_FAILED,
          `the console cannot listen on ${at.host}:${at.port}: ${errorMessage(err)}`,
          {
            hint:
              err.code === 'EADDRINUSE'
                ? `another program uses port ${at.port}: choose another in console.listen`
                : err.code === 'EADDRNOTAVAIL'
                  ? `no network card of this box has the address ${at.host}: use the plant-LAN NIC's address (ip -4 addr)`
                  : 'check console.listen in the edge config',
            cause: err,
          },
        ),
      ),
    )
    server.listen(at.port, at.host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  let stopping: Promise<void> | null = null
  return {
    url: `${tls ? 'https' : 'http'}://${at.host}:${port}`,
    port,
    connections: () => gate.counts(),
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        // The page keeps a keep-alive connection open between its fetches.
        server.closeAllConnections()
      })
      return stopping
    },
  }
}
