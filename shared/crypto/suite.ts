import path from 'node:path'
import { z } from 'zod'

/**
 * Application-layer cryptography above TLS (issue 20, brief §7: 等保 level 3 / 密评 asks SM2 for
 * identity, SM3 for integrity, SM4 for confidentiality at the application layer):
 * - `sm`: SM2 signatures with SM3 (GB/T 32918.2, GB/T 32905) with the SM2 key and certificate
 *   `parklink pki issue` wrote (sm2.key, sm2.crt, sm2-ca.crt); SM4-CBC (GB/T 32907) + HMAC-SM3
 *   when encrypting (this Node's OpenSSL has no SM4-GCM);
 * - `standard`: ECDSA P-256 with SHA-256 with the TLS client key and certificate (client.key,
 *   client.crt, ca.crt); AES-128-CBC + HMAC-SHA-256 when encrypting;
 * - `off`: today's wire format, nothing signed (a demo or a lab only).
 */
export const CryptoSuites = ['sm', 'standard', 'off'] as const
export type CryptoSuite = (typeof CryptoSuites)[number]
export type SigningSuite = Exclude<CryptoSuite, 'off'>

export interface SuiteAlgorithms {
  /** The digest given to crypto.sign/verify (SM2 signs with SM3 inside its own scheme). */
  digest: 'sm3' | 'sha256'
  /** The curve of the keys (SM2 or P-256), checked when a key is loaded. */
  curve: 'SM2' | 'prime256v1'
  /** The block cipher in CBC mode (16-byte key and IV) and the HMAC digest for encrypt-then-MAC. */
  cipher: 'sm4-cbc' | 'aes-128-cbc'
  mac: 'sm3' | 'sha256'
}

export const SUITES: Record<SigningSuite, SuiteAlgorithms> = {
  sm: { digest: 'sm3', curve: 'SM2', cipher: 'sm4-cbc', mac: 'sm3' },
  standard: { digest: 'sha256', curve: 'prime256v1', cipher: 'aes-128-cbc', mac: 'sha256' },
}

/**
 * `crypto` in the edge and the cloud config. Files default to what `parklink pki issue` wrote in
 * the folder of the TLS certificate (sm: sm2.key/sm2.crt/sm2-ca.crt; standard: the TLS client
 * files); `key`, `cert`, `ca` name them explicitly (paths relative to the config).
 */
export const CryptoConfig = z
  .strictObject({
    suite: z.enum(CryptoSuites).default('off'),
    /** SM4 (or AES) encryption of every payload: the edge encrypts what it sends, the cloud refuses a plain one. */
    encrypt: z.boolean().default(false),
    key: z.string().min(1).optional(),
    cert: z.string().min(1).optional(),
    ca: z.string().min(1).optional(),
  })
  .refine((c) => c.suite !== 'off' || !c.encrypt, {
    message: 'encrypt needs a suite (sm or standard)',
    path: ['encrypt'],
  })
export type CryptoConfig = z.infer<typeof CryptoConfig>
export const defaultCryptoConfig: CryptoConfig = { suite: 'off', encrypt: false }

/** The files of a `crypto` block made absolute (written relative to the config file). Pure: path arithmetic. */
export const resolveCryptoPaths = <C extends CryptoConfig>(c: C, baseDir: string): C => ({
  ...c,
  ...(c.key === undefined ? {} : { key: path.resolve(baseDir, c.key) }),
  ...(c.cert === undefined ? {} : { cert: path.resolve(baseDir, c.cert) }),
  ...(c.ca === undefined ? {} : { ca: path.resolve(baseDir, c.ca) }),
})
