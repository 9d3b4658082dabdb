import { isIP } from 'node:net'
import type { Context, MiddlewareHandler } from 'hono'

/**
 * Where a request comes from. The socket's peer address (@hono/node-server hands the Node request
 * in as `c.env.incoming`); X-Forwarded-For only when that peer is a trusted proxy, and then the
 * rightmost address in it that is not itself a trusted proxy (the ones left of it were written
 * by the client and prove nothing). The audit log and the login throttle both use `address`.
 */
export interface Source {
  /** The client as far as can be trusted: the peer, or the client a trusted proxy names. */
  address: string
  /** The socket's peer, when it differs from `address` (the proxy). */
  via?: string
}

declare module 'hono' {
  interface ContextVariableMap {
    source: Source
  }
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
const plain = (address: string) =>
  address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address

/** The peer of the request's socket; 'unknown' when the app is called without one (app.request in tests). */
export function peerAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  const address = env?.incoming?.socket?.remoteAddress
  return address ? plain(address) : 'unknown'
}

export function resolveSource(
  peer: string,
  forwardedFor: string | undefined,
  trusted: (address: string) => boolean,
): Source {
  if (!forwardedFor || !trusted(peer)) return { address: peer }
  const hops = forwardedFor.split(',').map((s) => plain(s.trim()))
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!
    if (isIP(hop) === 0) break // garbage: stop believing the header here
    if (!trusted(hop)) return { address: hop, via: peer }
  }
  return { address: peer }
}

/** Sets `source` on every request (read with sourceOf). */
export function sourceMiddleware(trusted: (address: string) => boolean): MiddlewareHandler {
  return async (c, next) => {
    c.set('source', resolveSource(peerAddress(c), c.req.header('x-forwarded-for'), trusted))
    await next()
  }
}

export const sourceOf = (c: Context): Source => c.get('source') ?? { address: peerAddress(c) }
