import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createLogger } from './log.ts'
import { createRecentEvents } from './recent-events.ts'

describe('recent events', () => {
  it('keeps the warn and error lines of the log, newest first, bounded, secrets redacted', () => {
    const recent = createRecentEvents(3)
    const log = createLogger('t', 'debug', pino.multistream([{ level: 'warn', stream: recent }]))
    log.info('started')
    log.warn({ device: 'plc', err: 'timeout after 1000 ms', hint: 'check the cable' }, 'device does not answer')
    log.child({ component: 'uplink' }).error({ options: { password: 'hunter22' } }, 'broker refused the connection')
    log.error('e3')
    log.error('e4')
    const list = recent.list()
    expect(list.map((e) => e.msg)).toEqual(['e4', 'e3', 'broker refused the connection'])
    expect(list[2]).toMatchObject({ level: 'error', component: 'uplink' })
    expect(JSON.stringify(list)).not.toContain('hunter22')
  })

  it('keeps the device, error and hint of a line; ignores what is not a warn+ log line', () => {
    const recent = createRecentEvents()
    recent.write(
      '{"level":40,"time":5,"msg":"device does not answer","device":"plc","err":"timeout","hint":"check the cable"}\n',
    )
    recent.write('{"level":30,"time":6,"msg":"info"}\nnot json\n')
    expect(recent.list()).toEqual([
      { at: 5, level: 'warn', msg: 'device does not answer', device: 'plc', err: 'timeout', hint: 'check the cable' },
    ])
  })
})
