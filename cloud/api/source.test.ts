import { describe, expect, it } from 'vitest'
import { HttpConfig, proxyMatcher } from './config.ts'
import { resolveSource } from './source.ts'

describe('the source address of a request', () => {
  const trusted = proxyMatcher(['10.0.0.5', '172.16.0.0/12', 'fd00::/8'])

  it('is the socket peer; a forwarded header from an untrusted peer is ignored', () => {
    expect(resolveSource('203.0.113.7', '198.51.100.1', trusted)).toEqual({ address: '203.0.113.7' })
  })

  it('behind trusted proxies: the rightmost hop that is not one of them (left of it the client wrote what it liked)', () => {
    expect(resolveSource('10.0.0.5', '198.51.100.1, 203.0.113.9', trusted)).toEqual({
      address: '203.0.113.9',
      via: '10.0.0.5',
    })
    expect(resolveSource('10.0.0.5', '203.0.113.9, 172.16.3.4', trusted)).toEqual({
      address: '203.0.113.9',
      via: '10.0.0.5',
    })
    expect(resolveSource('fd00::1', '2001:db8::1', trusted)).toEqual({ address: '2001:db8::1', via: 'fd00::1' })
    expect(resolveSource('10.0.0.5', '::ffff:203.0.113.9', trusted)).toEqual({
      address: '203.0.113.9',
      via: '10.0.0.5',
    })
  })

  it('a forwarded header that is garbage, or names only proxies, leaves the peer', () => {
    expect(resolveSource('10.0.0.5', 'not-an-ip', trusted)).toEqual({ address: '10.0.0.5' })
    expect(resolveSource('10.0.0.5', '203.0.113.9, junk', trusted)).toEqual({ address: '10.0.0.5' })
    expect(resolveSource('10.0.0.5', '172.16.0.1', trusted)).toEqual({ address: '10.0.0.5' })
  })

  it('http.trustedProxies takes addresses and subnets only; default none', () => {
    expect(HttpConfig.parse({}).trustedProxies).toEqual([])
    expect(HttpConfig.safeParse({ trustedProxies: ['10.0.0.0/8', '::1', 'fd00::/8'] }).success).toBe(true)
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/1', '*'])
      expect(HttpConfig.safeParse({ trustedProxies: [bad] }).success).toBe(false)
  })
})
