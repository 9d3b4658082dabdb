import { readFileSync } from 'node:fs'
import { TlsFilesConfig, readTlsFiles, resolveTlsPaths, type TlsMaterial } from '../../shared/tls.ts'

/** `uplink.tls` (and the console's `tls`): shared/tls.ts. */
export const UplinkTlsConfig = TlsFilesConfig
export type UplinkTlsConfig = TlsFilesConfig
export type UplinkTlsMaterial = TlsMaterial
export { resolveTlsPaths }

/** Reads the files before anything starts: a missing one is a config error, said with its name. */
export const loadUplinkTls = (tls: UplinkTlsConfig | undefined, where = 'uplink.tls'): UplinkTlsMaterial | undefined =>
  readTlsFiles(tls, where, (file) => readFileSync(file))
