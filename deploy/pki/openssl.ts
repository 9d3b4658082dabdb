import { execFileSync } from 'node:child_process'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'

/**
 * Runs Debian's `openssl` (OpenSSL 3): Node's crypto makes keys and signatures but cannot build
 * X.509 certificates or CRLs. Private keys are only ever passed as FILE PATHS (files made 0600 by
 * deploy/pki/keys.ts), never as arguments or through the environment; nothing read back is
 * logged except openssl's own error text, which never contains key material.
 * `env`: the few variables the generated openssl.cnf reads ($ENV::…); nothing else is inherited
 * but PATH.
 */
export type OpensslRunner = (args: readonly string[], env?: Record<string, string>) => string

export const runOpenssl: OpensslRunner = (args, env = {}) => {
  try {
    // umask 077: the files openssl makes itself (CA database, serials, certificates) are 0600 too,
    // whatever the caller's umask; deploy/pki makes the public ones 0644 afterwards.
    return execFileSync('/bin/sh', ['-c', 'umask 077 && exec openssl "$@"', 'openssl', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    })
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? ''
    const missing = (err as { status?: number }).status === 127
    throw new ParklinkError(
      ErrorCodes.PKI_FAILED,
      missing ? 'openssl is not installed' : `openssl ${args[0]} failed: ${gist(stderr)}`,
      {
        hint: missing
          ? 'apt-get install -y openssl (OpenSSL 3)'
          : 'check the PKI directory (parklink pki list) and the name given',
        cause: err,
      },
    )
  }
}

/** The lines of openssl's stderr that say what went wrong (it also prints progress). */
function gist(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const errors = lines.filter((l) => /error|unable|invalid|already|no such|not /i.test(l))
  return (errors.length > 0 ? errors : lines).slice(-3).join(' | ')
}
