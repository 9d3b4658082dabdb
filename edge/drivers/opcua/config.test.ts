import { describe, expect, it } from 'vitest'
import { OpcuaDeviceConfig } from './config.ts'

const base = {
  id: 'dcs',
  kind: 'opcua',
  endpoint: 'opc.tcp://10.20.1.5:4840/UA/DCS',
  points: [{ id: 'a.b', nodeId: 'ns=2;s=TK1.Level' }],
}
const problems = (input: unknown) => {
  const r = OpcuaDeviceConfig.safeParse(input)
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('OPC UA device config', () => {
  it('fills defaults: anonymous, no security, subscriptions, unknown server certificates not trusted', () => {
    expect(OpcuaDeviceConfig.parse(base)).toMatchObject({
      securityPolicy: 'None',
      securityMode: 'None',
      identity: { type: 'anonymous' },
      mode: 'subscribe',
      acceptUnknownServerCertificate: false,
      points: [{ writable: false }],
    })
  })

  it.each([
    [
      'a None policy with a signing mode',
      { securityMode: 'Sign' },
      /securityMode: securityPolicy None goes with securityMode None/,
    ],
    ['a signing policy with mode None', { securityPolicy: 'Basic256Sha256' }, /securityMode:/],
    ['a password in the file', { identity: { type: 'username', username: 'u', password: 'secret' } }, /identity/],
    ['a misspelt key', { pollMS: 100 }, /Unrecognized key/],
    ['an http endpoint', { endpoint: 'http://dcs:4840' }, /endpoint: use opc.tcp/],
    ['a bad node id', { points: [{ id: 'a.b', nodeId: 'TK1.Level' }] }, /points.0.nodeId/],
    ['a negative deadband', { deadband: { type: 'percent', value: -1 } }, /deadband.value/],
  ])('rejects %s', (_name, patch, expected) => {
    expect(problems({ ...base, ...patch }).join('\n')).toMatch(expected)
  })

  it('accepts Basic256Sha256 SignAndEncrypt with a username whose password is in the environment', () => {
    expect(
      problems({
        ...base,
        securityPolicy: 'Basic256Sha256',
        securityMode: 'SignAndEncrypt',
        identity: { type: 'username', username: 'edge', passwordEnv: 'DCS_PW' },
      }),
    ).toEqual([])
  })
})
