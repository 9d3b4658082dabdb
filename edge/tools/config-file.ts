import { renameSync, writeFileSync } from 'node:fs'

/**
 * Replaces a config file the way every tool that edits one does: the previous text kept as
 * FILE.bak, the new one written beside it and renamed over (atomic on one file system), so a
 * running agent's watcher never reads half a file.
 */
export function replaceConfigFile(configFile: string, previous: string, next: string): void {
  writeFileSync(`${configFile}.bak`, previous)
  writeFileSync(`${configFile}.tmp`, next)
  renameSync(`${configFile}.tmp`, configFile)
}
