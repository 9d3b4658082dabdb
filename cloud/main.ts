import { loadCloudConfig } from './config.ts'
import { createLogger } from './log.ts'
import { startCloud } from './service.ts'

/**
 * `parklink cloud --config FILE`: loads the config (a bad one throws before anything starts),
 * runs until SIGINT or SIGTERM, then stops cleanly. A second signal while stopping exits at once.
 */
export async function runCloud(configPath: string): Promise<void> {
  const config = loadCloudConfig(configPath)
  const log = createLogger({ level: config.log.level })
  const cloud = await startCloud(config, { log })
  log.info({ config: configPath, url: cloud.url, mqtt: config.mqtt.url }, 'parklink cloud running')

  await new Promise<void>((resolve) => {
    let stopping = false
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal while stopping: exiting now')
        process.exit(1)
      }
      stopping = true
      log.info({ signal }, 'stopping')
      cloud.stop().then(
        () => {
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
          resolve()
        },
        (err: unknown) => {
          log.error({ err }, 'error while stopping')
          process.exitCode = 1
          resolve()
        },
      )
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}
