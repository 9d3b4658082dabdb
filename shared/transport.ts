/**
 * Plain MQTT leaves this host only where someone says so (brief §7, 等保 level 3: confidentiality
 * and integrity in transit): an `mqtt://`, `tcp://` or `ws://` URL to any host but the loopback
 * (127.0.0.1, ::1, localhost) is refused by config validation unless the block sets
 * `allowInsecure: true`, and then the service warns at every start. Pure.
 */
const PLAIN = /^(mqtt|tcp|ws):\/\//i
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

/** The host of a broker URL (brackets of an IPv6 literal removed), or null when it has none. */
export function urlHost(url: string): string | null {
  try {
    const host = new URL(url).hostname
    return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  } catch {
    return null
  }
}

/** True for a plain (unencrypted) URL whose host is not this machine's loopback. */
export const isInsecureRemote = (url: string): boolean =>
  PLAIN.test(url) && !LOOPBACK.has(urlHost(url)?.toLowerCase() ?? '')

export const INSECURE_MESSAGE =
  'plain mqtt:// to another host sends data and logins in clear text: use mqtts:// with tls (parklink pki issue …), or set allowInsecure: true'

/** The warning logged at every start while allowInsecure lets a plain remote URL through. */
export const insecureWarning = (where: string, url: string): string =>
  `${where}: ${url} is unencrypted (allowInsecure: true): data, acks and logins cross the network in clear text; switch to mqtts:// (README, Security model)`
