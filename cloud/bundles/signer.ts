import { readFileSync } from 'node:fs'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { signingKeyOf } from '../../shared/wire/bundle-signature.ts'

/**
 * The park's bundle signing key (issue 19), read once at start from the file the cloud config
 * names (bundles.signingKeyFile). A key that cannot be used stops the start, as a bad config
 * does; the message names the file, never its content.
 */
export function loadBundleSigner(file: string): ReturnType<typeof signingKeyOf> {
  try {
    return signingKeyOf(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `bundles.signingKeyFile ${file} is not a usable signing key: ${errorMessage(err).split('\n')[0]}`,
      {
        hint: 'give the park signing key as a PKCS#8 PEM file (SM2, e.g. the sm2.key `parklink pki issue` writes for the cloud, or Ed25519), readable by the service user only',
        cause: err,
      },
    )
  }
}
