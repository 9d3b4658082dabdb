/**
 * The edge's link to the park's broker, as the uplink (uplink.ts) needs it: connect with a last
 * will, publish with QoS and retain, subscribe, messages, connection state, close. The uplink's
 * protocol (outbox forwarding, acks, commands, birth and death) is written against this and
 * nothing else; mqtt.js is one implementation (mqtt/), an AWS IoT Core client would be another.
 *
 * Contract for an implementation:
 * - after connect() it keeps (re)connecting with backoff until close(), and a lost link is
 *   reported once through onClose;
 * - every connection is a NEW link object; events of an old link are never delivered after its
 *   onClose (the uplink compares links to tell a stale callback from a current one);
 * - a fresh session per connection (MQTT clean session): nothing an old link queued is replayed;
 *   the outbox is the memory (uplink.ts);
 * - the will is published by the broker when a link dies without a clean disconnect.
 */
export type Qos = 0 | 1

export interface PublishOptions {
  qos: Qos
  retain?: boolean
}

export interface LastWill {
  topic: string
  /** A function: made anew for every connection (a sealed will carries its own counter, issue 20). */
  payload: Buffer | (() => Buffer)
  qos: Qos
  retain: boolean
}

/** One connection, valid from onConnect until onClose. */
export interface UplinkLink {
  /** `done` once the broker has it (QoS 1) or it failed (the link went away meanwhile). */
  publish(topic: string, payload: Buffer, options: PublishOptions, done?: (err?: Error) => void): void
  /** `done(null)` when granted; an error when it failed, or with `refused` when the broker said no (ACL). */
  subscribe(filter: string, qos: Qos, done: (failure: SubscribeFailure | null) => void): void
  /** A clean disconnect (the broker drops the will); `done` when sent, or when it cannot be. */
  disconnect(done: () => void): void
  /** Drops the connection at once, without a goodbye. */
  destroy(): void
}

export type SubscribeFailure = { refused: true } | { refused: false; error: string }

export interface UplinkTransportEvents {
  /** Connected: subscribe and announce (the uplink's birth). */
  onConnect(link: UplinkLink): void
  onMessage(link: UplinkLink, topic: string, payload: Buffer, retained: boolean): void
  /** A connection problem, for the log and the status; the transport retries by itself. */
  onError(message: string): void
  /** The link (or an attempt) is gone; the next attempt is scheduled unless closed. */
  onClose(link: UplinkLink, wasConnected: boolean): void
}

export interface UplinkTransport {
  /** Where it connects, for the log (a broker URL, an IoT endpoint). */
  readonly endpoint: string
  readonly clientId: string
  /** Starts connecting, for good: reconnects with backoff after every loss until close(). */
  connect(will: LastWill, events: UplinkTransportEvents): void
  /** The link of the current connection or attempt; null between attempts and after close. */
  current(): UplinkLink | null
  /** Gives up on this link (e.g. a refused subscription) and reconnects after the backoff. */
  reconnect(link: UplinkLink): void
  /** Stops reconnecting; hands back the connected link, if any, for a goodbye before disconnect. */
  close(): UplinkLink | null
}
