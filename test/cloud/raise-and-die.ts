/**
 * A cloud process that commits an alarm and is then killed (dispatcher.test.ts, issue 14): it
 * opens the store of the config's `store` in argv[2] (JSON; SQLite in the dataDir argv[3], or a
 * PostgreSQL database by URL) with the notification planner of the config in argv[4], ingests
 * one batch over TK-101's HH, says `committed` and waits to be SIGKILLed — no dispatcher ever runs.
 */
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { createLogger } from '../../cloud/log.ts'
import { NotificationsConfig } from '../../cloud/notify/config.ts'
import { pushPlanner } from '../../cloud/notify/plan.ts'
import { openStore } from '../../cloud/store/open-store.ts'
import { StoreConfig } from '../../cloud/store/store-config.ts'
import { LEVEL, batch, good } from './helpers.ts'

const [storeJson, dataDir, configJson, at] = process.argv.slice(2)
const config = NotificationsConfig.parse(JSON.parse(configJson!))
const store = await openStore(
  { store: StoreConfig.parse(JSON.parse(storeJson!)), dataDir: dataDir! },
  { evaluate: createEvaluator(), log: createLogger({ level: 'silent' }), planPushes: pushPlanner(config) },
)
await store.ingestBatch(batch(1, [good(LEVEL, Number(at), 10.6)]), { site: 'huaian', receivedAt: Number(at) })
process.stdout.write('committed\n')
setInterval(() => {}, 60_000) // alive until killed
