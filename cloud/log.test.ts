import { describe, expect, it } from 'vitest'
import { captureLogger } from '../test/cloud/helpers.ts'

describe('createLogger', () => {
  it('redacts secrets wherever they appear in a logged object', () => {
    const { log, lines } = captureLogger()
    log.info(
      {
        mqtt: { url: 'mqtt://b', password: 'hunter2' },
        config: { mqtt: { password: 'hunter3' } },
        headers: { authorization: 'Bearer x' },
      },
      'starting',
    )
    const line = JSON.stringify(lines())
    expect(line).not.toMatch(/hunter2|hunter3|Bearer/)
    expect(lines()[0]).toMatchObject({ msg: 'starting', mqtt: { url: 'mqtt://b', password: '[redacted]' } })
  })
})
