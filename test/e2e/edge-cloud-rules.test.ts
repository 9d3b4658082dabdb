import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { edgeRuleSet, type OwnedPointFacts } from '../../cloud/alarms/engine/edge-rules.ts'
import { evaluateLive, rulePointOf } from '../../cloud/alarms/engine/point.ts'
import { openLocalAlarms, LocalAlarmsConfig } from '../../edge/alarms/local.ts'
import { createLogger } from '../../edge/log.ts'
import { systemClock } from '../../shared/clock.ts'
import { ChatterConfig } from '../../shared/rules/chatter.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { defaultPriorityMatrix } from '../../shared/rules/priority.ts'
import type { Sample } from '../../shared/wire/sample.ts'

/**
 * Issue 19: the edge evaluates the same full rule set as the cloud. The rules the park generates
 * from its registry (cloud/alarms/engine/edge-rules.ts) go through the edge config's YAML (as a
 * pushed bundle writes them) into the edge's local engine; the same samples, in the same batches,
 * go through the cloud's engine with the registry's facts. Raises and recoveries must be equal:
 * limits with deadband, on/off delays, rate of change, digital state and the chattering latch.
 */
const T0 = Date.UTC(2026, 11, 6, 8)
const log = createLogger('edge-cloud-rules-test', 'silent')
const park = { priorities: defaultPriorityMatrix, chatter: ChatterConfig.parse({}) }

const facts = fc.record({
  class: fc.constantFrom<OwnedPointFacts['class']>('general', 'gas', 'mhs', null),
  limits: fc.option(
    fc.record({
      h: fc.integer({ min: 40, max: 60 }),
      hh: fc.integer({ min: 70, max: 90 }),
      deadband: fc.constantFrom(0, 1, 3),
    }),
    { nil: null },
  ),
  onDelayMs: fc.constantFrom(0, 2_000, 7_000),
  offDelayMs: fc.constantFrom(0, 3_000),
  roc: fc.option(fc.record({ limit: fc.constantFrom(20, 60), deadband: fc.constantFrom(0, 5) }), { nil: null }),
  digital: fc.option(fc.boolean(), { nil: null }),
})

/** A walk of values 0–100 (jumps too), 1 s apart with gaps, some bad, in batches of 1–4. */
const batches = fc
  .array(
    fc.record({
      dt: fc.constantFrom(1_000, 1_000, 2_000, 5_000),
      value: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0, 1)),
      bad: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      cut: fc.integer({ min: 1, max: 4 }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((steps) => {
    let ts = T0
    const out: Sample[][] = []
    let batch: Sample[] = []
    for (const s of steps) {
      ts += s.dt
      batch.push(
        s.bad
          ? { point: 'p.x', ts, value: null, quality: 'bad', reason: 'timeout' }
          : { point: 'p.x', ts, value: s.value, quality: 'good' },
      )
      if (batch.length >= s.cut) {
        out.push(batch)
        batch = []
      }
    }
    if (batch.length > 0) out.push(batch)
    return out
  })

describe('the edge alarms as the cloud does on the same samples (rules generated from the registry)', () => {
  it('gives equal raises and recoveries for generated rules and sample sequences', () => {
    const seen = new Set<string>()

    fc.assert(
      fc.property(facts, batches, (f, list) => {
        const point: OwnedPointFacts = {
          id: 'p.x',
          class: f.class,
          limits: f.limits,
          rules: {
            onDelayMs: f.onDelayMs,
            offDelayMs: f.offDelayMs,
            ...(f.roc ? { roc: { ...f.roc, windowMs: 4_000, perMs: 60_000 } } : {}),
            ...(f.digital === null ? {} : { digital: { alarmOn: f.digital } }),
          },
        }
        const rules = edgeRuleSet([point], park)
        if (rules.points.length === 0) return
        // Through the config file's YAML, as a pushed bundle writes it.
        const config = LocalAlarmsConfig.parse(parse(stringify({ points: rules.points, ...park })))
        const edge = openLocalAlarms(config, ':memory:', systemClock, log)
        const evaluate = createEvaluator(park.priorities, park.chatter)
        const cloudFacts = {
          class: point.class,
          limits: point.limits,
          rules: point.rules,
          state: undefined as unknown,
        }
        const cloud: unknown[] = []
        const atEdge: unknown[] = []
        try {
          for (const batch of list) {
            atEdge.push(...edge.process(batch))
            const r = evaluateLive(evaluate, rulePointOf('p.x', cloudFacts, undefined), cloudFacts, batch)
            if (r.evaluation.state) cloudFacts.state = r.evaluation.state
            for (const e of r.evaluation.events)
              if (e.type === 'raise')
                cloud.push({
                  type: 'raise',
                  point: e.point,
                  kind: e.kind,
                  priority: e.priority,
                  ts: e.ts,
                  value: e.value,
                  limit: e.limit,
                })
              else if (e.type === 'recover')
                cloud.push({ type: 'recover', point: e.point, kind: e.kind, ts: e.ts, value: e.value })
          }
        } finally {
          edge.close()
        }
        expect(atEdge).toEqual(cloud)
        for (const e of cloud as Array<{ type: string; kind: string }>) seen.add(`${e.type} ${e.kind}`)
      }),
      { numRuns: 200 },
    )
    // The sequences did exercise every kind of rule (else equality would prove little).
    for (const kind of ['H', 'HH', 'ROC', 'DIGITAL']) expect(seen).toContain(`raise ${kind}`)
    expect(seen).toContain('recover HH')
  })

  it('carries delays, rate of change and digital rules to the edge (a sequence that raises each)', () => {
    const rules = edgeRuleSet(
      [
        {
          id: 'b.level',
          class: 'general',
          limits: { hh: 80, deadband: 1 },
          rules: { onDelayMs: 3_000, offDelayMs: 0 },
        },
        {
          id: 'a.rate',
          class: 'general',
          limits: null,
          rules: { roc: { limit: 30, deadband: 0, windowMs: 4_000, perMs: 60_000 } },
        },
        { id: 'c.switch', class: 'general', limits: null, rules: { digital: { alarmOn: true } } },
        { id: 'd.none', class: 'general', limits: null, rules: { onDelayMs: 0 } },
      ],
      park,
    )
    expect(rules.points.map((p) => p.id)).toEqual(['a.rate', 'b.level', 'c.switch'])
    expect(rules.points[1]).toEqual({
      id: 'b.level',
      class: 'general',
      limits: { hh: 80, deadband: 1 },
      rules: { onDelayMs: 3_000 },
    })
  })
})
