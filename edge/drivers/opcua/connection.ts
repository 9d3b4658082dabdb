import { mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  type ClientSession,
  type UserIdentityInfo,
} from 'node-opcua'
import type { Logger } from 'pino'
import { ErrorCodes, ParklinkError, errorMessage } from '../../../shared/errors.ts'
import type { OpcuaDeviceConfig } from './config.ts'
import { routeOpcuaLibraryLog } from './library-log.ts'

/**
 * The only file that opens OPC UA connections. node-opcua's own reconnection is switched off
 * (maxRetry 0): after a server restart its sessions and subscriptions are gone, and repairing
 * them in place is where gateways fail (node-opcua #1059). The driver instead drops a lost
 * connection entirely and builds a new client, session and subscription, so every
 * reconnection restores everything by construction.
 */
export interface Connection {
  client: OPCUAClient
  session: ClientSession
  /** Tears the connection down; bounded, never rejects, idempotent. */
  close(): Promise<void>
}

const POLICIES: Record<OpcuaDeviceConfig['securityPolicy'], SecurityPolicy> = {
  None: SecurityPolicy.None,
  Basic256Sha256: SecurityPolicy.Basic256Sha256,
  Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep,
  Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
}
const MODES = {
  None: MessageSecurityMode.None,
  Sign: MessageSecurityMode.Sign,
  SignAndEncrypt: MessageSecurityMode.SignAndEncrypt,
} as const

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' })),
      ms,
    )
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** The user identity, with the password read from its environment variable. Misconfiguration throws. */
export function userIdentity(config: OpcuaDeviceConfig, env: NodeJS.ProcessEnv = process.env): UserIdentityInfo {
  const id = config.identity
  switch (id.type) {
    case 'anonymous':
      return { type: UserTokenType.Anonymous }
    case 'username': {
      const password = env[id.passwordEnv]
      if (password === undefined) {
        throw new ParklinkError(
          ErrorCodes.CONFIG_INVALID,
          `device ${config.id}: environment variable ${id.passwordEnv} (the OPC UA password of ${id.username}) is not set`,
          {
            hint: `set ${id.passwordEnv} in the service environment (e.g. an EnvironmentFile of the systemd unit), never in the config file`,
          },
        )
      }
      return { type: UserTokenType.UserName, userName: id.username, password }
    }
    case 'certificate': {
      try {
        return {
          type: UserTokenType.Certificate,
          certificateData: readPem(id.certFile),
          privateKey: readFileSync(id.keyFile, 'utf8'),
        }
      } catch (err) {
        throw new ParklinkError(
          ErrorCodes.CONFIG_INVALID,
          `device ${config.id}: cannot read the user certificate or key: ${errorMessage(err)}`,
          {
            hint: 'identity.certFile and identity.keyFile must be PEM files the service user can read',
            cause: err,
          },
        )
      }
    }
  }
}

function readPem(file: string): Buffer {
  const text = readFileSync(file, 'utf8')
  const body = text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
  return Buffer.from(body, 'base64')
}

export interface ConnectOptions {
  config: OpcuaDeviceConfig
  identity: UserIdentityInfo
  /** Where the edge's application certificate and the trust lists live (`pki/`). */
  dataDir: string
  log: Logger
  /** Called once when the connection breaks (socket closed, keepalive failed, session closed). */
  onLost: (reason: string) => void
}

/** The edge's own PKI, created on first use; one per device folder. */
export function pkiFolder(dataDir: string | undefined, device: string, log: Logger): string {
  if (dataDir !== undefined) return path.join(dataDir, 'pki')
  const folder = path.join(tmpdir(), 'parklink-opcua-pki', device)
  log.warn(
    { folder },
    'no device data directory given: the OPC UA application certificate is kept in a temporary folder',
  )
  return folder
}

export async function connect(options: ConnectOptions): Promise<Connection> {
  const { config, log } = options
  routeOpcuaLibraryLog(log)
  mkdirSync(options.dataDir, { recursive: true })
  const certificateManager = new OPCUACertificateManager({
    rootFolder: options.dataDir,
    automaticallyAcceptUnknownCertificate: config.acceptUnknownServerCertificate,
  })
  const client = OPCUAClient.create({
    applicationName: 'parklink-edge',
    applicationUri: `urn:parklink:edge:${config.id}`,
    clientName: `parklink-${config.id}`,
    securityPolicy: POLICIES[config.securityPolicy],
    securityMode: MODES[config.securityMode],
    endpointMustExist: false,
    keepSessionAlive: true,
    requestedSessionTimeout: Math.max(60_000, 6 * config.timeoutMs),
    transportTimeout: config.timeoutMs,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    clientCertificateManager: certificateManager,
  })
  let lost = false
  const lose = (reason: string) => {
    if (lost) return
    lost = true
    options.onLost(reason)
  }
  client.on('connection_lost', () => lose('connection lost'))
  client.on('close', (err?: Error | null) => lose(err ? `connection closed: ${err.message}` : 'connection closed'))
  client.on('backoff', () => lose('connection lost'))

  let session: ClientSession | null = null
  let closing: Promise<void> | null = null
  const close = () => {
    lost = true
    closing ??= (async () => {
      const bound = Math.min(config.timeoutMs, 3_000)
      if (session) await withTimeout(session.close(true), bound, 'closing the session').catch(() => {})
      await withTimeout(client.disconnect(), bound, 'disconnecting').catch(() => {})
      await certificateManager.dispose().catch(() => {})
    })()
    return closing
  }

  try {
    await certificateManager.initialize()
    await withTimeout(client.connect(config.endpoint), config.timeoutMs, `connecting to ${config.endpoint}`)
    session = await withTimeout(client.createSession(options.identity), config.timeoutMs, 'opening a session')
  } catch (err) {
    await close()
    throw err
  }
  session.on('keepalive_failure', () => lose('session keepalive failed'))
  session.on('session_closed', () => lose('the server closed the session'))
  log.debug({ endpoint: config.endpoint }, 'OPC UA session open')
  return { client, session, close }
}
