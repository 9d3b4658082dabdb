import { execFileSync } from 'node:child_process'
import { mosquittoAcl } from '../../shared/wire/acl.ts'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { initPki, type PkiContext } from '../../deploy/pki/ca.ts'
import { issue } from '../../deploy/pki/issue.ts'
import { brokerIdentity, cloudIdentity, edgeIdentity } from '../../deploy/pki/names.ts'
import { runOpenssl } from '../../deploy/pki/openssl.ts'
import { startChild, type Child } from './child.ts'
import { mosquittoBinary } from './mosquitto.ts'
import { freePort, waitForPort } from './ports.ts'

/**
 * Debian's mosquitto started with the SHIPPED deploy/mosquitto/parklink.conf (client certificates)
 * or its fallback parklink-passwords.conf, and the shipped parklink.acl: only the paths
 * (certificates, CRL, password file, ACL, persistence) and the port are substituted. The
 * certificates come from a park PKI made by `parklink pki` (deploy/pki) for this run; the password
 * file (fallback only) is made with `mosquitto_passwd -b` from the given users (test passwords only).
 */
export interface ShippedMosquitto {
  url: string
  /** The test park's TLS CA certificate (PEM), for the clients' `ca`. */
  ca: Buffer
  pki: PkiContext
  /** The running broker (replaced by start()). */
  child: Child
  /** Its persistence directory (mosquitto.db once it saved). */
  dataDir: string
  /** Stops the broker: SIGTERM saves the persistence file first, SIGKILL keeps only the last autosave. */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port, config and persistence. */
  start(): Promise<void>
  /** Issues (with `parklink pki`) and returns the files of an edge ({site}/{edge}) or cloud instance. */
  enrol(kind: 'edge' | 'cloud', name: string): { dir: string; ca: Buffer; cert: Buffer; key: Buffer }
  /** Copies the PKI's current CRL to the broker and restarts it (Mosquitto reads its crlfile at start). */
  reloadCrl(): Promise<void>
  dispose(): Promise<void>
}

const DEPLOY = new URL('../../deploy/mosquitto/', import.meta.url).pathname

export async function startShippedMosquitto(
  options: {
    passwords?: Record<string, string>
    /** Replaces the shipped `message_size_limit` (the AWS IoT Core stand-in: 131072). */
    messageSizeLimit?: number
    /** Lines appended to the shipped config (e.g. a broker log the test reads). */
    extraConf?: readonly string[]
    /** The ACL generated for these cloud instances (shared/wire/acl.ts) instead of the shipped one (its one default user). */
    cloudUsers?: readonly string[]
  } = {},
): Promise<ShippedMosquitto> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-shipped-mosquitto-'))
  try {
    const pki = initPki(path.join(dir, 'pki'), runOpenssl, { park: 'test park', days: 2 })
    const server = issue(pki, brokerIdentity('127.0.0.1'), { days: 2, hosts: ['127.0.0.1', 'localhost'] }).files
    const certs = path.join(dir, 'certs')
    mkdirSync(certs)
    for (const [from, to] of [
      [server.ca, 'ca.crt'],
      [server.serverCert, 'server.crt'],
      [server.serverKey, 'server.key'],
      [pki.layout.ca('tls').crl, 'crl.pem'],
    ] as const)
      copyFileSync(from!, path.join(certs, to))
    const passwords = options.passwords
    if (passwords) {
      writeFileSync(path.join(dir, 'passwd'), '')
      for (const [user, password] of Object.entries(passwords))
        execFileSync('mosquitto_passwd', ['-b', path.join(dir, 'passwd'), user, password], { stdio: 'pipe' })
    }
    if (options.cloudUsers) writeFileSync(path.join(dir, 'parklink.acl'), mosquittoAcl(options.cloudUsers))
    else copyFileSync(path.join(DEPLOY, 'parklink.acl'), path.join(dir, 'parklink.acl'))
    const data = path.join(dir, 'data')
    mkdirSync(data)
    const port = await freePort()
    const confFile = path.join(dir, 'mosquitto.conf')
    writeFileSync(
      confFile,
      [
        shippedConf(passwords ? 'parklink-passwords.conf' : 'parklink.conf', dir, port, options.messageSizeLimit),
        ...(options.extraConf ?? []),
        '',
      ].join('\n'),
    )
    // Run as root, mosquitto drops to its own user before reading these: let it (test files only).
    chmodSync(dir, 0o755)
    chmodSync(certs, 0o755)
    chmodSync(data, 0o777)
    for (const f of [
      'certs/ca.crt',
      'certs/server.crt',
      'certs/server.key',
      'certs/crl.pem',
      'parklink.acl',
      'mosquitto.conf',
      ...(passwords ? ['passwd'] : []),
    ])
      chmodSync(path.join(dir, f), 0o644)
    const start = async () => {
      const child = startChild('mosquitto-shipped', mosquittoBinary(), ['-c', confFile])
      await waitForPort(port, 10_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${child.output()}`)
      })
      return child
    }
    const broker: ShippedMosquitto = {
      url: `mqtts://127.0.0.1:${port}`,
      ca: readFileSync(path.join(certs, 'ca.crt')),
      pki,
      child: await start(),
      dataDir: data,
      async stop(signal = 'SIGKILL') {
        await broker.child.kill(signal)
      },
      async start() {
        broker.child = await start()
      },
      enrol(kind, name) {
        const files = issue(pki, kind === 'edge' ? edgeIdentity(name) : cloudIdentity(name), { days: 2 }).files
        return {
          dir: path.dirname(files.clientCert!),
          ca: readFileSync(files.ca!),
          cert: readFileSync(files.clientCert!),
          key: readFileSync(files.clientKey!),
        }
      },
      async reloadCrl() {
        copyFileSync(pki.layout.ca('tls').crl, path.join(certs, 'crl.pem'))
        chmodSync(path.join(certs, 'crl.pem'), 0o644)
        await broker.child.kill('SIGKILL')
        broker.child = await start()
      },
      async dispose() {
        await broker.child.kill('SIGKILL')
        rmSync(dir, { recursive: true, force: true })
      },
    }
    return broker
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
}

/** The shipped config with this run's paths and port (and every substitution checked to apply). */
function shippedConf(file: string, dir: string, port: number, messageSizeLimit?: number): string {
  let conf = readFileSync(path.join(DEPLOY, file), 'utf8')
  const substitutions: Array<[string, string]> = [
    ...(messageSizeLimit === undefined
      ? []
      : [['message_size_limit 1048576', `message_size_limit ${messageSizeLimit}`] as [string, string]]),
    ['persistence_location /var/lib/mosquitto/', `persistence_location ${dir}/data/`],
    ['listener 8883', `listener ${port} 127.0.0.1`],
    ['/etc/mosquitto/certs/', `${dir}/certs/`],
    ['/etc/mosquitto/parklink.acl', `${dir}/parklink.acl`],
    ...(file === 'parklink-passwords.conf' ? [['/etc/mosquitto/passwd', `${dir}/passwd`] as [string, string]] : []),
  ]
  for (const [from, to] of substitutions) {
    if (!conf.includes(from))
      throw new Error(`deploy/mosquitto/${file} no longer has "${from}": update test/util/shipped-mosquitto.ts`)
    conf = conf.split(from).join(to)
  }
  return conf
}
