import { describe, expect, it } from 'vitest'
import { edgeUser, identityOf, isAllowed, mosquittoAcl, type BrokerIdentity } from './acl.ts'
import { topic, type Channel } from './topics.ts'

const A: BrokerIdentity = { kind: 'edge', site: 'huaian-park', edge: 'shilian-01' }
const cloud: BrokerIdentity = { kind: 'cloud', user: 'parklink-cloud' }
const own = (channel: Channel) => topic('huaian-park', 'shilian-01', channel)

describe('broker topic rules', () => {
  it('knows an edge by {site}/{edge} and a cloud by its listed user name, nobody else', () => {
    expect(identityOf(edgeUser('huaian-park', 'shilian-01'), [])).toEqual(A)
    expect(identityOf('parklink-cloud', ['parklink-cloud'])).toEqual(cloud)
    for (const user of [undefined, '', 'parklink-cloud', 'shilian-01', 'a/b/c', 'a/+', '#/e', 'park/', '/e'])
      expect(identityOf(user, [])).toBeNull()
    expect(identityOf('a/b', ['a/b'])).toEqual({ kind: 'edge', site: 'a', edge: 'b' })
    expect(() => edgeUser('a/b', 'c')).toThrow()
  })

  it('lets an edge publish its own data, status and answers, and read its own ack, cmd and status', () => {
    for (const c of ['data', 'status', 'resp'] as const) expect(isAllowed(A, 'publish', own(c))).toBe(true)
    for (const c of ['ack', 'cmd'] as const) expect(isAllowed(A, 'publish', own(c))).toBe(false)
    for (const c of ['ack', 'cmd', 'status'] as const) expect(isAllowed(A, 'subscribe', own(c))).toBe(true)
    for (const c of ['data', 'resp'] as const) expect(isAllowed(A, 'subscribe', own(c))).toBe(false)
  })

  it.each([
    ['another edge of its site', topic('huaian-park', 'fuqiang-01', 'data')],
    ['its edge id under another site', topic('other-park', 'shilian-01', 'data')],
    ['a topic outside parklink', 'foo/bar'],
    ['$SYS', '$SYS/broker/uptime'],
    ['an extra level', `${own('data')}/x`],
  ])('refuses an edge publishing to %s', (_what, name) => {
    expect(isAllowed(A, 'publish', name)).toBe(false)
  })

  it.each([
    'parklink/v1/huaian-park/+/ack',
    'parklink/v1/+/shilian-01/cmd',
    'parklink/v1/#',
    '#',
    'parklink/v1/huaian-park/shilian-01/#',
    topic('huaian-park', 'fuqiang-01', 'ack'),
    topic('huaian-park', 'fuqiang-01', 'cmd'),
    topic('other', 'shilian-01', 'cmd'),
  ])('refuses an edge subscribing to %s', (filter) => {
    expect(isAllowed(A, 'subscribe', filter)).toBe(false)
  })

  it('lets a cloud read every edge data, status and answers and write acks and commands, nothing else', () => {
    for (const c of ['data', 'status', 'resp'] as const)
      expect(isAllowed(cloud, 'subscribe', `parklink/v1/+/+/${c}`)).toBe(true)
    for (const c of ['ack', 'cmd'] as const) expect(isAllowed(cloud, 'subscribe', `parklink/v1/+/+/${c}`)).toBe(false)
    for (const c of ['ack', 'cmd'] as const) expect(isAllowed(cloud, 'publish', topic('p', 'e', c))).toBe(true)
    for (const c of ['data', 'status', 'resp'] as const)
      expect(isAllowed(cloud, 'publish', topic('p', 'e', c))).toBe(false)
    for (const f of ['parklink/v1/#', '#', 'parklink/v1/+/+/+', '$SYS/#', 'parklink/v1/+/+/ack/x'])
      expect(isAllowed(cloud, 'subscribe', f)).toBe(false)
    expect(isAllowed(cloud, 'publish', 'parklink/v1/+/+/ack')).toBe(false)
    expect(isAllowed(null, 'subscribe', 'parklink/v1/+/+/data')).toBe(false)
  })

  it('generates the Mosquitto ACL: edge patterns bound by %u, one user block per cloud instance', () => {
    const acl = mosquittoAcl(['cloud-a', 'cloud-b'])
    const rules = acl.split('\n').filter((l) => l && !l.startsWith('#'))
    expect(rules).toEqual([
      'pattern write parklink/v1/%u/data',
      'pattern readwrite parklink/v1/%u/status',
      'pattern read parklink/v1/%u/ack',
      'pattern read parklink/v1/%u/cmd',
      'pattern write parklink/v1/%u/resp',
      ...['cloud-a', 'cloud-b'].flatMap((u) => [
        `user ${u}`,
        'topic read parklink/v1/+/+/data',
        'topic read parklink/v1/+/+/status',
        'topic write parklink/v1/+/+/ack',
        'topic write parklink/v1/+/+/cmd',
        'topic read parklink/v1/+/+/resp',
      ]),
    ])
    expect(() => mosquittoAcl(['huaian/e1'])).toThrow()
  })
})
