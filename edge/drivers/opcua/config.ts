import { z } from 'zod'
import { endpointHost, hostProblem } from '../host.ts'
import { PointId } from '../../../shared/wire/ids.ts'

/**
 * OPC UA device configuration: one server endpoint, read through subscriptions (default) or
 * polled reads. Secrets never sit in the file: a username identity names the environment
 * variable that holds the password; a certificate identity names PEM files.
 */
export const Deadband = z.strictObject({
  /** absolute: in the value's units; percent: of the node's EURange (OPC UA Part 8 §6.2, needs EURange). */
  type: z.enum(['absolute', 'percent']),
  value: z.number().nonnegative(),
})
export type Deadband = z.infer<typeof Deadband>

export const OpcuaPointConfig = z.strictObject({
  id: PointId,
  /** e.g. ns=2;s=TK201.Level.PV or ns=3;i=1042 */
  nodeId: z.string().regex(/^(ns=\d+;)?[isgb]=.+$/, 'use an OPC UA node id such as ns=2;s=TK201.Level or ns=3;i=1042'),
  name: z.string().max(128).optional(),
  /** Overrides the server's EngineeringUnits. */
  unit: z.string().max(32).optional(),
  samplingIntervalMs: z.number().int().min(0).optional(),
  queueSize: z.number().int().min(1).max(10_000).optional(),
  deadband: Deadband.optional(),
  /** Writes go to the control system only if true (house rule: read-only by default). */
  writable: z.boolean().default(false),
})
export type OpcuaPointConfig = z.infer<typeof OpcuaPointConfig>

const Identity = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('anonymous') }),
  z.strictObject({
    type: z.literal('username'),
    username: z.string().min(1).max(256),
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. PARKLINK_OPCUA_PASSWORD'),
  }),
  z.strictObject({ type: z.literal('certificate'), certFile: z.string().min(1), keyFile: z.string().min(1) }),
])

export const OpcuaDeviceConfig = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use letters, digits, "_", "-", "."'),
    kind: z.literal('opcua'),
    endpoint: z
      .string()
      .regex(/^opc\.tcp:\/\/[^\s/]+(\/\S*)?$/, 'use opc.tcp://host:port/path')
      .superRefine(endpointCheck),
    /**
     * Part 7 security policy profiles: Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss are what
     * current DCS servers offer by default (Basic256Sha256 is deprecated by the OPC Foundation
     * but still common); None only on a network where nothing else can reach the server.
     */
    securityPolicy: z.enum(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']).default('None'),
    securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
    identity: Identity.default({ type: 'anonymous' }),
    /**
     * Trust a server certificate seen for the first time. false (default): it is put under
     * `{dataDir}/devices/{id}/pki/rejected`; move it to `pki/trusted/certs` to trust it.
     */
    acceptUnknownServerCertificate: z.boolean().default(false),
    /** subscribe: monitored items (polled reads only for what the server refuses); poll: reads every pollMs. */
    mode: z.enum(['subscribe', 'poll']).default('subscribe'),
    pollMs: z.number().int().min(50).default(1000),
    publishingIntervalMs: z.number().int().min(50).default(1000),
    samplingIntervalMs: z.number().int().min(0).default(1000),
    queueSize: z.number().int().min(1).max(10_000).default(10),
    deadband: Deadband.optional(),
    /**
     * Subscribe mode: a point without a notification for this long is read again (one Read for
     * all such points of the device, stamped with the server's time), so a steady value is still
     * refreshed within the brief's 5 min (§3); also capped by the point's report maxSilenceS.
     */
    refreshS: z.number().int().min(1).max(86_400).default(240),
    /** Bound on connecting, opening a session and each request. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    points: z.array(OpcuaPointConfig).min(1),
  })
  // OPC UA Part 4 §7.15: a None policy carries no signature, so only mode None fits it.
  .refine((c) => (c.securityPolicy === 'None') === (c.securityMode === 'None'), {
    message:
      'securityPolicy None goes with securityMode None; Basic256Sha256, Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss with Sign or SignAndEncrypt',
    path: ['securityMode'],
  })
export type OpcuaDeviceConfig = z.infer<typeof OpcuaDeviceConfig>

/** The endpoint's host and port must be ones a socket can reach (the same rule as a Modbus host). */
function endpointCheck(endpoint: string, ctx: z.RefinementCtx): void {
  const host = endpointHost(endpoint)
  const problem = host === null ? null : hostProblem(host)
  if (problem)
    ctx.addIssue({ code: 'custom', message: problem, params: { hint: 'use opc.tcp://IP-or-name:port/path' } })
  const port = /^opc\.tcp:\/\/(?:\[[^\]]+\]|[^\s/:]+):(\d+)/.exec(endpoint)?.[1]
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    ctx.addIssue({ code: 'custom', message: `port ${port} is not 1–65535 (OPC UA servers usually listen on 4840)` })
}
