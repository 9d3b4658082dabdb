import * as fs from 'node:fs'
import { generateKeyPairSync } from 'node:crypto'
import { writePrivateFile } from '../../shared/private-files.ts'

/**
 * Key pairs are made by Node (OpenSSL inside) and written straight to a 0600 file, never printed
 * or passed on a command line; openssl reads them from that file. Curves: P-256 (`prime256v1`,
 * the TLS layer) and SM2 (GB/T 32918, the application layer).
 */
export type KeyCurve = 'P-256' | 'SM2'

export function writeNewKey(file: string, curve: KeyCurve): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve === 'SM2' ? 'SM2' : 'prime256v1' })
  writePrivateFile(fs, file, privateKey.export({ type: 'pkcs8', format: 'pem' }), true)
}
