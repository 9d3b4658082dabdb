import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import * as fs from 'node:fs'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { writePrivateFile } from '../../shared/private-files.ts'
import { publicKeyOf, signViewerToken, viewerTokenAlg } from '../../shared/wire/live-token.ts'

/**
 * The key the cloud signs live-view viewer tokens with (shared/wire/live-token.ts). Its private
 * half stays here: `auth.liveKeyFile` (PEM PKCS#8, Ed25519 or EC P-256, mode 0600), or, when not
 * configured, `{dataDir}/live-key.pem`, created on the first start. Never in the repo, never in
 * the log. The public half goes into each edge's `live.viewerKeys`: the log line "live view key"
 * at start prints it (it is not a secret).
 */
export interface LiveTokenIssuer {
  readonly publicKeyPem: string
  issue(camera: string, subject: string, now: number): Promise<{ token: string; expiresAt: number }>
}

export function loadLiveKey(file: string | undefined, dataDir: string, log: Logger): LiveTokenIssuer {
  const at = file ?? path.join(dataDir, 'live-key.pem')
  let key: KeyObject
  try {
    if (!file && !existsSync(at)) {
      mkdirSync(path.dirname(at), { recursive: true })
      const pair = generateKeyPairSync('ed25519')
      writePrivateFile(fs, at, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), true)
      log.info({ file: at }, 'live view signing key created')
    }
    key = createPrivateKey(readFileSync(at))
    viewerTokenAlg(key)
  } catch (err) {
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `the live view signing key ${at} cannot be used: ${errorMessage(err)}`,
      {
        hint: 'point auth.liveKeyFile at a PEM PKCS#8 Ed25519 or P-256 private key (openssl genpkey -algorithm ed25519 -out live-key.pem), or remove it to have one created in the data directory',
        cause: err,
      },
    )
  }
  const publicKeyPem = publicKeyOf(key).export({ type: 'spki', format: 'pem' }).toString()
  log.info({ publicKey: publicKeyPem }, "live view key: put this public key into each edge's live.viewerKeys")
  return {
    publicKeyPem,
    issue: async (camera, subject, now) =>
      await signViewerToken(key, { camera, subject, issuer: 'parklink-cloud', now }),
  }
}
