import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * The shipped systemd units: the hardening each must keep (a dropped line would not fail
 * anything else), and `systemd-analyze verify`, which reports unknown keys and bad values only
 * as warnings: any output at all fails the test.
 */
const dir = path.dirname(new URL(import.meta.url).pathname)
const UNITS = ['parklink-edge.service', 'parklink-cloud.service', 'parklink-cloud@.service'] as const
const read = (unit: string) => readFileSync(path.join(dir, unit), 'utf8')

/** Key → values, in order (a key may repeat). Comments and section headers are skipped. */
function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim())
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!])
  }
  return out
}
const one = (d: Map<string, string[]>, key: string) => d.get(key)?.at(-1)

describe('systemd units: hardening', () => {
  for (const unit of UNITS) {
    it(`${unit} keeps its files private, bounds its memory and runs without privileges`, () => {
      const d = directives(read(unit))
      expect(one(d, 'User')).toBe('parklink')
      expect(one(d, 'UMask')).toBe('0077')
      expect(one(d, 'MemoryMax')).toMatch(/^\d+[MG]$/)
      expect(one(d, 'ExecStart')).toMatch(/--max-old-space-size=\d+/)
      const expected = {
        NoNewPrivileges: 'yes',
        ProtectSystem: 'strict',
        ProtectHome: 'yes',
        PrivateTmp: 'yes',
        ProtectKernelTunables: 'yes',
        ProtectControlGroups: 'yes',
        LockPersonality: 'yes',
        CapabilityBoundingSet: '',
        AmbientCapabilities: '',
      }
      for (const [key, value] of Object.entries(expected)) {
        expect([key, one(d, key)]).toEqual([key, value])
      }
      expect(one(d, 'ReadWritePaths')?.split(' ')).toContain('/var/lib/parklink')
      expect(one(d, 'RestrictAddressFamilies')?.split(' ').sort()).toEqual(
        expect.arrayContaining(['AF_INET', 'AF_INET6', 'AF_UNIX']),
      )
    })
  }

  it('the edge may rewrite its config (rollback) and reach the RS485 ports; nothing closes the device list', () => {
    const d = directives(read('parklink-edge.service'))
    const config = /--config (\S+)/.exec(one(d, 'ExecStart') ?? '')?.[1]
    expect(config).toBeDefined()
    // edge/supervisor.ts writes FILE and FILE.failed beside the config when a change is rolled back.
    expect(one(d, 'ReadWritePaths')?.split(' ')).toContain(path.dirname(config!))
    expect(one(d, 'SupplementaryGroups')).toBe('dialout')
    for (const key of ['PrivateDevices', 'ProtectClock', 'DeviceAllow', 'DevicePolicy'])
      expect(d.has(key), key).toBe(false)
    // The edge's memory bound is the smaller one: it runs on an industrial PC beside other software.
    const bytes = (v: string | undefined) => Number(v!.slice(0, -1)) * (v!.endsWith('G') ? 1024 : 1)
    expect(bytes(one(d, 'MemoryMax'))).toBeLessThan(bytes(one(directives(read('parklink-cloud.service')), 'MemoryMax')))
  })
})

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
const hasAnalyze = analyze.status === 0

describe.skipIf(!hasAnalyze)(
  `systemd-analyze verify${hasAnalyze ? '' : ' (skipped: systemd-analyze is not installed; apt-get install systemd)'}`,
  () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'parklink-units-'))
    afterAll(() => rmSync(tmp, { recursive: true, force: true }))

    for (const unit of UNITS) {
      it(`${unit} verifies with no warning`, () => {
        // The unit as shipped; only the node binary is pointed at this machine's if it is elsewhere
        // (verify checks that ExecStart is executable).
        const text = existsSync('/usr/bin/node') ? read(unit) : read(unit).replace('/usr/bin/node', process.execPath)
        const file = path.join(tmp, unit)
        writeFileSync(file, text)
        const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' })
        expect({ status: r.status, output: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, output: '' })
      })
    }
  },
)
