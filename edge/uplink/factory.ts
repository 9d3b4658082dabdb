import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import { insecureWarning, isInsecureRemote } from '../../shared/transport.ts'
import type { EdgeConfig } from '../config.ts'
import { prepareAwsIotLink } from './aws-iot/aws-iot-uplink.ts'
import { checkUplinkCertificate } from './certificate-identity.ts'
import { startMqttUplink } from './mqtt/mqtt-uplink.ts'
import { loadUplinkTls } from './tls.ts'
import type { Uplink, UplinkOptions } from './uplink.ts'

/** The uplink's transport chosen by `uplink.kind`, its start-time checks already done. */
export interface PreparedUplink {
  /** Where it connects, for the log. */
  readonly endpoint: string
  start(options: UplinkOptions): Uplink
}

/**
 * Reads and checks what the configured transport needs before anything opens (the agent calls
 * this first, so a bad file refuses the start with its name): `mqtt` (the default) the broker's
 * TLS files and this edge's certificate, `aws-iot` the thing's certificate, key and CA and the
 * topics' depth (edge/uplink/aws-iot/start-checks.ts).
 */
export function prepareUplink(
  config: EdgeConfig,
  o: { password?: string | undefined; clock: Clock; log: Logger },
): PreparedUplink {
  const u = config.uplink
  if (u.kind === 'aws-iot')
    return prepareAwsIotLink(
      {
        endpoint: u.endpoint,
        port: u.port,
        thingName: u.thingName,
        cert: u.cert,
        key: u.key,
        ca: u.ca,
        keepaliveS: u.keepaliveS,
        reconnectMinMs: u.reconnectMinMs,
        reconnectMaxMs: u.reconnectMaxMs,
      },
      config,
      o.clock,
      o.log,
    )
  const tls = loadUplinkTls(u.tls)
  if (tls?.cert) checkUplinkCertificate(tls.cert, u.tls!.cert!, config.site, config.edge, o.clock.now())
  for (const url of [u.url, ...u.failover])
    if (u.allowInsecure && isInsecureRemote(url)) o.log.warn({ url }, insecureWarning('uplink.allowInsecure', url))
  return {
    endpoint: u.url,
    start: (options) =>
      startMqttUplink({
        ...options,
        url: u.url,
        failover: u.failover,
        clientId: u.clientId,
        ...(u.username === undefined ? {} : { username: u.username }),
        ...(o.password === undefined ? {} : { password: o.password }),
        ...(tls === undefined ? {} : { tls }),
        reconnectMinMs: u.reconnectMinMs,
        reconnectMaxMs: u.reconnectMaxMs,
        keepaliveS: u.keepaliveS,
      }),
  }
}
