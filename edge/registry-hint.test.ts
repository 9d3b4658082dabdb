import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { hintHash, type RegistryHint } from '../shared/wire/registry-hint.ts'
import { createConfigEditor } from './console/configure/editor.ts'
import { createLogger } from './log.ts'
import { HINT_FILE, openRegistryHints } from './registry-hint.ts'
import { systemClock } from '../shared/clock.ts'

const SALT = '0123456789abcdef0123456789abcdef'
const hint = (policy: 'open' | 'strict'): RegistryHint => ({
  policy,
  salt: SALT,
  own: ['a.level'],
  foreign: [hintHash(SALT, 'b.level')],
})
const log = createLogger('registry-hint-test', 'silent')

describe('the edge keeps the registry hint (issue 19)', () => {
  const dirs: string[] = []
  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'parklink-hint-'))
    dirs.push(d)
    return d
  }
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('refuses nothing before a hint came; keeps it 0600 and reads it back after a restart (offline)', () => {
    const dir = tmp()
    const first = openRegistryHints(dir, log)
    expect(first.refused(['b.level', 'x'])).toEqual([])
    first.keep(hint('strict'))
    expect(statSync(path.join(dir, HINT_FILE)).mode & 0o777).toBe(0o600)
    const again = openRegistryHints(dir, log)
    expect(again.refused(['a.level', 'b.level', 'x'])).toEqual([
      { id: 'b.level', reason: 'foreign' },
      { id: 'x', reason: 'unbound-strict' },
    ])
  })

  it('open: only the ids bound elsewhere; an unreadable stored hint is ignored', () => {
    const dir = tmp()
    openRegistryHints(dir, log).keep(hint('open'))
    expect(openRegistryHints(dir, log).refused(['a.level', 'b.level', 'x'])).toEqual([
      { id: 'b.level', reason: 'foreign' },
    ])
    writeFileSync(path.join(dir, HINT_FILE), '{"policy":')
    expect(openRegistryHints(dir, log).refused(['b.level'])).toEqual([])
  })

  it("the console's device form refuses a new point bound to another edge and writes nothing; running ids pass", async () => {
    const dir = tmp()
    const file = path.join(dir, 'edge.yaml')
    const text = [
      'site: s',
      'edge: A',
      'dataDir: ./data',
      'uplink: { url: "mqtt://127.0.0.1:1" }',
      'devices:',
      '  - { id: plc, kind: modbus-tcp, host: 127.0.0.1, port: 502, points: [{ id: a.level, address: hr0 }] }',
      '',
    ].join('\n')
    writeFileSync(file, text)
    const hints = openRegistryHints(dir, log)
    hints.keep(hint('open'))
    const applied: string[] = []
    const editor = createConfigEditor({
      file,
      dataDir: dir,
      clock: systemClock,
      log,
      env: {},
      applyFile: async () => (applied.push('x'), { outcome: 'applied' }),
      hints,
    })
    const draft = (ids: string[]) => ({
      id: 'plc',
      kind: 'modbus-tcp' as const,
      host: '127.0.0.1',
      port: 502,
      points: ids.map((id, i) => ({ id, address: `hr${i}` })),
    })
    const who = { user: 'tech', remote: null }
    const refused = await editor.proposeDevice(draft(['a.level', 'b.level']), who)
    expect(refused).toMatchObject({
      ok: false,
      problems: [{ line: null, message: expect.stringContaining('b.level') }],
    })
    expect(readFileSync(file, 'utf8')).toBe(text)
    expect(await editor.proposeDevice(draft(['a.level', 'c.level']), who)).toMatchObject({ ok: true })
  })
})
