import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import { checkIotTopics } from '../../../shared/iot/limits.ts'
import { Channels, topic } from '../../../shared/wire/topics.ts'
import { iotFileProblems } from '../../crypto-files-check.ts'

export interface IotFiles {
  cert: string
  key: string
  ca?: string | undefined
}

/**
 * Before anything connects (issue 16, "Bad input"): the edge's topics within IoT Core's depth
 * and length, and the thing's files checked (edge/crypto-files-check.ts: a certificate that is
 * not the key's, expired, or not signed by the given CA when that CA issued it → a coded error
 * naming the file). A key readable by others is warned about, as for the mqtt uplink's TLS key.
 * Returns the PEM material.
 */
export function checkIotStart(
  files: IotFiles,
  ids: { site: string; edge: string },
  now: number,
  log: Logger,
): { cert: Buffer; key: Buffer; ca?: Buffer } {
  checkIotTopics(
    Channels.map((c) => topic(ids.site, ids.edge, c)),
    'site and edge',
  )
  for (const p of iotFileProblems(files, now)) {
    const where = p.at.join('.')
    if (p.err.code === ErrorCodes.KEY_PERMISSIONS)
      log.warn({ code: p.err.code, hint: p.err.hint }, `${where}: ${p.err.message}`)
    else throw new ParklinkError(p.err.code, `${where}: ${p.err.message}`, { hint: p.err.hint ?? '', cause: p.err })
  }
  const read = (field: keyof IotFiles, file: string) => {
    try {
      return readFileSync(file)
    } catch (err) {
      throw new ParklinkError(ErrorCodes.CRYPTO_FILE, `uplink.${field}: cannot read ${file}: ${errorMessage(err)}`, {
        hint: 'copy the file to that path, readable by the service user (parklink)',
        cause: err,
      })
    }
  }
  return {
    cert: read('cert', files.cert),
    key: read('key', files.key),
    ...(files.ca === undefined ? {} : { ca: read('ca', files.ca) }),
  }
}
