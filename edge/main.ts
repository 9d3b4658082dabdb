import { pino } from 'pino'
import { devicePoints, uplinkEndpoint } from './config.ts'
import { loadCheckedEdgeConfig } from './config-check.ts'
import { createLogger, type Logger } from './log.ts'
import { createRecentEvents } from './recent-events.ts'
import { startSupervisedEdge, type SupervisedEdge } from './supervisor.ts'
import { createConfigEditor } from './console/configure/editor.ts'
import { systemClock } from '../shared/clock.ts'
import { edgeTestHooks } from './test-hooks.ts'
import { openRegistryHints } from './registry-hint.ts'

/**
 * `parklink edge --config FILE`: loads the config (a bad one throws before anything starts,
 * so no device is touched) and starts the agent; the CLI keeps it running until a signal. A
 * changed config file is applied with rollback (edge/supervisor.ts). The log's warnings and
 * errors are also kept in a ring for the local console; it outlives config changes, so a
 * rolled-back apply stays visible there. So does the console's config editor (changes made on
 * its devices page are applied through the same supervisor).
 */
export async function startEdgeFromFile(configPath: string): Promise<{ stop(): Promise<void>; log: Logger }> {
  // The same check as `parklink edge validate`: a refused config starts nothing.
  const config = loadCheckedEdgeConfig(configPath)
  // Test-only clock offset and outbox journal: refused unless NODE_ENV=test (edge/test-hooks.ts).
  const hooks = edgeTestHooks()
  const level = (process.env.PARKLINK_LOG_LEVEL as 'info' | undefined) ?? 'info'
  const recent = createRecentEvents()
  const streams = pino.multistream([
    { level, stream: pino.destination(1) },
    { level: 'warn', stream: recent },
  ])
  const log = createLogger(`parklink-edge`, level, streams).child({ edge: config.edge })
  // The console's config editor applies through the supervisor it is handed to (validate, apply, roll back).
  let supervised: SupervisedEdge | null = null
  // The park registry's ownership hint (issue 19): kept across restarts, checked by the console.
  const registryHints = openRegistryHints(config.dataDir, log.child({ component: 'registry-hint' }))
  const configure = config.console
    ? createConfigEditor({
        file: configPath,
        dataDir: config.dataDir,
        clock: systemClock,
        log: log.child({ component: 'console-config' }),
        applyFile: () => supervised!.apply(),
        hints: registryHints,
      })
    : undefined
  const agent = await startSupervisedEdge(configPath, log, {
    recent,
    ...hooks,
    registryHints,
    ...(configure ? { configure } : {}),
  })
  supervised = agent
  const points = config.devices.reduce((n, d) => n + devicePoints(d).length, 0)
  log.info(
    {
      config: configPath,
      site: config.site,
      devices: config.devices.length,
      points,
      uplink: uplinkEndpoint(config.uplink),
    },
    'parklink edge running',
  )
  return { stop: () => agent.stop(), log }
}
