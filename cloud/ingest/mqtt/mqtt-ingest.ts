import { startIngest, type Ingest, type IngestOptions } from '../ingest.ts'
import { createMqttIngestTransport, type MqttIngestLinkOptions } from './mqtt-transport.ts'

export type MqttIngestOptions = IngestOptions & MqttIngestLinkOptions
export type { Ingest }

/** Ingest (../ingest.ts) from the park's Mosquitto over mqtt.js (cloud config `mqtt`). */
export function startMqttIngest(options: MqttIngestOptions): Ingest {
  const { url, failover, clientId, username, password, tls, reconnectPeriodMs, keepaliveS, ...rest } = options
  const transport = createMqttIngestTransport({
    url,
    ...(failover === undefined ? {} : { failover }),
    clientId,
    reconnectPeriodMs,
    keepaliveS,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(tls === undefined ? {} : { tls }),
  })
  return startIngest(rest, transport)
}
