import type { Logger } from 'pino'
import { systemClock, type Clock } from '../../../shared/clock.ts'
import { startUplink, type Uplink, type UplinkOptions } from '../uplink.ts'
import { checkIotStart, type IotFiles } from './start-checks.ts'
import { createAwsIotTransport, type AwsIotTransportOptions } from './transport.ts'

/** How the edge reaches AWS IoT Core (edge config `uplink: { kind: aws-iot }`). */
export interface AwsIotLinkOptions extends IotFiles {
  endpoint: string
  port: number
  thingName: string
  keepaliveS: number
  reconnectMinMs: number
  reconnectMaxMs: number
  random?: () => number
  /** Lower than IoT Core's pace only (tests). */
  pace?: AwsIotTransportOptions['pace']
}

/** The checked link: start-time checks done (start-checks.ts), the uplink started later. */
export interface PreparedIotLink {
  readonly endpoint: string
  start(options: UplinkOptions): Uplink
}

/** Checks the thing's files and topics now (a coded error naming the file), connects at start(). */
export function prepareAwsIotLink(
  o: AwsIotLinkOptions,
  ids: { site: string; edge: string },
  clock: Clock,
  log: Logger,
): PreparedIotLink {
  const pem = checkIotStart(o, ids, clock.now(), log)
  return {
    endpoint: `mqtts://${o.endpoint}:${o.port}`,
    start: (options) =>
      startUplink(
        options,
        createAwsIotTransport({
          endpoint: o.endpoint,
          port: o.port,
          thingName: o.thingName,
          ...pem,
          ...(o.ca === undefined ? {} : { caFile: o.ca }),
          keepaliveS: o.keepaliveS,
          reconnectMinMs: o.reconnectMinMs,
          reconnectMaxMs: o.reconnectMaxMs,
          clock: options.clock ?? clock,
          log: options.log,
          ...(o.random === undefined ? {} : { random: o.random }),
          ...(o.pace === undefined ? {} : { pace: o.pace }),
        }),
      ),
  }
}

/** The uplink (../uplink.ts) over AWS IoT Core, checked and started at once (tests, the bench). */
export function startAwsIotUplink(options: UplinkOptions & AwsIotLinkOptions): Uplink {
  const clock = options.clock ?? systemClock
  return prepareAwsIotLink(options, { site: options.site, edge: options.edge }, clock, options.log).start(options)
}
