import { iot, mqtt5 } from 'aws-iot-device-sdk-v2'
import type { Clock } from '../../../shared/clock.ts'
import { IOT_PACE, iotPublishProblem, iotTopicProblem } from '../../../shared/iot/limits.ts'
import { createPublishGate } from '../../../shared/iot/publish-gate.ts'
import { crtErrorMessage, payloadBuffer } from '../../../shared/iot/sdk-values.ts'
import type { Granted, IngestTransport } from '../transport.ts'

/** The cloud's link to AWS IoT Core: its own certificate, a client id of its own (not an edge's thing). */
export interface AwsIotIngestLinkOptions {
  endpoint: string
  port: number
  clientId: string
  /** PEM: this instance's certificate and key, and the CA of the endpoint's certificate (absent: the system's). */
  cert: Buffer
  key: Buffer
  ca?: Buffer
  keepaliveS: number
  /** How long IoT Core keeps the session (its queued QoS 1 messages) while the cloud is away. */
  sessionExpiryS: number
  clock: Clock
}

/**
 * The ingest transport (../transport.ts) over aws-iot-device-sdk-v2's MQTT 5 client. One client
 * for the service's life: the SDK reconnects by itself (jittered backoff) and rejoins the
 * session (RejoinAlways, `sessionExpiryS`), so what arrives while the cloud restarts is queued by
 * IoT Core. PUBACK waits for `done` (the SDK's acknowledgement handle). The cloud's own publishes
 * (acks, commands) pass IoT Core's limits as the edge's do (shared/iot/): over 128 KB or a topic
 * too deep → refused before the SDK; paced per connection.
 */
export function createAwsIotIngestTransport(o: AwsIotIngestLinkOptions): IngestTransport {
  let client: mqtt5.Mqtt5Client | null = null
  const gate = createPublishGate({
    clock: o.clock,
    perSecond: IOT_PACE.perSecond,
    burst: IOT_PACE.burst,
    bytesPerSecond: IOT_PACE.bytesPerSecond,
    burstBytes: IOT_PACE.burstBytes,
    maxInflightQos1: IOT_PACE.inflightQos1,
  })
  const live = (): mqtt5.Mqtt5Client => {
    if (client === null) throw new Error('the ingest transport is not connected yet')
    return client
  }
  const qosOf = (q: 0 | 1) => (q === 1 ? mqtt5.QoS.AtLeastOnce : mqtt5.QoS.AtMostOnce)
  return {
    endpoint: `mqtts://${o.endpoint}:${o.port}`,
    clientId: o.clientId,
    connect(events) {
      if (client !== null) throw new Error('the ingest transport is connected already')
      const c = new mqtt5.Mqtt5Client(config(o))
      client = c
      c.on('connectionSuccess', ({ connack }) => events.onConnect({ sessionPresent: connack.sessionPresent }))
      c.on('disconnection', ({ error }) => {
        events.onError(crtErrorMessage(error))
        events.onClose()
      })
      c.on('connectionFailure', ({ error }) => events.onError(crtErrorMessage(error)))
      c.on('messageReceived', ({ message, acknowledgementControl }) => {
        const handle = acknowledgementControl?.acquireHandle() ?? null
        events.onMessage(
          { topic: message.topicName, payload: payloadBuffer(message.payload), retained: message.retain === true },
          () => handle?.invokeAcknowledgement(),
        )
      })
      c.start()
    },
    publish(topic, payload, opts, done) {
      const refused = iotPublishProblem(topic, payload.length)
      if (refused !== null) return done?.(refused)
      const c = live()
      gate.submit({
        qos: opts.qos,
        bytes: payload.length,
        fail: (err) => done?.(err),
        send: (release) =>
          c.publish({ topicName: topic, payload, qos: qosOf(opts.qos), retain: opts.retain }).then(
            (puback) => {
              release()
              done?.(
                puback && puback.reasonCode >= 0x80
                  ? new Error(`publish refused (reason 0x${puback.reasonCode.toString(16)})`)
                  : undefined,
              )
            },
            (err: unknown) => {
              release()
              done?.(new Error(crtErrorMessage(err)))
            },
          ),
      })
    },
    subscribe(filters, done) {
      const entries = Object.entries(filters)
      const deep = entries.map(([f]) => iotTopicProblem(f, true)).find((p) => p !== null)
      if (deep) return done(new Error(deep), [])
      live()
        .subscribe({ subscriptions: entries.map(([topicFilter, qos]) => ({ topicFilter, qos: qosOf(qos) })) })
        .then(
          (suback) =>
            done(
              null,
              entries.map(([filter], i): Granted[number] => {
                const code = suback.reasonCodes[i] ?? 0x80
                return { filter, qos: code >= 0x80 ? null : code === 0 ? 0 : 1 }
              }),
            ),
          (err: unknown) => done(new Error(crtErrorMessage(err)), []),
        )
    },
    async close() {
      const c = client
      client = null
      gate.close(new Error('the ingest transport was closed'))
      if (c === null) return
      await new Promise<void>((resolve) => {
        const force = o.clock.setTimeout(resolve, 2_000)
        c.once('stopped', () => {
          o.clock.clearTimeout(force)
          resolve()
        })
        c.stop({ reasonCode: mqtt5.DisconnectReasonCode.NormalDisconnection })
      })
      // close() frees the native client; never from inside its own event.
      await new Promise((r) => setImmediate(r))
      c.close()
    },
  }
}

function config(o: AwsIotIngestLinkOptions): mqtt5.Mqtt5ClientConfig {
  const builder = iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromMemory(
    o.endpoint,
    o.cert.toString('utf8'),
    o.key.toString('utf8'),
  )
  if (o.ca !== undefined) builder.withCertificateAuthority(o.ca.toString('utf8'))
  return builder
    .withPort(o.port)
    .withSessionBehavior(mqtt5.ClientSessionBehavior.RejoinAlways)
    .withConnackTimeoutMs(10_000)
    .withMinReconnectDelayMs(500)
    .withMaxReconnectDelayMs(30_000)
    .withConnectProperties({
      clientId: o.clientId,
      keepAliveIntervalSeconds: o.keepaliveS,
      sessionExpiryIntervalSeconds: o.sessionExpiryS,
    })
    .build()
}
