/**
 * A cloud process that commits an alarm and is then killed (dispatcher.test.ts, issue 14): it
 * opens the store on argv[2] with the notification planner of the config in argv[3], ingests
 * one batch over TK-101's HH, says `committed` and waits to be SIGKILLed — no dispatcher ever runs.
 */
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { createLogger } from '../../cloud/log.ts'
import { NotificationsConfig } from '../../cloud/notify/config.ts'
import { pushPlanner } from '../../cloud/notify/plan.ts'
import { openSqliteStore } from '../../cloud/store/sqlite/store.ts'
import { LEVEL, batch, good } from './helpers.ts'

const [file, configJson, at] = process.argv.slice(2)
const config = NotificationsConfig.parse(JSON.parse(configJson!))
const store = openSqliteStore({
  file: file!,
  evaluate: createEvaluator(),
  log: createLogger({ level: 'silent' }),
  planPushes: pushPlanner(config),
})
await store.ingestBatch(batch(1, [good(LEVEL, Number(at), 10.6)]), { site: 'huaian', receivedAt: Number(at) })
process.stdout.write('committed\n')
setInterval(() => {}, 60_000) // alive until killed
