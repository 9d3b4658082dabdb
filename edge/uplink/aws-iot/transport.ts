import type { mqtt5 } from 'aws-iot-device-sdk-v2'
import type { Logger } from 'pino'
import { backoffDelay, type Clock, type TimerHandle } from '../../../shared/clock.ts'
import { ErrorCodes } from '../../../shared/errors.ts'
import { IOT_PACE } from '../../../shared/iot/limits.ts'
import { createPublishGate } from '../../../shared/iot/publish-gate.ts'
import type { LastWill, UplinkLink, UplinkTransport, UplinkTransportEvents } from '../transport.ts'
import { iotLink } from './link.ts'
import { crtErrorMessage, newIotClient, payloadBuffer, type IotEndpoint } from './sdk-client.ts'

export interface AwsIotTransportOptions extends IotEndpoint {
  /** The CA file, named in the hint when the endpoint's certificate is not trusted. */
  caFile?: string
  reconnectMinMs: number
  reconnectMaxMs: number
  clock: Clock
  log: Logger
  random?: () => number
  /** An attempt with neither a CONNACK nor a failure by then is given up (default 20 s: the SDK's CONNACK timeout is 10 s). */
  attemptTimeoutMs?: number
  /** IoT Core's pace (shared/iot/limits.ts IOT_PACE); a test may lower it, never raise it. */
  pace?: { perSecond: number; burst: number; bytesPerSecond: number; burstBytes: number; inflightQos1: number }
}

/**
 * The uplink transport (../transport.ts) over aws-iot-device-sdk-v2's MQTT 5 client. As the
 * mqtt.js one (../mqtt/connection.ts): one client per connection attempt, dropped at its first
 * failure or loss (the SDK's own reconnect never runs), the next attempt after a jittered backoff
 * on the injected clock. Each connection has its own publish gate: IoT Core's pace and in-flight
 * limits hold per connection.
 */
export function createAwsIotTransport(o: AwsIotTransportOptions): UplinkTransport {
  const endpoint = `mqtts://${o.endpoint}:${o.port}`
  const pace = o.pace ?? IOT_PACE
  const attemptTimeoutMs = o.attemptTimeoutMs ?? 20_000
  let client: mqtt5.Mqtt5Client | null = null
  let link: UplinkLink | null = null
  let connected = false
  let attempt = 0
  let timer: TimerHandle | null = null
  /** The current attempt's deadline for a CONNACK or a failure. */
  let deadline: TimerHandle | null = null
  let stopped = false
  let will: LastWill | null = null
  let events: UplinkTransportEvents | null = null

  const connect = () => {
    timer = null
    if (stopped || events === null) return
    const on = events
    const c = newIotClient(o, will)
    const gate = createPublishGate({
      clock: o.clock,
      perSecond: pace.perSecond,
      burst: pace.burst,
      bytesPerSecond: pace.bytesPerSecond,
      burstBytes: pace.burstBytes,
      maxInflightQos1: pace.inflightQos1,
    })
    const l = iotLink(c, o.clock, gate, (err) =>
      o.log.error({ code: err.code, hint: err.hint, err: err.message }, 'message not sent: over an AWS IoT Core limit'),
    )
    client = c
    link = l
    connected = false
    deadline = o.clock.setTimeout(() => {
      deadline = null
      if (c !== client || connected) return
      on.onError(stalledMessage(attemptTimeoutMs, o.caFile))
      closed(l)
    }, attemptTimeoutMs)
    c.on('connectionSuccess', () => {
      if (c !== client) return
      clearDeadline()
      connected = true
      attempt = 0
      on.onConnect(l)
    })
    c.on('messageReceived', ({ message }) => {
      if (c === client && connected)
        on.onMessage(l, message.topicName, payloadBuffer(message.payload), message.retain === true)
    })
    c.on('connectionFailure', ({ error }) => {
      if (c !== client) return
      on.onError(failureMessage(crtErrorMessage(error), o.caFile))
      closed(l)
    })
    c.on('disconnection', ({ error }) => {
      if (c !== client) return
      on.onError(crtErrorMessage(error))
      closed(l)
    })
    c.on('error', (err) => c === client && on.onError(crtErrorMessage(err)))
    c.start()
  }

  const clearDeadline = () => {
    if (deadline !== null) o.clock.clearTimeout(deadline)
    deadline = null
  }

  const closed = (l: UplinkLink) => {
    clearDeadline()
    const wasConnected = connected
    client = null
    link = null
    connected = false
    l.destroy()
    events?.onClose(l, wasConnected)
    if (stopped) return
    const delay = backoffDelay(attempt++, o.reconnectMinMs, o.reconnectMaxMs, o.random)
    if (wasConnected) o.log.warn({ url: endpoint, retryInMs: delay }, 'uplink disconnected; reconnecting')
    else o.log.debug({ url: endpoint, retryInMs: delay, attempt }, 'uplink reconnect scheduled')
    timer = o.clock.setTimeout(connect, delay)
  }

  return {
    endpoint,
    clientId: o.thingName,
    connect(w, e) {
      if (events !== null) throw new Error('the uplink transport is connected already')
      will = w
      events = e
      connect()
    },
    current: () => link,
    reconnect: (l) => {
      if (l === link && client !== null) closed(l)
    },
    close() {
      stopped = true
      if (timer !== null) o.clock.clearTimeout(timer)
      timer = null
      clearDeadline()
      const c = client
      const l = link
      client = null
      link = null
      if (c !== null && connected) return l
      l?.destroy() // an attempt under way: dropped (a link always comes with its client)
      return null
    },
  }
}

/** A failed TLS handshake most often means the CA does not sign the endpoint's certificate: said with the file. */
function failureMessage(message: string, caFile: string | undefined): string {
  if (!/TLS/i.test(message)) return message
  return `${ErrorCodes.CERT_UNTRUSTED}: TLS handshake failed (${message}); check uplink.ca${caFile ? ` (${caFile})` : ''}: it must be the CA of the endpoint's certificate (Amazon Root CA 1 for IoT Core), and uplink.cert an ACTIVE certificate of the thing`
}

/** Neither connected nor failed: an unreachable endpoint, or a TLS handshake that stalled on an untrusted certificate. */
function stalledMessage(ms: number, caFile: string | undefined): string {
  return `no connection within ${ms} ms: the endpoint is unreachable, or the TLS handshake stalled; check the endpoint and port, and that uplink.ca${caFile ? ` (${caFile})` : ''} is the CA of the endpoint's certificate (Amazon Root CA 1 for IoT Core)`
}
