import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { initKeyFile } from '../../edge/at-rest/key-file.ts'
import { mulberry32 } from '../sim/plant.ts'
import { outboxKillLoop } from './outbox-kills.ts'

/**
 * A few rounds of the SIGKILL loop in `npm test`, with every payload sealed with SM4 at rest
 * (issue 20); `npm run test:faults` runs 100 kills, in clear and sealed.
 */
let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-kills-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('outbox sealed at rest under SIGKILL', () => {
  it('reopens through the key check after every kill, with no durable append lost and no batch held twice', async () => {
    const keyFile = path.join(dir, 'at-rest.key')
    initKeyFile(keyFile, 0)
    const r = await outboxKillLoop(dir, 5, mulberry32(20), keyFile)
    expect(r.problems).toEqual([])
    expect(r).toMatchObject({ kills: 5, cleanOpens: 5, lostDurable: 0, duplicated: 0 })
  }, 120_000)
})
