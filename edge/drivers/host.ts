import { isIP } from 'node:net'
import { z } from 'zod'

/**
 * A device's network host: an IPv4 address, an IPv6 address or a DNS name (RFC 1123 §2.1).
 * Something that looks like an IPv4 address (only digits and dots) must be one: `192.168.10.300`
 * is a typo, not a host name to look up.
 */
export function hostProblem(host: string): string | null {
  if (host.includes(':')) return isIP(host) === 6 ? null : `"${host}" is not an IPv6 address`
  if (/^[\d.]+$/.test(host)) {
    if (isIP(host) === 4) return null
    const parts = host.split('.')
    const bad = parts.find((p) => p === '' || Number(p) > 255)
    return parts.length !== 4
      ? `"${host}" is not an IPv4 address (it needs 4 numbers)`
      : `"${host}" is not an IPv4 address (${bad === '' || bad === undefined ? 'an empty or malformed part' : `${bad} is above 255`})`
  }
  if (host.length > 253) return 'a host name has at most 253 characters'
  const label = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
  return host.split('.').every((l) => label.test(l))
    ? null
    : `"${host}" is not a host name (letters, digits and "-" between dots)`
}

export const NetworkHost = z
  .string()
  .min(1)
  .superRefine((host, ctx) => {
    const problem = hostProblem(host)
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: problem,
        params: { hint: "use the device's IP address (e.g. 192.168.10.21) or its DNS name" },
      })
  })

/** The host of an opc.tcp:// endpoint (brackets of an IPv6 literal removed), or null when there is none. */
export function endpointHost(endpoint: string): string | null {
  const m = /^opc\.tcp:\/\/(\[[^\]]+\]|[^\s/:]+)/.exec(endpoint)
  return m ? m[1]!.replace(/^\[|\]$/g, '') : null
}
