import type { IncomingMessage } from 'node:http'

/**
 * How a browser learns why the relay refused it. A refused WebSocket upgrade shows a page only
 * close code 1006, never the HTTP status or body (WHATWG WebSockets: the failure is opaque). A
 * client that offers this subprotocol (the dashboard's player, cloud/dashboard/src/live/) has its
 * refusal answered by an upgrade closed at once with 4000 + the HTTP status (RFC 6455 §7.4.2:
 * 4000–4999 are the application's) and the reason: 4401 token missing/invalid/expired, 4403
 * foreign origin or another camera's token, 4404 unknown camera, 4503 too many streams. Nothing is
 * streamed and nothing more is said than the HTTP refusal says. A stream that fails later closes
 * with 1011 and ffmpeg's reason, as for any client.
 */
export const LIVE_PROTOCOL = 'parklink-live'

export function offersLiveProtocol(req: IncomingMessage): boolean {
  const offered = req.headers['sec-websocket-protocol']
  return typeof offered === 'string' && offered.split(',').some((p) => p.trim() === LIVE_PROTOCOL)
}

export const refusalCloseCode = (status: number): number => 4000 + status

/** A close reason is at most 123 bytes (RFC 6455 §5.5: control frames carry ≤ 125). */
export const closeReason = (reason: string): string => Buffer.from(reason).subarray(0, 123).toString('utf8')
