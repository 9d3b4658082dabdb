import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { benchOutbox } from './outbox.ts'
import { benchIngest } from './ingest.ts'
import { benchSdt } from './sdt.ts'
import { printTable, writeResults, type BenchResult } from './table.ts'

/**
 * `npm run bench [-- --out FILE] [--seconds N] [--e2e-seconds N] [--skip-e2e] [--crossings N]
 * [--skip-latency] [--backlog-minutes N] [--skip-drain]`: parklink's
 * figures on this machine, as a table; `--out` also writes them as a JSON array of
 * {name, value, unit, baseline, ratio, target, met}. Never part of `npm test`. The end-to-end
 * benches (e2e, latency, drain) need Debian's mosquitto; each can be skipped.
 */
const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    seconds: { type: 'string', default: '3' },
    'e2e-seconds': { type: 'string', default: '20' },
    'sdt-hours': { type: 'string', default: '2' },
    'skip-e2e': { type: 'boolean', default: false },
    crossings: { type: 'string', default: '30' },
    'skip-latency': { type: 'boolean', default: false },
    // The issue asks for a 1-hour backlog (36 M samples): on this 2-core machine the cloud drains
    // ≈ 12–30 k samples/s, so an hour takes 20–50 min. The default keeps `npm run bench` near 6 min;
    // `--backlog-minutes 60` runs the full size (the row's name says which size was used).
    'backlog-minutes': { type: 'string', default: '3' },
    'skip-drain': { type: 'boolean', default: false },
  },
})

const dir = mkdtempSync(path.join(tmpdir(), 'parklink-bench-'))
const results: BenchResult[] = []
try {
  results.push(...benchOutbox(dir, Number(values.seconds)))
  results.push(...(await benchIngest(dir, Number(values.seconds))))
  results.push(...benchSdt(Number(values['sdt-hours'])))
  if (!values['skip-e2e']) {
    // Loaded only when run: it pulls in the demo's configuration (and node-opcua with it).
    const { benchEndToEnd } = await import('./e2e.ts')
    results.push(...(await benchEndToEnd(dir, Number(values['e2e-seconds']))))
  }
  if (!values['skip-latency']) {
    const { benchAlarmLatency } = await import('./alarm-latency.ts')
    results.push(...(await benchAlarmLatency(dir, { crossings: Number(values.crossings), periodMs: 1_000, perSecond: 10_000 })))
  }
  if (!values['skip-drain']) {
    const { benchDrain } = await import('./drain.ts')
    results.push(...(await benchDrain(dir, { backlogMinutes: Number(values['backlog-minutes']), perSecond: 10_000 })))
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log(printTable(results))
if (values.out) {
  writeResults(values.out, results)
  console.log(`\nwritten to ${values.out}`)
}
