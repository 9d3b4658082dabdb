import type { CloudConfig } from '../cloud/config.ts'
import type { Store } from '../cloud/store/store.ts'

/**
 * The cloud's store opened from its config file for one CLI command (`cloud report`, `cloud
 * exchange`, `cloud user`…), closed when the command is done: the one place a command chooses
 * and opens the store. Imported lazily, so the CLI's edge commands never load the cloud.
 * `before` runs once the config is read and before the store opens (a prompt, a check).
 */
export async function withCloudStore<T>(
  configFile: string,
  fn: (store: Store, config: CloudConfig) => Promise<T>,
  before?: (config: CloudConfig) => Promise<void>,
): Promise<T> {
  const [{ loadCloudConfig }, { createLogger }, { openStore }, { createEvaluator }] = await Promise.all([
    import('../cloud/config.ts'),
    import('../cloud/log.ts'),
    import('../cloud/store/open-store.ts'),
    import('../shared/rules/evaluate.ts'),
  ])
  const config = loadCloudConfig(configFile)
  await before?.(config)
  const store = await openStore(config, {
    evaluate: createEvaluator(config.alarms.priorities, config.alarms.chatter),
    log: createLogger({ level: 'silent' }),
  })
  try {
    return await fn(store, config)
  } finally {
    await store.close()
  }
}
