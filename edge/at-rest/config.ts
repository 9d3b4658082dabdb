import path from 'node:path'
import { z } from 'zod'

/**
 * `storage:` in the edge config. `encryption.keyFile` turns on SM4 at rest for the outbox, the
 * alarm and baseline stores and the camera snapshots kept at the edge (edge/at-rest/). The key
 * itself is never in the config: it lives in the key file (0600; `parklink edge key init`).
 */
export const StorageConfig = z.strictObject({
  encryption: z
    .strictObject({
      /** The key file (relative paths: against the config file's folder). E.g. a systemd credential: /run/credentials/parklink-edge.service/at-rest-key. */
      keyFile: z.string().min(1),
    })
    .optional(),
})
export type StorageConfig = z.infer<typeof StorageConfig>

export function resolveStorage(storage: StorageConfig, baseDir: string): StorageConfig {
  return storage.encryption ? { encryption: { keyFile: path.resolve(baseDir, storage.encryption.keyFile) } } : storage
}
