import * as fs from 'node:fs'
import path from 'node:path'
import { writePrivateFile } from '../../shared/private-files.ts'
import { ConfigBundle, SignedBundle } from '../../shared/wire/bundle.ts'

/** The last bundle the edge applied, kept in its data directory (0600): what a newer push is compared with. */
export const LAST_GOOD_FILE = 'park-bundle.json'

export interface LastGood {
  signed: SignedBundle
  issuedAt: number
}

export function readLastGood(dataDir: string): LastGood | null {
  try {
    const signed = SignedBundle.parse(JSON.parse(fs.readFileSync(path.join(dataDir, LAST_GOOD_FILE), 'utf8')))
    return { signed, issuedAt: ConfigBundle.parse(JSON.parse(signed.bundle)).issuedAt }
  } catch {
    return null
  }
}

export function writeLastGood(dataDir: string, signed: SignedBundle): void {
  const file = path.join(dataDir, LAST_GOOD_FILE)
  const next = `${file}.new`
  writePrivateFile(fs, next, JSON.stringify(signed))
  fs.renameSync(next, file)
}
