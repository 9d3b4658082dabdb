import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { faultCampaign } from './campaign.ts'
import { faultChoices, type FaultKind } from './faults.ts'
import { STORE_ENGINES, type StoreEngine } from './cloud-database.ts'
import { formatTable } from './summary.ts'
import { outboxKillLoop } from './outbox-kills.ts'
import { initKeyFile } from '../../edge/at-rest/key-file.ts'
import { mulberry32 } from '../sim/plant.ts'

/**
 * `npm run test:faults [-- --faults 50 --max-seconds 600 --kills 100 --seed N --only KIND,KIND --store sqlite|postgres --replicas 1|2]`:
 * the fault campaign (not part of `npm test`). `--store postgres` runs the cloud on a throwaway
 * PostgreSQL cluster (Debian's postgresql package; test/util/postgres.ts) instead of its embedded
 * SQLite file, with 'restart the database' in place of 'database locked' (faults.ts). `--replicas 2`
 * (issue 16; implies --store postgres) runs two cloud replicas, each with its own broker user,
 * and kills the one that owns the edge every 20–40 s (replica-kills.ts): the takeover times are
 * reported, and a kill not followed by a new ack within 120 s fails the run. Exit code 0 only when no batch the edge generated
 * was lost (apart from recorded gaps), duplicated or altered (content hash and samples, against
 * its outbox journal), every disk_full refusal is in a gap record, the outbox opened cleanly after
 * every SIGKILL (in clear, then again with every payload sealed with SM4 at rest: no loss, no batch
 * held twice) and every fault happened as meant and left its trace. `--only` draws from the
 * named kinds alone (to replay one kind of fault; a seed then draws other faults).
 *
 * One seeded generator draws every choice in order (the kill moments, then each fault's wait,
 * kind and duration), so the same --seed with the same --kills and --faults replays the same
 * faults; only --max-seconds, a wall-clock bound, can cut a run short. The same seed draws the
 * same faults on both engines, the database's own fault being each engine's (faultChoices).
 */
const { values } = parseArgs({
  options: {
    faults: { type: 'string', default: '50' },
    'max-seconds': { type: 'string', default: '600' },
    kills: { type: 'string', default: '100' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    only: { type: 'string' },
    store: { type: 'string', default: 'sqlite' },
    replicas: { type: 'string', default: '1' },
  },
})
const engine = values.store as StoreEngine
if (!STORE_ENGINES.includes(engine))
  throw new Error(`--store must be one of ${STORE_ENGINES.join(', ')} (got "${values.store}")`)
const replicas = Number(values.replicas)
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 4)
  throw new Error(`--replicas must be 1 to 4 (got "${values.replicas}")`)
// Several replicas share one PostgreSQL (issue 16): --replicas 2 implies --store postgres.
const engineOf = replicas > 1 ? 'postgres' : engine
const choices = faultChoices(engineOf)
const only = values.only?.split(',').map((k) => k.trim()) as FaultKind[] | undefined
for (const k of only ?? [])
  if (!choices.includes(k))
    throw new Error(`--only: "${k}" is not a fault kind on ${engineOf}; the kinds: ${[...new Set(choices)].join(', ')}`)

const seed = Number(values.seed)
if (!Number.isInteger(seed))
  throw new Error(`--seed must be an integer (got "${values.seed}"); the seed of a run is printed at its start`)
const random = mulberry32(seed)
const dir = mkdtempSync(path.join(tmpdir(), 'parklink-faults-'))
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`)
let ok = false
try {
  say(
    `seed ${seed} (repeat this run with --seed ${seed} --kills ${values.kills} --faults ${values.faults} --store ${engineOf} --replicas ${replicas})`,
  )
  const kills = await outboxKillLoop(dir, Number(values.kills), random)
  say(
    `outbox under SIGKILL: ${kills.kills} kills, ${kills.cleanOpens} clean opens, ${kills.lostDurable} durable appends lost`,
  )
  for (const p of kills.problems) say(`  problem: ${p}`)
  // The same with every payload sealed at rest (storage.encryption, issue 20).
  const keyFile = path.join(dir, 'at-rest.key')
  initKeyFile(keyFile, Date.now())
  const sealed = await outboxKillLoop(dir, Number(values.kills), random, keyFile)
  say(
    `outbox sealed with SM4 under SIGKILL: ${sealed.kills} kills, ${sealed.cleanOpens} clean opens, ${sealed.lostDurable} durable appends lost, ${sealed.duplicated} batches held twice`,
  )
  for (const p of sealed.problems) say(`  problem: ${p}`)
  const c = await faultCampaign(dir, {
    count: Number(values.faults),
    maxSeconds: Number(values['max-seconds']),
    random,
    say,
    engine: engineOf,
    replicas,
    ...(only ? { only } : {}),
  })
  const total = Object.values(c.faults).reduce((a, b) => a + b, 0)
  say(
    `campaign: ${total} faults in ${c.seconds} s; cloud store: ${engineOf}${replicas > 1 ? ` (${replicas} replicas)` : ''}; broker: shipped Mosquitto (TLS, ACL, persistence); edge disk: ${c.edgeDiskIsTmpfs ? 'tmpfs' : 'plain directory (not root: no disk-full fault)'}`,
  )
  for (const line of formatTable(c.table)) say(`  ${line}`)
  say(
    `blackholes the edge noticed by itself: ${c.blackholesNoticed}/${c.faults['link blackhole (> keepalive)']}; batches the cloud could not store (not acked): ${c.cloudStoreFailures}`,
  )
  for (const p of c.problems) say(`  problem: ${p}`)
  if (replicas > 1) {
    const done = c.takeovers.filter((ms): ms is number => ms !== null).sort((a, b) => a - b)
    const s = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`)
    say(
      `replicas ${replicas}: ${c.takeovers.length} kills of the edge's owner; takeover median ${s(done[Math.floor(done.length / 2)])}, max ${s(done.at(-1))}; none within 120 s: ${c.takeovers.length - done.length} (target: ≤ 15 s)`,
    )
  }
  say(`processes that exited by themselves (restarted as systemd would): ${c.selfExits.length}`)
  for (const e of c.selfExits) say(`  ${e}`)
  const t = c.totals
  say(
    `batches generated ${t.generated}: stored as generated ${t.stored}, in gap records ${t.inGaps}, held at end ${t.heldAtEnd}, LOST ${t.lost}, DUPLICATED samples ${t.duplicated}, ALTERED ${t.altered}`,
  )
  for (const bad of c.content.checks.filter((x) => x.verdict === 'lost' || x.verdict === 'altered').slice(0, 10))
    say(`  ${bad.verdict}: ${bad.why}`)
  say(
    `disk full: ${c.diskFull.refused} samples refused, ${c.diskFull.inGapRecords} in disk_full gap records, ${c.diskFull.deletedWithOutbox} deleted with an outbox before delivery; stored batches missing from the journal (edge killed between commit and journal line): ${c.content.unjournaled}; torn journal lines: ${c.tornJournalLines}`,
  )
  const diskFullTraced = c.diskFull.refused === c.diskFull.inGapRecords + c.diskFull.deletedWithOutbox
  if (!diskFullTraced) say('  problem: refused samples differ from those in disk_full gap records and deleted outboxes')
  const unjournaledOk = c.content.unjournaled <= c.faults['kill -9 edge'] + c.faults['outbox deleted and replaced']
  if (!unjournaledOk) say('  problem: more stored batches without a journal line than edge kills')
  ok =
    kills.problems.length === 0 &&
    kills.cleanOpens === kills.kills &&
    sealed.problems.length === 0 &&
    sealed.cleanOpens === sealed.kills &&
    c.problems.length === 0 &&
    t.lost === 0 &&
    t.duplicated === 0 &&
    t.altered === 0 &&
    t.heldAtEnd === 0 &&
    c.takeovers.every((ms) => ms !== null) &&
    diskFullTraced &&
    unjournaledOk
  say(ok ? 'PASS' : 'FAIL')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
process.exit(ok ? 0 : 1)
