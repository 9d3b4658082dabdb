import Database from 'better-sqlite3'
import * as fs from 'node:fs'
import { ensurePrivateDatabase } from '../../shared/private-files.ts'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { createEvaluator, parseRuleState, rulesOf, type AlarmEvent } from '../../shared/rules/evaluate.ts'
import { ChatterConfig } from '../../shared/rules/chatter.ts'
import { PriorityMatrix } from '../../shared/rules/priority.ts'
import { EdgeRule } from '../../shared/wire/bundle.ts'
import type { EdgeAlarm } from '../../shared/wire/messages.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import type { AtRestCipher } from '../at-rest/cipher.ts'
import { fieldSeal } from '../at-rest/fields.ts'

/**
 * Alarms at the edge, so a plant keeps alarming while its uplink is down: the same pure rule
 * evaluation as the cloud's (shared/rules/evaluate.ts) over the same samples, with the park's
 * limits for this edge's points. Each raise and recovery travels to the cloud in the outbox
 * batch that holds its samples; the cloud matches it to its own episode (same point, kind and
 * source time), so an alarm raised offline is one alarm, not two. Rule state and the active
 * alarms are kept in {dataDir}/alarms.db and survive restarts.
 */
export const LocalAlarmsConfig = z.strictObject({
  /**
   * The park writes these with each config push (issue 19: generated from the cloud registry,
   * shared/wire/bundle.ts EdgeRule): limits, deadband, on/off delays, rate of change, digital.
   * Written by hand, keep them equal to the cloud registry's rules for the same points.
   */
  points: z.array(EdgeRule).min(1),
  /** Default: the park's S/A/B/C/D table (must match the cloud's alarms.priorities). */
  priorities: PriorityMatrix.optional(),
  /** Chattering detection and latching (shared/rules/latch.ts); must match the cloud's alarms.chatter. */
  chatter: ChatterConfig.optional(),
})
export type LocalAlarmsConfig = z.infer<typeof LocalAlarmsConfig>

export interface LocalAlarm {
  point: string
  kind: string
  priority: string
  raisedAt: number
  value: number
  limit: number
  /** Raises counted on the alarm while it is latched as chattering. */
  repeats: number
}

export interface LocalAlarms {
  /** Evaluates a batch of samples; returns the alarm changes they cause (in source-time order). */
  process(samples: readonly Sample[]): EdgeAlarm[]
  active(): LocalAlarm[]
  close(): void
}

/**
 * `cipher` (storage.encryption): the rule state and the value and limit of each active alarm are
 * sealed with SM4 (edge/at-rest/fields.ts); point, kind, priority and times stay clear (keys and
 * order, no measured value).
 */
export function openLocalAlarms(
  config: LocalAlarmsConfig,
  file: string,
  clock: Clock,
  log: Logger,
  cipher: AtRestCipher | null = null,
): LocalAlarms {
  const seal = fieldSeal(cipher)
  let db: Database.Database
  try {
    ensurePrivateDatabase(fs, file) // 0600 whatever the umask (brief §7)
    db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.exec(`CREATE TABLE IF NOT EXISTS rule_state (point TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS active (point TEXT NOT NULL, kind TEXT NOT NULL, priority TEXT NOT NULL, raised_at INTEGER NOT NULL, value REAL NOT NULL, limit_value REAL NOT NULL, PRIMARY KEY (point, kind))`)
    // Stores made before latching have no count.
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(active)').all()
    if (!columns.some((c) => c.name === 'repeats'))
      db.exec('ALTER TABLE active ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0')
  } catch (err) {
    throw new ParklinkError(
      ErrorCodes.OUTBOX_FAILED,
      `cannot open the local alarm store ${file}: ${errorMessage(err)}`,
      { hint: 'check that the edge data directory is writable', cause: err },
    )
  }
  const evaluate = createEvaluator(config.priorities, config.chatter)
  const points = new Map(config.points.map((p) => [p.id, p]))
  const load = db.prepare<[string], { state: string | Buffer }>('SELECT state FROM rule_state WHERE point = ?')
  const save = db.prepare(
    'INSERT INTO rule_state (point, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(point) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
  )
  const raise = db.prepare(
    'INSERT OR REPLACE INTO active (point, kind, priority, raised_at, value, limit_value) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const recover = db.prepare('DELETE FROM active WHERE point = ? AND kind = ?')
  const repeat = db.prepare('UPDATE active SET repeats = ? WHERE point = ? AND kind = ?')
  const list = db.prepare<
    [],
    {
      point: string
      kind: string
      priority: string
      raised_at: number
      value: number | Buffer
      limit_value: number | Buffer
      repeats: number
    }
  >('SELECT * FROM active ORDER BY raised_at DESC')

  const apply = db.transaction((groups: Map<string, Sample[]>): AlarmEvent[] => {
    const events: AlarmEvent[] = []
    for (const [id, group] of groups) {
      const p = points.get(id)!
      const stored = load.get(id)
      const r = evaluate(
        { id, class: p.class, limits: p.limits, ...rulesOf(p.rules) },
        stored ? parseRuleState(seal.readJson(stored.state, 'alarms.state')) : null,
        group,
      )
      for (const e of r.events) {
        if (e.type === 'raise')
          raise.run(
            e.point,
            e.kind,
            e.priority,
            e.ts,
            seal.number(e.value, 'alarms.value'),
            seal.number(e.limit, 'alarms.limit'),
          )
        else if (e.type === 'repeat') repeat.run(e.repeats, e.point, e.kind)
        else recover.run(e.point, e.kind)
        events.push(e)
      }
      if (r.state) save.run(id, seal.json(r.state, 'alarms.state'), clock.now())
    }
    return events
  })

  return {
    process(samples) {
      const groups = new Map<string, Sample[]>()
      for (const s of samples) if (points.has(s.point)) groups.set(s.point, [...(groups.get(s.point) ?? []), s])
      if (groups.size === 0) return []
      const events = apply(groups)
      for (const e of events) {
        if (e.type === 'raise')
          log.warn(
            {
              point: e.point,
              kind: e.kind,
              priority: e.priority,
              value: e.value,
              limit: e.limit,
              ts: e.ts,
              ...(e.chattering ? { chattering: e.chattering } : {}),
            },
            e.chattering ? 'local alarm raised, chattering: latched' : 'local alarm raised',
          )
        else if (e.type === 'repeat')
          log.debug(
            { point: e.point, kind: e.kind, value: e.value, ts: e.ts, repeats: e.repeats },
            'latched alarm raised again (counted)',
          )
        else
          log.info(
            {
              point: e.point,
              kind: e.kind,
              value: e.value,
              ts: e.ts,
              ...(e.repeats === undefined ? {} : { repeats: e.repeats }),
            },
            'local alarm recovered',
          )
      }
      // Repetitions stay at the edge: the cloud counts them from the same samples.
      return events.flatMap((e): EdgeAlarm[] =>
        e.type === 'raise'
          ? [
              {
                type: 'raise',
                point: e.point,
                kind: e.kind,
                priority: e.priority,
                ts: e.ts,
                value: e.value,
                limit: e.limit,
              },
            ]
          : e.type === 'recover'
            ? [{ type: 'recover', point: e.point, kind: e.kind, ts: e.ts, value: e.value }]
            : [],
      )
    },
    active: () =>
      list.all().map((r) => ({
        point: r.point,
        kind: r.kind,
        priority: r.priority,
        raisedAt: r.raised_at,
        value: seal.readNumber(r.value, 'alarms.value'),
        limit: seal.readNumber(r.limit_value, 'alarms.limit'),
        repeats: r.repeats,
      })),
    close: () => {
      if (db.open) db.close()
    },
  }
}
