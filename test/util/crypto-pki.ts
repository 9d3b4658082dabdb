import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { initPki, type PkiContext } from '../../deploy/pki/ca.ts'
import { issue } from '../../deploy/pki/issue.ts'
import { cloudIdentity, edgeIdentity } from '../../deploy/pki/names.ts'
import { runOpenssl } from '../../deploy/pki/openssl.ts'
import { loadCryptoMaterial, type CryptoMaterial } from '../../shared/crypto/material.ts'
import type { SigningSuite } from '../../shared/crypto/suite.ts'

/** A park PKI made by `parklink pki` in a temporary folder, and the crypto material of its identities. */
export interface TestPki {
  pki: PkiContext
  /** Issues (once) and loads an edge's ({site}/{edge}) or cloud's material for a suite. */
  material(kind: 'edge' | 'cloud', name: string, suite: SigningSuite): CryptoMaterial
  /** The folder `issue` wrote for the identity (issuing it first if needed). */
  dirOf(kind: 'edge' | 'cloud', name: string): string
  dispose(): void
}

export function makeTestPki(root?: string): TestPki {
  const dir = root ?? mkdtempSync(path.join(tmpdir(), 'parklink-crypto-pki-'))
  const pki = initPki(path.join(dir, 'pki'), runOpenssl, { park: 'test park', days: 2 })
  const issued = new Map<string, string>()
  const dirOf = (kind: 'edge' | 'cloud', name: string) => {
    const id = `${kind}:${name}`
    if (!issued.has(id)) {
      const files = issue(pki, kind === 'edge' ? edgeIdentity(name) : cloudIdentity(name), { days: 2 }).files
      issued.set(id, path.dirname(files.clientCert!))
    }
    return issued.get(id)!
  }
  return {
    pki,
    dirOf,
    material(kind, name, suite) {
      const d = dirOf(kind, name)
      const files =
        suite === 'sm'
          ? { key: `${d}/sm2.key`, cert: `${d}/sm2.crt`, ca: `${d}/sm2-ca.crt` }
          : { key: `${d}/client.key`, cert: `${d}/client.crt`, ca: `${d}/ca.crt` }
      return loadCryptoMaterial({ suite, encrypt: false, ...files }, undefined, 'crypto', (f) => readFileSync(f))
    },
    dispose: () => {
      if (!root) rmSync(dir, { recursive: true, force: true })
    },
  }
}
