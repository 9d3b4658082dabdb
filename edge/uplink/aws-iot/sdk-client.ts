import { iot, mqtt5 } from 'aws-iot-device-sdk-v2'
import type { Clock } from '../../../shared/clock.ts'
import type { LastWill } from '../transport.ts'

export { crtErrorMessage, payloadBuffer } from '../../../shared/iot/sdk-values.ts'

/** How one connection to AWS IoT Core is made (edge config `uplink: { kind: aws-iot }`). */
export interface IotEndpoint {
  /** The account's data endpoint (aws iot describe-endpoint --endpoint-type iot:Data-ATS). */
  endpoint: string
  port: number
  /** The client id: IoT Core policies name the thing (client/${iot:Connection.Thing.ThingName}). */
  thingName: string
  /** PEM: the thing's certificate and key; the CA that signed the endpoint's certificate (absent: the system's). */
  cert: Buffer
  key: Buffer
  ca?: Buffer
  keepaliveS: number
}

/**
 * A fresh aws-crt MQTT 5 client for one connection attempt: mTLS with the thing's certificate,
 * a clean session with nothing queued across a disconnect (the outbox is the memory,
 * ../uplink.ts), the will of this connection. It is started by the caller and stopped at the
 * first failure or loss: the transport (transport.ts) makes the next attempt with a new client,
 * so every connection carries a will made anew and events of an old one are dropped.
 */
export function newIotClient(e: IotEndpoint, will: LastWill | null): mqtt5.Mqtt5Client {
  const builder = iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromMemory(
    e.endpoint,
    e.cert.toString('utf8'),
    e.key.toString('utf8'),
  )
  if (e.ca !== undefined) builder.withCertificateAuthority(e.ca.toString('utf8'))
  builder
    .withPort(e.port)
    .withSessionBehavior(mqtt5.ClientSessionBehavior.Clean)
    .withOfflineQueueBehavior(mqtt5.ClientOperationQueueBehavior.FailAllOnDisconnect)
    .withConnackTimeoutMs(10_000)
    .withConnectProperties({
      clientId: e.thingName,
      keepAliveIntervalSeconds: e.keepaliveS,
      sessionExpiryIntervalSeconds: 0,
      ...(will === null
        ? {}
        : {
            will: {
              topicName: will.topic,
              payload: typeof will.payload === 'function' ? will.payload() : will.payload,
              qos: will.qos === 1 ? mqtt5.QoS.AtLeastOnce : mqtt5.QoS.AtMostOnce,
              retain: will.retain,
            },
          }),
    })
  return new mqtt5.Mqtt5Client(builder.build())
}

/** How long a stopping client may take before it is freed anyway (a stalled TLS handshake never reports "stopped"). */
const STOP_GRACE_MS = 2_000

/**
 * Stops a client (a DISCONNECT only when `clean`: without one the broker publishes the will) and
 * frees its native side once it reports "stopped", or after STOP_GRACE_MS: with a CA that does
 * not sign the endpoint's certificate, aws-crt 1.28's handshake was seen to stall without a
 * failure and without ever stopping.
 */
export function retire(client: mqtt5.Mqtt5Client, clean: boolean, clock: Clock, stopped: () => void = () => {}): void {
  let freed = false
  const free = () => {
    if (freed) return
    freed = true
    clock.clearTimeout(grace)
    client.close()
    stopped()
  }
  // close() frees the native client; from inside its own event it must wait a turn.
  client.once('stopped', () => setImmediate(free))
  const grace = clock.setTimeout(free, STOP_GRACE_MS)
  if (clean) client.stop({ reasonCode: mqtt5.DisconnectReasonCode.NormalDisconnection })
  else client.stop()
}
