import { createAtRestCipher, type AtRestCipher } from './cipher.ts'
import { checkAtRestStores } from './check.ts'
import type { StorageConfig } from './config.ts'
import { readKeyFile } from './key-file.ts'

/**
 * Reads the key (when configured) and checks it against what the data directory holds: throws
 * PL_AT_REST_KEY, before anything is opened for writing, on a missing or open key file, a key
 * the stored records were not sealed with, or sealed records and no key configured.
 */
export function openAtRest(storage: StorageConfig | undefined, dataDir: string): AtRestCipher | null {
  const keyFile = storage?.encryption?.keyFile
  const cipher = keyFile ? createAtRestCipher(readKeyFile(keyFile), keyFile) : null
  checkAtRestStores(dataDir, cipher)
  return cipher
}
