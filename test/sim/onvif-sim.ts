import { randomBytes, randomUUID } from 'node:crypto'
import dgram from 'node:dgram'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import {
  checkDigest,
  checkUsernameToken,
  digestChallenge,
  durationMs,
  envelope,
  fault,
  operationOf,
  textOf,
} from './onvif-soap.ts'

/**
 * An ONVIF camera (Profile S device + media + PullPoint events) on port 0, for tests and the
 * demo. It answers what the `onvif` package's Cam asks: GetSystemDateAndTime (without
 * credentials, as ONVIF allows), GetServices/GetCapabilities, GetDeviceInformation, GetProfiles,
 * GetVideoSources, GetStreamUri, GetSnapshotUri, CreatePullPointSubscription, PullMessages,
 * Renew, Unsubscribe; checks WS-Security UsernameToken or HTTP digest credentials; serves a real
 * JPEG at its snapshot URI (digest-protected); answers a unicast WS-Discovery probe on UDP. A
 * test raises analytics events, makes an operation answer a SOAP fault, takes the camera
 * offline (every subscription is lost, as in a real reboot) and brings it back on the same port.
 */
export const INTRUSION_TOPIC = 'tns1:RuleEngine/FieldDetector/ObjectsInside'
export const SNAPSHOT_FIXTURE = new URL('../fixtures/camera-snapshot.jpg', import.meta.url)

export interface OnvifSimOptions {
  port?: number
  host?: string
  username?: string
  password?: string
  /** What GetStreamUri answers (default rtsp://{host}:8554/live). */
  streamUri?: string
  manufacturer?: string
  model?: string
  serial?: string
  /** Longest PullMessages wait, whatever the client asks (default 1 s). */
  maxPullWaitMs?: number
}

export interface RaiseOptions {
  topic?: string
  /** Data item name and value (default IsInside=true). */
  item?: { name: string; value: string }
  /** Event time (default now). */
  at?: number
}

interface Subscription {
  id: string
  expires: number
  queue: string[]
  wake: (() => void) | null
}

export interface OnvifSim {
  readonly host: string
  readonly port: number
  /** http://host:port/onvif/device_service */
  readonly xaddr: string
  /** UDP port answering WS-Discovery probes (unicast). */
  readonly discoveryPort: number
  readonly uuid: string
  online(): boolean
  /** Queues an event on every live PullPoint subscription; returns how many got it. */
  raise(options?: RaiseOptions): number
  /** The next calls of `operation` (or every call while `times` is Infinity) answer a SOAP fault. */
  failOperation(operation: string, reason: string, times?: number): void
  setSnapshot(body: Buffer, contentType?: string): void
  /** Calls per operation (and 'snapshot' for image fetches). */
  calls(operation: string): number
  subscriptions(): number
  /** Stops answering (connections reset, subscriptions lost), as a camera that lost power. */
  goOffline(): Promise<void>
  /** Answers again on the same port, with no subscriptions (a rebooted camera). */
  goOnline(): Promise<void>
  close(): Promise<void>
}

export async function startOnvifSim(options: OnvifSimOptions = {}): Promise<OnvifSim> {
  const host = options.host ?? '127.0.0.1'
  const username = options.username ?? 'admin'
  const password = options.password ?? 'sim-password'
  const uuid = randomUUID()
  const maxWait = options.maxPullWaitMs ?? 1_000
  const subs = new Map<string, Subscription>()
  const counts = new Map<string, number>()
  const faults = new Map<string, { reason: string; times: number }>()
  const nonces = new Set<string>()
  let snapshot: { body: Buffer; type: string } = { body: readFileSync(SNAPSHOT_FIXTURE), type: 'image/jpeg' }
  let port = options.port ?? 0
  let server: http.Server | null = null
  const sockets = new Set<Socket>()
  const base = () => `http://${host}:${port}`
  const iso = (ms: number) => new Date(ms).toISOString()

  const challenge = (res: http.ServerResponse) => {
    const nonce = randomBytes(12).toString('hex')
    nonces.add(nonce)
    res.writeHead(401, { 'WWW-Authenticate': digestChallenge(nonce), 'Content-Type': 'text/plain' }).end('Unauthorized')
  }
  const soap = (res: http.ServerResponse, status: number, xml: string) =>
    res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8' }).end(xml)

  /** true: allowed; false: an answer was sent. */
  const authorize = (req: http.IncomingMessage, body: string, res: http.ServerResponse): boolean => {
    const token = checkUsernameToken(body, username, password)
    if (token === true) return true
    if (token === false) {
      soap(res, 400, fault('Sender', 'ter:NotAuthorized', 'Sender not authorized'))
      return false
    }
    const digest = checkDigest(req.headers.authorization, req.method ?? 'POST', username, password, nonces)
    if (digest === true) return true
    challenge(res)
    return false
  }

  const handlers: Record<string, (body: string, path: string) => string | Promise<string>> = {
    GetSystemDateAndTime: () => {
      const d = new Date()
      return `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
    },
    GetServices: () => {
      const svc = (ns: string, p: string) =>
        `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${base()}${p}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>`
      return `<tds:GetServicesResponse>${svc('http://www.onvif.org/ver10/device/wsdl', '/onvif/device_service')}${svc('http://www.onvif.org/ver10/media/wsdl', '/onvif/media_service')}${svc('http://www.onvif.org/ver10/events/wsdl', '/onvif/event_service')}</tds:GetServicesResponse>`
    },
    GetCapabilities: () =>
      `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${base()}/onvif/device_service</tt:XAddr></tt:Device><tt:Events><tt:XAddr>${base()}/onvif/event_service</tt:XAddr><tt:WSPullPointSupport>true</tt:WSPullPointSupport></tt:Events><tt:Media><tt:XAddr>${base()}/onvif/media_service</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`,
    GetDeviceInformation: () =>
      `<tds:GetDeviceInformationResponse><tds:Manufacturer>${options.manufacturer ?? 'ParklinkSim'}</tds:Manufacturer><tds:Model>${options.model ?? 'PL-IPC-2MP'}</tds:Model><tds:FirmwareVersion>1.0.0</tds:FirmwareVersion><tds:SerialNumber>${options.serial ?? uuid.slice(0, 8)}</tds:SerialNumber><tds:HardwareId>sim</tds:HardwareId></tds:GetDeviceInformationResponse>`,
    GetProfiles: () =>
      `<trt:GetProfilesResponse><trt:Profiles token="profile_1" fixed="true"><tt:Name>main</tt:Name><tt:VideoSourceConfiguration token="vsc_1"><tt:Name>vsc</tt:Name><tt:UseCount>1</tt:UseCount><tt:SourceToken>vs_1</tt:SourceToken><tt:Bounds x="0" y="0" width="320" height="240"/></tt:VideoSourceConfiguration><tt:VideoEncoderConfiguration token="vec_1"><tt:Name>h264</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>320</tt:Width><tt:Height>240</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>10</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>512</tt:BitrateLimit></tt:RateControl></tt:VideoEncoderConfiguration></trt:Profiles></trt:GetProfilesResponse>`,
    GetVideoSources: () =>
      `<trt:GetVideoSourcesResponse><trt:VideoSources token="vs_1"><tt:Framerate>10</tt:Framerate><tt:Resolution><tt:Width>320</tt:Width><tt:Height>240</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`,
    GetStreamUri: () =>
      `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${options.streamUri ?? `rtsp://${host}:8554/live`}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`,
    GetSnapshotUri: () =>
      `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>${base()}/onvif/snapshot.jpg</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>`,
    CreatePullPointSubscription: (body) => {
      const id = randomUUID()
      const now = Date.now()
      const sub: Subscription = {
        id,
        expires: now + (durationMs(textOf(body, 'InitialTerminationTime')) ?? 60_000),
        queue: [],
        wake: null,
      }
      subs.set(id, sub)
      return `<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>${base()}/onvif/pullpoint/${id}</wsa:Address></tev:SubscriptionReference><wsnt:CurrentTime>${iso(now)}</wsnt:CurrentTime><wsnt:TerminationTime>${iso(sub.expires)}</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>`
    },
    PullMessages: async (body, path) => {
      const sub = subscription(path)
      const limit = Number(textOf(body, 'MessageLimit') ?? 10)
      if (sub.queue.length === 0) {
        const wait = Math.min(durationMs(textOf(body, 'Timeout')) ?? maxWait, maxWait)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait)
          sub.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        sub.wake = null
      }
      const messages = sub.queue.splice(0, limit)
      const now = Date.now()
      return `<tev:PullMessagesResponse><tev:CurrentTime>${iso(now)}</tev:CurrentTime><tev:TerminationTime>${iso(sub.expires)}</tev:TerminationTime>${messages.join('')}</tev:PullMessagesResponse>`
    },
    Renew: (body, path) => {
      const sub = subscription(path)
      const now = Date.now()
      sub.expires = now + (durationMs(textOf(body, 'TerminationTime')) ?? 60_000)
      return `<wsnt:RenewResponse><wsnt:TerminationTime>${iso(sub.expires)}</wsnt:TerminationTime><wsnt:CurrentTime>${iso(now)}</wsnt:CurrentTime></wsnt:RenewResponse>`
    },
    Unsubscribe: (_body, path) => {
      subs.delete(subscription(path).id)
      return '<wsnt:UnsubscribeResponse/>'
    },
  }

  class SoapFault extends Error {}
  function subscription(path: string): Subscription {
    const id = /\/onvif\/pullpoint\/([\w-]+)$/.exec(path)?.[1]
    const sub = id === undefined ? undefined : subs.get(id)
    if (!sub || sub.expires < Date.now()) throw new SoapFault('unknown or expired subscription')
    return sub
  }

  const onRequest = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!
    if (req.method === 'GET' && path === '/onvif/snapshot.jpg') {
      counts.set('snapshot', (counts.get('snapshot') ?? 0) + 1)
      const ok = checkDigest(req.headers.authorization, 'GET', username, password, nonces)
      if (ok !== true) return challenge(res)
      return void res
        .writeHead(200, { 'Content-Type': snapshot.type, 'Content-Length': snapshot.body.length })
        .end(snapshot.body)
    }
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const op = operationOf(body)
    if (op === null || req.method !== 'POST')
      return soap(res, 400, fault('Sender', 'ter:WellFormed', 'not a SOAP request'))
    counts.set(op, (counts.get(op) ?? 0) + 1)
    if (op !== 'GetSystemDateAndTime' && !authorize(req, body, res)) return
    const planned = faults.get(op)
    if (planned && planned.times > 0) {
      planned.times--
      return soap(res, 500, fault('Receiver', 'ter:Action', planned.reason))
    }
    const handler = handlers[op]
    if (!handler)
      return soap(res, 400, fault('Sender', 'ter:ActionNotSupported', `${op} is not supported by this simulator`))
    try {
      soap(res, 200, envelope(await handler(body, path)))
    } catch (err) {
      if (err instanceof SoapFault) return soap(res, 400, fault('Sender', 'ter:InvalidArgVal', err.message))
      soap(res, 500, fault('Receiver', 'ter:Action', String(err)))
    }
  }

  const listen = async () => {
    const s = http.createServer((req, res) => void onRequest(req, res).catch(() => res.destroy()))
    s.on('connection', (c) => {
      sockets.add(c)
      c.on('close', () => sockets.delete(c))
    })
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject)
      s.listen(port, host, () => resolve())
    })
    port = (s.address() as AddressInfo).port
    server = s
  }
  const shutdown = async () => {
    const s = server
    server = null
    subs.forEach((sub) => sub.wake?.())
    subs.clear()
    if (!s) return
    for (const c of sockets) c.destroy()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  // WS-Discovery (unicast): a Probe gets a ProbeMatches naming our device service.
  const udp = dgram.createSocket('udp4')
  udp.on('message', (msg, rinfo) => {
    if (!server || !/Probe\b/.test(msg.toString('utf8'))) return
    const relates = /MessageID[^>]*>([^<]+)</.exec(msg.toString('utf8'))?.[1] ?? ''
    const reply = `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header><a:MessageID>urn:uuid:${randomUUID()}</a:MessageID><a:RelatesTo>${relates}</a:RelatesTo><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:${uuid}</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/hardware/${options.model ?? 'PL-IPC-2MP'} onvif://www.onvif.org/name/${options.manufacturer ?? 'ParklinkSim'}</d:Scopes><d:XAddrs>${base()}/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`
    udp.send(reply, rinfo.port, rinfo.address)
  })
  await new Promise<void>((resolve) => udp.bind(0, host, () => resolve()))
  await listen()

  return {
    host,
    get port() {
      return port
    },
    get xaddr() {
      return `${base()}/onvif/device_service`
    },
    discoveryPort: udp.address().port,
    uuid,
    online: () => server !== null,
    raise(o = {}) {
      const at = new Date(o.at ?? Date.now()).toISOString()
      const item = o.item ?? { name: 'IsInside', value: 'true' }
      const message = `<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${o.topic ?? INTRUSION_TOPIC}</wsnt:Topic><wsnt:Message><tt:Message UtcTime="${at}" PropertyOperation="Changed"><tt:Source><tt:SimpleItem Name="VideoSourceConfigurationToken" Value="vsc_1"/><tt:SimpleItem Name="Rule" Value="Perimeter"/></tt:Source><tt:Data><tt:SimpleItem Name="${item.name}" Value="${item.value}"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>`
      let n = 0
      for (const sub of subs.values()) {
        sub.queue.push(message)
        sub.wake?.()
        n++
      }
      return n
    },
    failOperation(operation, reason, times = 1) {
      faults.set(operation, { reason, times })
    },
    setSnapshot(body, contentType = 'image/jpeg') {
      snapshot = { body, type: contentType }
    },
    calls: (operation) => counts.get(operation) ?? 0,
    subscriptions: () => subs.size,
    goOffline: shutdown,
    async goOnline() {
      if (!server) await listen()
    },
    async close() {
      await shutdown()
      await new Promise<void>((resolve) => udp.close(() => resolve()))
    },
  }
}
