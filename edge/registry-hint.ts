import * as fs from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import { errorMessage } from '../shared/errors.ts'
import { writePrivateFile } from '../shared/private-files.ts'
import { hintVerdictOf, RegistryHint } from '../shared/wire/registry-hint.ts'

/**
 * The park registry's latest ownership hint for this edge (shared/wire/registry-hint.ts, issue 19),
 * kept in memory and in the data dir (0600), so the console checks against it also after a
 * restart while the cloud is out of reach. One per process (main.ts), like the console's editor.
 */
export interface RegistryHints {
  keep(hint: RegistryHint): void
  /** The ids of `ids` the registry says this edge must not claim, with why. */
  refused(ids: Iterable<string>): Array<{ id: string; reason: 'foreign' | 'unbound-strict' }>
}

export const HINT_FILE = 'registry-hint.json'

export function openRegistryHints(dataDir: string, log: Logger): RegistryHints {
  const file = path.join(dataDir, HINT_FILE)
  let hint = load(file, log)
  return {
    keep(next) {
      hint = next
      try {
        const tmp = `${file}.tmp`
        writePrivateFile(fs, tmp, JSON.stringify(next))
        fs.renameSync(tmp, file)
      } catch (err) {
        log.warn({ file, err: errorMessage(err) }, 'registry hint kept in memory only: cannot write it to the data dir')
      }
      log.info({ own: next.own.length, foreign: next.foreign.length, policy: next.policy }, 'registry hint received')
    },
    refused(ids) {
      if (!hint) return []
      const verdict = hintVerdictOf(hint)
      const out: Array<{ id: string; reason: 'foreign' | 'unbound-strict' }> = []
      for (const id of ids) {
        const v = verdict(id)
        if (v === 'foreign' || v === 'unbound-strict') out.push({ id, reason: v })
      }
      return out
    },
  }
}

function load(file: string, log: Logger): RegistryHint | null {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return null // none received yet
  }
  try {
    return RegistryHint.parse(JSON.parse(text))
  } catch (err) {
    log.warn(
      { file, err: errorMessage(err) },
      'stored registry hint unreadable: ignored until the cloud sends a new one',
    )
    return null
  }
}

/** The console's row problem for an id the registry refuses (zh-CN first, as the console speaks). */
export function hintProblem(id: string, reason: 'foreign' | 'unbound-strict'): { message: string; hint: string } {
  return reason === 'foreign'
    ? {
        message: `点位 "${id}" 已被其他网关登记 / point "${id}" is bound to another edge in the park registry (PL_FOREIGN_POINT)`,
        hint: `请园区迁移该点位或改用其他编号 / ask the park to move it (PUT /api/v1/registry/points/${id}/edge) or use another id`,
      }
    : {
        message: `点位 "${id}" 未在园区登记到本网关，园区采用严格策略 / point "${id}" is bound to no edge and the park's claim policy is strict (PL_FOREIGN_POINT)`,
        hint: `请园区先将该点位登记到本网关 / ask the park to bind it to this edge (PUT /api/v1/registry/points/${id}/edge) or use a registered id`,
      }
}
