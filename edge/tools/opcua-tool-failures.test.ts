import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOpcuaSim, type OpcuaSim } from '../../test/sim/opcua-sim.ts'
import { startParklink, stopAll } from '../../test/util/child.ts'

/**
 * The OPC UA tools' security failures through the real CLI (issue 19): a certificate refused in
 * either direction, a wrong password and a policy the server does not offer are each one error
 * line with a code and one hint line, no stack trace, and exit 1 (README: 1 when the device did
 * not answer as asked, 2 for invalid usage). The server offers only Aes256_Sha256_RsaPss.
 */
describe('OPC UA tools: certificates, passwords and policies refused', () => {
  let strict: OpcuaSim
  let open: OpcuaSim
  let dir: string
  beforeAll(async () => {
    const only = { securityPolicies: ['Aes256_Sha256_RsaPss' as const], securityModes: ['SignAndEncrypt' as const] }
    strict = await startOpcuaSim({ ...only, trustUnknownClients: false })
    open = await startOpcuaSim({ ...only, users: [{ username: 'edge', password: 'demo-only-password' }] })
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-opcua-tool-failures-'))
  })
  afterAll(async () => {
    await stopAll()
    await strict?.stop()
    await open?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const browse = async (endpoint: string, extra: string[], env: NodeJS.ProcessEnv = {}) => {
    const child = startParklink(
      'opcua-failures',
      ['edge', 'browse', 'opcua', endpoint, '--depth', '1', '--data-dir', path.join(dir, 'edge'), ...extra],
      env,
    )
    return { code: await child.exited, output: child.output() }
  }
  const secure = ['--security', 'Aes256_Sha256_RsaPss-SignAndEncrypt']
  const oneError = (output: string, code: string) => {
    const errors = output.split('\n').filter((l) => l.startsWith('error'))
    expect(errors, output).toEqual([expect.stringContaining(`error [${code}]: `)])
    expect(output).toMatch(/\nhint: \S/)
    expect(output).not.toMatch(/\n\s+at /)
  }

  it("the server refuses the edge's certificate: PL_DEVICE_CERT_REJECTED, exit 1", async () => {
    const r = await browse(strict.endpoint, [...secure, '--accept-unknown-certificate'])
    expect(r.code, r.output).toBe(1)
    oneError(r.output, 'PL_DEVICE_CERT_REJECTED')
    expect(r.output).toMatch(/BadSecurityChecksFailed/)
  }, 60_000)

  it("the edge does not trust the server's certificate: PL_DEVICE_CERT_REJECTED, exit 1", async () => {
    const r = await browse(open.endpoint, secure)
    expect(r.code, r.output).toBe(1)
    oneError(r.output, 'PL_DEVICE_CERT_REJECTED')
    expect(r.output).toMatch(/BadCertificateUntrusted/)
    expect(r.output).toMatch(/hint: .*pki\/rejected/)
  }, 60_000)

  it('a wrong password: PL_DEVICE_AUTH_FAILED, exit 1, the password nowhere in the output', async () => {
    const r = await browse(open.endpoint, [...secure, '--accept-unknown-certificate', '--user', 'edge'], {
      PARKLINK_OPCUA_PASSWORD: 'not-the-password',
    })
    expect(r.code, r.output).toBe(1)
    oneError(r.output, 'PL_DEVICE_AUTH_FAILED')
    expect(r.output).not.toContain('not-the-password')
  }, 60_000)

  it('a policy the server does not offer: PL_DEVICE_SECURITY_MISMATCH, exit 1', async () => {
    const r = await browse(open.endpoint, ['--security', 'Basic256Sha256-Sign', '--accept-unknown-certificate'])
    expect(r.code, r.output).toBe(1)
    oneError(r.output, 'PL_DEVICE_SECURITY_MISMATCH')
  }, 60_000)
})
