import http from 'node:http'
import { Cam } from 'onvif'
// The package's own SOAP parsing helpers (CommonJS, no type declarations for this path).
// @ts-expect-error: no declaration file for onvif/lib/utils.js
import { getDigestHeaders, linerase } from 'onvif/lib/utils.js'

/**
 * The only file of the ONVIF driver that talks to a camera: the `onvif` package's Cam
 * (WS-Security or digest credentials, device/media/events services) behind promises with
 * bounds, plus the snapshot download (HTTP GET with digest, size-capped). No timers of its own
 * beyond the per-request socket timeout; the framework schedules every call.
 */
export interface CameraIdentity {
  manufacturer: string | null
  model: string | null
  firmware: string | null
  serial: string | null
  streamUri: string | null
  snapshotUri: string | null
}

export interface OnvifClientOptions {
  host: string
  port: number
  path: string
  username: string
  password: string
  timeoutMs: number
}

type Callback = (err: Error | null, data?: unknown) => void
type CamInternals = Cam & {
  _request(options: { url?: unknown; body: string; replyTimeout?: number }, cb: Callback): void
  _envelopeHeader(open?: boolean): string
  _envelopeFooter(): string
  events: { subscription?: { subscriptionReference?: { address?: { href?: string } } } }
}

const call = <T>(fn: (cb: Callback) => void): Promise<T> =>
  new Promise<T>((resolve, reject) => fn((err, data) => (err ? reject(err) : resolve(data as T))))

export class OnvifClient {
  readonly #o: OnvifClientOptions
  readonly #cam: CamInternals

  constructor(options: OnvifClientOptions) {
    this.#o = options
    this.#cam = new Cam({
      hostname: options.host,
      port: options.port,
      path: options.path,
      username: options.username,
      password: options.password,
      timeout: options.timeoutMs,
      autoconnect: false,
      preserveAddress: true,
    }) as CamInternals
    // The package emits warnings about cameras with odd media; never let an EventEmitter error go unhandled.
    this.#cam.on('error', () => {})
  }

  /** GetSystemDateAndTime, GetServices, GetProfiles …, then the identity and media URIs. */
  async connect(): Promise<CameraIdentity> {
    await call((cb) => this.#cam.connect(cb))
    const info = await call<Record<string, unknown>>((cb) => this.#cam.getDeviceInformation(cb))
    const uri = async (fn: (cb: Callback) => void) => {
      const r = await call<{ uri?: unknown }>(fn).catch(() => null)
      return typeof r?.uri === 'string' ? r.uri : null
    }
    const text = (v: unknown) => (v === undefined || v === null ? null : String(v))
    return {
      manufacturer: text(info.manufacturer),
      model: text(info.model),
      firmware: text(info.firmwareVersion),
      serial: text(info.serialNumber),
      streamUri: await uri((cb) => this.#cam.getStreamUri({ protocol: 'RTSP' }, cb)),
      snapshotUri: await uri((cb) => this.#cam.getSnapshotUri(cb)),
    }
  }

  /** Liveness: an authenticated, cheap call (a camera that forgets our credentials is not "online"). */
  async probe(): Promise<void> {
    await call((cb) => this.#cam.getDeviceInformation(cb))
  }

  async subscribe(): Promise<void> {
    await call((cb) => this.#cam.createPullPointSubscription(cb))
  }

  hasSubscription(): boolean {
    return this.#cam.events.subscription !== undefined
  }

  async renew(): Promise<void> {
    await call((cb) => this.#cam.renew({}, cb))
  }

  /** PullMessages with our own wait (the package asks for PT1M, too long to stop cleanly). */
  async pull(waitS: number, limit = 10): Promise<unknown> {
    const address = this.#cam.events.subscription?.subscriptionReference?.address
    if (!address) throw new Error('no PullPoint subscription')
    const body = `${this.#cam._envelopeHeader(true)}<a:To>${address.href}</a:To></s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><PullMessages xmlns="http://www.onvif.org/ver10/events/wsdl"><Timeout>PT${waitS}S</Timeout><MessageLimit>${limit}</MessageLimit></PullMessages>${this.#cam._envelopeFooter()}`
    const res = await call<unknown>((cb) =>
      this.#cam._request({ url: address, body, replyTimeout: waitS * 1000 + this.#o.timeoutMs }, cb),
    )
    return (linerase(res) as { pullMessagesResponse?: unknown }).pullMessagesResponse
  }

  /** Best effort: the camera drops an unrenewed subscription by itself anyway. */
  async unsubscribe(): Promise<void> {
    if (!this.hasSubscription()) return
    await call((cb) => this.#cam.unsubscribe(cb, true)).catch(() => undefined)
  }

  forgetSubscription(): void {
    delete this.#cam.events.subscription
  }

  /** GET the snapshot URI (digest on 401), reading at most maxBytes + 1 bytes. */
  async snapshot(uri: string, maxBytes: number): Promise<{ body: Buffer; contentType: string | undefined }> {
    const url = new URL(uri)
    const get = (authorization?: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; raw: string[]; body: Buffer }>(
        (resolve, reject) => {
          const req = http.get(
            {
              hostname: url.hostname,
              port: url.port || 80,
              path: `${url.pathname}${url.search}`,
              timeout: this.#o.timeoutMs,
              headers: authorization ? { Authorization: authorization } : {},
            },
            (res) => {
              const chunks: Buffer[] = []
              let size = 0
              res.on('data', (c: Buffer) => {
                size += c.length
                if (size > maxBytes + 1)
                  return void res.destroy(
                    new Error(`snapshot too large: more than snapshot.maxBytes ${maxBytes} bytes`),
                  )
                chunks.push(c)
              })
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  headers: res.headers,
                  raw: res.rawHeaders,
                  body: Buffer.concat(chunks),
                }),
              )
              res.on('error', reject)
            },
          )
          req.on('timeout', () => req.destroy(new Error(`snapshot: no answer within ${this.#o.timeoutMs} ms`)))
          req.on('error', reject)
        },
      )
    let res = await get()
    if (res.status === 401) {
      const challenges = getDigestHeaders(res.raw) as string[]
      if (challenges.length === 0) throw new Error('snapshot: the camera asks for credentials other than HTTP digest')
      res = await get(this.#cam.digestAuth(challenges, { method: 'GET', path: `${url.pathname}${url.search}` }))
      if (res.status === 401) throw new Error(`snapshot: the camera refused user ${this.#o.username} (wrong password?)`)
    }
    if (res.status !== 200) throw new Error(`snapshot: HTTP ${res.status} from ${url.host}${url.pathname}`)
    return { body: res.body, contentType: res.headers['content-type'] }
  }
}

/** A camera error in words a technician can act on. */
export function describeCameraError(err: unknown, username: string): string {
  const message = err instanceof Error ? err.message : String(err)
  const code = (err as NodeJS.ErrnoException | null)?.code
  if (/not ?authori[sz]ed|Digest authentication failed|unauthorized/i.test(message))
    return `wrong credentials: the camera refused user ${username} (${message}); check username and the password variable`
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET')
    return `unreachable: ${code} (${message}); check the camera's power, address and network`
  if (/timeout/i.test(message) || code === 'ETIMEDOUT') return `timeout: the camera did not answer (${message})`
  if (/SOAP Fault/i.test(message))
    return `the camera answered with a SOAP fault: ${message.replace(/^ONVIF SOAP Fault:\s*/, '')}`
  return message
}
