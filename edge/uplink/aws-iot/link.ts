import { mqtt5 } from 'aws-iot-device-sdk-v2'
import type { Clock } from '../../../shared/clock.ts'
import type { ParklinkError } from '../../../shared/errors.ts'
import { iotPublishProblem, iotTopicProblem } from '../../../shared/iot/limits.ts'
import type { PublishGate } from '../../../shared/iot/publish-gate.ts'
import type { UplinkLink } from '../transport.ts'
import { crtErrorMessage, retire } from './sdk-client.ts'

/**
 * The link interface (../transport.ts) over one connected aws-crt client, within IoT Core's
 * limits (shared/iot/limits.ts): a payload over 128 KB or a topic IoT Core would refuse is
 * never handed to the SDK (`done` gets the coded error and `onRefused` hears of it), and every
 * publish passes the connection's gate (pace and QoS 1 in flight).
 */
export function iotLink(
  client: mqtt5.Mqtt5Client,
  clock: Clock,
  gate: PublishGate,
  onRefused: (err: ParklinkError) => void,
): UplinkLink {
  let retired = false
  const end = (clean: boolean, done: () => void = () => {}) => {
    if (retired) return done()
    retired = true
    gate.close(new Error('the connection was closed'))
    retire(client, clean, clock, done)
  }
  return {
    publish(topic, payload, opts, done) {
      const refused = iotPublishProblem(topic, payload.length)
      if (refused !== null) {
        onRefused(refused)
        return done?.(refused)
      }
      gate.submit({
        qos: opts.qos,
        bytes: payload.length,
        fail: (err) => done?.(err),
        send: (release) =>
          client
            .publish({
              topicName: topic,
              payload,
              qos: opts.qos === 1 ? mqtt5.QoS.AtLeastOnce : mqtt5.QoS.AtMostOnce,
              retain: opts.retain ?? false,
            })
            .then(
              (puback) => {
                release()
                done?.(pubackError(puback))
              },
              (err: unknown) => {
                release()
                done?.(new Error(crtErrorMessage(err)))
              },
            ),
      })
    },
    subscribe(filter, qos, done) {
      const why = iotTopicProblem(filter, true)
      if (why !== null) return done({ refused: false, error: why })
      client
        .subscribe({
          subscriptions: [{ topicFilter: filter, qos: qos === 1 ? mqtt5.QoS.AtLeastOnce : mqtt5.QoS.AtMostOnce }],
        })
        .then(
          (suback) => done((suback.reasonCodes[0] ?? 0x80) >= 0x80 ? { refused: true } : null),
          (err: unknown) => done({ refused: false, error: crtErrorMessage(err) }),
        )
    },
    disconnect: (done) => end(true, done),
    destroy: () => end(false),
  }
}

/** A PUBACK with a failure reason (MQTT 5 §3.4.2.1: 0x80 and above) as an error. */
function pubackError(puback: mqtt5.PublishCompletionResult): Error | undefined {
  if (puback === undefined || puback.reasonCode < 0x80) return undefined
  return new Error(
    `the broker refused the publish (reason 0x${puback.reasonCode.toString(16)}${puback.reasonString ? `: ${puback.reasonString}` : ''})`,
  )
}
