import { loadCloudConfig } from './config.ts'
import { createLogger, type Logger } from './log.ts'
import { startCloud } from './service.ts'
import { guardNullSocketWrites } from './store/postgres/null-socket-guard.ts'

/**
 * `parklink cloud --config FILE`: loads the config (a bad one throws before anything starts)
 * and starts the service; the CLI keeps it running until a signal.
 */
export async function startCloudFromFile(configPath: string): Promise<{ stop(): Promise<void>; log: Logger }> {
  const config = loadCloudConfig(configPath)
  const log = createLogger({ level: config.log.level })
  // The process's own entry: a PostgreSQL driver bug must not end it (null-socket-guard.ts).
  const unguard = config.store.engine === 'postgres' ? guardNullSocketWrites(log) : () => {}
  const cloud = await startCloud(config, { log }).catch((err: unknown) => {
    unguard()
    throw err
  })
  log.info(
    {
      config: configPath,
      url: cloud.url,
      ...(config.awsIot ? { awsIot: config.awsIot.endpoint } : { mqtt: config.mqtt.url }),
    },
    'parklink cloud running',
  )
  return { stop: () => cloud.stop().finally(unguard), log }
}
