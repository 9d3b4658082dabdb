import { describe, expect, it } from 'vitest'
import { captureLogger } from '../test/util/edge-support.ts'

describe('edge logger', () => {
  it('redacts passwords wherever they appear in a logged object', () => {
    const { log, lines, text } = captureLogger()
    log.info(
      {
        password: 'p0',
        uplink: { url: 'mqtt://b', password: 'p1' },
        config: { uplink: { password: 'p2' } },
        a: { b: { c: { password: 'p3' } } },
      },
      'starting',
    )
    expect(text()).not.toMatch(/"p[0-3]"/)
    expect(lines()[0]).toMatchObject({
      msg: 'starting',
      name: 'edge-test',
      password: '[redacted]',
      uplink: { url: 'mqtt://b', password: '[redacted]' },
    })
  })
})
