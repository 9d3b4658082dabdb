import { devicePoints, loadEdgeConfig } from './config.ts'
import { createLogger, type Logger } from './log.ts'
import { startSupervisedEdge } from './supervisor.ts'

/**
 * `parklink edge --config FILE`: loads the config (a bad one throws before anything starts,
 * so no device is touched) and starts the agent; the CLI keeps it running until a signal. A
 * changed config file is applied with rollback (edge/supervisor.ts).
 */
export async function startEdgeFromFile(configPath: string): Promise<{ stop(): Promise<void>; log: Logger }> {
  const config = loadEdgeConfig(configPath)
  const log = createLogger(`parklink-edge`, (process.env.PARKLINK_LOG_LEVEL as 'info' | undefined) ?? 'info').child({ edge: config.edge })
  const agent = await startSupervisedEdge(configPath, log)
  const points = config.devices.reduce((n, d) => n + devicePoints(d).length, 0)
  log.info({ config: configPath, site: config.site, devices: config.devices.length, points, uplink: config.uplink.url }, 'parklink edge running')
  return { stop: () => agent.stop(), log }
}
