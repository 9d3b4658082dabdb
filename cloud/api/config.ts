import { BlockList, isIP } from 'node:net'
import { z } from 'zod'
import { LoginThrottleConfig, defaultLoginThrottle } from '../auth/throttle.ts'

/**
 * `http:` in the cloud config: where the API listens, which reverse proxies are trusted to name
 * the client (X-Forwarded-For), the login throttle, and the limits on live alarm streams.
 */
const ProxyEntry = z.string().refine((s) => {
  const [address, bits, ...rest] = s.split('/')
  const family = isIP(address ?? '')
  if (family === 0 || rest.length > 0) return false
  if (bits === undefined) return true
  const n = Number(bits)
  return Number.isInteger(n) && n >= 0 && n <= (family === 4 ? 32 : 128)
}, 'an IP address or a subnet such as 10.0.0.0/8 or fd00::/8')

export const StreamLimits = z.strictObject({
  /** Open alarm streams per identity (a user or an API key). */
  perIdentity: z.number().int().min(1).max(10_000).default(50),
  /** Open alarm streams in all. */
  total: z.number().int().min(1).max(100_000).default(1_000),
  /** Changes waiting for a slow reader; one more and its stream is closed (the big screen reconnects and reloads). */
  queue: z.number().int().min(1).max(100_000).default(500),
})
export type StreamLimits = z.infer<typeof StreamLimits>
export const defaultStreamLimits: StreamLimits = StreamLimits.parse({})

export const HttpConfig = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /**
   * Reverse proxies (addresses or subnets) whose X-Forwarded-For is believed. Default none: the
   * client is the socket's peer, and a forwarded header is ignored (never audited, never throttled by).
   */
  trustedProxies: z.array(ProxyEntry).max(100).default([]),
  loginThrottle: LoginThrottleConfig.default(defaultLoginThrottle),
  streams: StreamLimits.default(defaultStreamLimits),
})
export type HttpConfig = z.infer<typeof HttpConfig>
export const defaultHttpConfig: HttpConfig = HttpConfig.parse({})

/** The trusted proxies as a matcher (node:net BlockList: addresses and subnets, v4 and v6). */
export function proxyMatcher(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList()
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined]
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (bits === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(bits), type)
  }
  return (address) => {
    const family = isIP(address)
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4')
  }
}
