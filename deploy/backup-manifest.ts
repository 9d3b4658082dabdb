import * as fs from 'node:fs'
import path from 'node:path'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'

/** The file every backup directory holds, either engine's (deploy/backup.ts, deploy/backup-postgres.ts). */
export const MANIFEST = 'manifest.json'

/** A backup directory's manifest (either engine's), parsed; STORE_FAILED when there is none. */
export function readManifest<M>(dir: string): M {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as M
  } catch (err) {
    throw new ParklinkError(ErrorCodes.STORE_FAILED, `${dir} holds no readable ${MANIFEST}`, {
      hint: 'give the directory `parklink cloud backup --to` wrote',
      cause: err,
    })
  }
}
