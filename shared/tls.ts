import path from 'node:path'
import { z } from 'zod'
import { ErrorCodes, ParklinkError, errorMessage } from './errors.ts'

/**
 * A `tls` block of a config: the park broker's CA (its PKI is private, so the system's CAs do
 * not know it) and, where the park authenticates by certificate, this client's certificate and
 * key. PEM files, paths relative to the config; the key stays in a file readable by the service
 * only. Used by the edge's uplink (`uplink.tls`) and the cloud's ingest (`mqtt.tls`).
 */
export const TlsFilesConfig = z
  .strictObject({
    /** CA certificate(s) that signed the broker's certificate. */
    ca: z.string().min(1).optional(),
    /** This client's certificate and its private key (both, or neither). */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'give cert and key together',
    path: ['key'],
  })
export type TlsFilesConfig = z.infer<typeof TlsFilesConfig>

/** Makes the file paths of a tls block absolute (they are written relative to the config file). Pure: path arithmetic only. */
export const resolveTlsPaths = <T extends Partial<Record<string, string>>>(tls: T, baseDir: string): T =>
  Object.fromEntries(Object.entries(tls).map(([k, v]) => [k, path.resolve(baseDir, v as string)])) as T

export interface TlsMaterial {
  ca?: Buffer
  cert?: Buffer
  key?: Buffer
}

/**
 * Reads the files before anything starts, through the `read` it is handed (shared/ does no I/O
 * itself): a missing one is a config error, said with its name.
 */
export function readTlsFiles(
  tls: TlsFilesConfig | undefined,
  where: string,
  read: (file: string) => Buffer,
): TlsMaterial | undefined {
  if (!tls) return undefined
  const out: TlsMaterial = {}
  for (const key of ['ca', 'cert', 'key'] as const) {
    const file = tls[key]
    if (file === undefined) continue
    try {
      out[key] = read(file)
    } catch (err) {
      throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `${where}.${key}: cannot read ${file}: ${errorMessage(err)}`, {
        hint: 'copy the PEM file the park issued to that path, readable by the service user (parklink)',
        cause: err,
      })
    }
  }
  return out
}
