import { randomUUID } from 'node:crypto'
import dgram from 'node:dgram'

/**
 * WS-Discovery (ONVIF Core §7.3, WS-Discovery 2005/04): a Probe for NetworkVideoTransmitters,
 * sent to the multicast group 239.255.255.250:3702 and, for plant networks that do not pass
 * multicast, to given addresses (unicast). The builders and the parser are pure; discover() is
 * the socket.
 */
export const WS_DISCOVERY = { host: '239.255.255.250', port: 3702 }

export interface DiscoveredCamera {
  /** The endpoint reference (urn:uuid:…): stable across address changes. */
  urn: string
  xaddrs: string[]
  scopes: string[]
  /** From the onvif://www.onvif.org/name/… and /hardware/… scopes. */
  name: string | null
  hardware: string | null
  /** Who answered (ip:port). */
  from: string
}

export function probeMessage(messageId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header><a:MessageID>urn:uuid:${messageId}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header><s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>`
}

const text = (xml: string, local: string): string | null =>
  new RegExp(`<(?:[\\w-]+:)?${local}\\b[^>]*>([^<]*)</(?:[\\w-]+:)?${local}>`).exec(xml)?.[1]?.trim() ?? null

/** The ProbeMatch entries of a ProbeMatches answer (anything else: []). */
export function parseProbeMatches(xml: string, from: string): DiscoveredCamera[] {
  const out: DiscoveredCamera[] = []
  for (const m of xml.matchAll(/<(?:[\w-]+:)?ProbeMatch\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?ProbeMatch>/g)) {
    const body = m[1]!
    const urn = text(body, 'Address')
    if (!urn) continue
    const scopes = (text(body, 'Scopes') ?? '').split(/\s+/).filter(Boolean)
    const scope = (kind: string) => {
      const s = scopes.find((x) => x.startsWith(`onvif://www.onvif.org/${kind}/`))
      return s ? decodeURIComponent(s.slice(`onvif://www.onvif.org/${kind}/`.length)) : null
    }
    out.push({
      urn,
      xaddrs: (text(body, 'XAddrs') ?? '').split(/\s+/).filter(Boolean),
      scopes,
      name: scope('name'),
      hardware: scope('hardware'),
      from,
    })
  }
  return out
}

export interface DiscoverOptions {
  /** Unicast targets (host, port): cameras on networks without multicast. */
  probes?: Array<{ host: string; port: number }>
  multicast?: boolean
  /** How long to listen for answers (default 3 s). */
  timeoutMs?: number
}

export async function discoverOnvif(o: DiscoverOptions = {}): Promise<DiscoveredCamera[]> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true })
  const found = new Map<string, DiscoveredCamera>()
  const message = Buffer.from(probeMessage(randomUUID()))
  socket.on('message', (msg, rinfo) => {
    for (const cam of parseProbeMatches(msg.toString('utf8'), `${rinfo.address}:${rinfo.port}`))
      if (!found.has(cam.urn)) found.set(cam.urn, cam)
  })
  socket.on('error', () => {})
  await new Promise<void>((resolve) => socket.bind(0, () => resolve()))
  const targets = [...(o.multicast === false ? [] : [WS_DISCOVERY]), ...(o.probes ?? [])]
  await Promise.all(
    targets.map((t) => new Promise<void>((resolve) => socket.send(message, t.port, t.host, () => resolve()))),
  )
  await new Promise((resolve) => setTimeout(resolve, o.timeoutMs ?? 3_000))
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return [...found.values()]
}
