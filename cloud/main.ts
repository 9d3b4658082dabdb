import { loadCloudConfig } from './config.ts'
import { createLogger, type Logger } from './log.ts'
import { startCloud } from './service.ts'

/**
 * `parklink cloud --config FILE`: loads the config (a bad one throws before anything starts)
 * and starts the service; the CLI keeps it running until a signal.
 */
export async function startCloudFromFile(configPath: string): Promise<{ stop(): Promise<void>; log: Logger }> {
  const config = loadCloudConfig(configPath)
  const log = createLogger({ level: config.log.level })
  const cloud = await startCloud(config, { log })
  log.info({ config: configPath, url: cloud.url, mqtt: config.mqtt.url }, 'parklink cloud running')
  return { stop: () => cloud.stop(), log }
}
