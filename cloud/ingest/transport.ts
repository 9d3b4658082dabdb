/**
 * The cloud's link to the park's broker, as ingest (ingest.ts) needs it: connect, publish with
 * QoS and retain, subscribe, messages acknowledged when handled, connection state, close. The
 * ingest protocol (inbox order, acks, commands, hole watch) is written against this; mqtt.js is
 * one implementation (mqtt/), an AWS IoT Core client would be another.
 *
 * Contract for an implementation:
 * - a persistent session: what arrives while the cloud is away is queued by the broker where
 *   it can (correctness does not depend on it: edges resend until acked);
 * - a message is acknowledged to the broker (MQTT PUBACK) only when `done` is called, so one
 *   never handled is redelivered to the session;
 * - it reconnects by itself after a loss, reporting onClose and then onConnect again.
 */
export type Qos = 0 | 1

export interface PublishOptions {
  qos: Qos
  retain: boolean
}

export interface InboundPacket {
  topic: string
  payload: Buffer
  retained: boolean
}

/** What the broker granted per filter: the QoS, or null when it refused (ACL). */
export type Granted = ReadonlyArray<{ filter: string; qos: Qos | null }>

export interface IngestTransportEvents {
  /** Connected (again): subscribe. `sessionPresent`: the broker kept our session. */
  onConnect(info: { sessionPresent: boolean }): void
  /** One message; call `done` once it is handled, to acknowledge it to the broker. */
  onMessage(packet: InboundPacket, done: () => void): void
  /** The connection is gone; the transport reconnects by itself. */
  onClose(): void
  /** A connection problem, for the log and /api/v1/health. */
  onError(message: string): void
}

export interface IngestTransport {
  /** Where it connects, for the log (a broker URL, an IoT endpoint). */
  readonly endpoint: string
  readonly clientId: string
  /** Starts connecting, for good (a broker unavailable at start is not an error). */
  connect(events: IngestTransportEvents): void
  /** `done` once the broker has it (QoS 1) or it failed. */
  publish(topic: string, payload: Buffer, options: PublishOptions, done?: (err?: Error) => void): void
  subscribe(filters: Readonly<Record<string, Qos>>, done: (err: Error | null, granted: Granted) => void): void
  /** A clean disconnect, forced after a bound; resolves when the connection is gone. */
  close(): Promise<void>
}
