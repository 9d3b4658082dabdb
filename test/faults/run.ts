import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { faultCampaign } from './campaign.ts'
import { outboxKillLoop } from './outbox-kills.ts'
import { mulberry32 } from '../sim/plant.ts'

/**
 * `npm run test:faults [-- --faults 50 --max-seconds 600 --kills 100 --seed N]`: the fault
 * campaign (not part of `npm test`). Exit code 0 only when nothing was lost or duplicated, the
 * outbox opened cleanly after every SIGKILL and every fault happened as meant.
 *
 * One seeded generator draws every choice in order (the kill moments, then each fault's wait,
 * kind and duration), so the same --seed with the same --kills and --faults replays the same
 * faults; only --max-seconds, a wall-clock bound, can cut a run short.
 */
const { values } = parseArgs({
  options: {
    faults: { type: 'string', default: '50' },
    'max-seconds': { type: 'string', default: '600' },
    kills: { type: 'string', default: '100' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
  },
})

const seed = Number(values.seed)
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer (got "${values.seed}"); the seed of a run is printed at its start`)
const random = mulberry32(seed)
const dir = mkdtempSync(path.join(tmpdir(), 'parklink-faults-'))
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`)
let ok = false
try {
  say(`seed ${seed} (repeat this run with --seed ${seed} --kills ${values.kills} --faults ${values.faults})`)
  const kills = await outboxKillLoop(dir, Number(values.kills), random)
  say(`outbox under SIGKILL: ${kills.kills} kills, ${kills.cleanOpens} clean opens, ${kills.lostDurable} durable appends lost`)
  for (const p of kills.problems) say(`  problem: ${p}`)
  const c = await faultCampaign(dir, Number(values.faults), Number(values['max-seconds']), random, say)
  const total = Object.values(c.faults).reduce((a, b) => a + b, 0)
  say(`campaign: ${total} faults in ${c.seconds} s (${Object.entries(c.faults).map(([k, n]) => `${k}: ${n}`).join(', ')})`)
  say(`blackholes the edge noticed by itself: ${c.blackholesNoticed}/${c.faults['link blackhole (> keepalive)']}; batches the cloud could not store (not acked): ${c.cloudStoreFailures}`)
  for (const p of c.problems) say(`  problem: ${p}`)
  say(`processes that exited by themselves (restarted as systemd would): ${c.selfExits.length}`)
  for (const e of c.selfExits) say(`  ${e}`)
  say(`batches assigned ${c.assigned}, stored ${c.stored}, held at end ${c.heldAtEnd}, in gap records ${c.inGaps}, LOST ${c.lost}, duplicate samples ${c.duplicateSamples}, incomplete batches ${c.incompleteBatches}`)
  ok = kills.problems.length === 0 && kills.cleanOpens === kills.kills && c.problems.length === 0 && c.lost === 0 && c.duplicateSamples === 0 && c.incompleteBatches === 0
  say(ok ? 'PASS' : 'FAIL')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
process.exit(ok ? 0 : 1)
