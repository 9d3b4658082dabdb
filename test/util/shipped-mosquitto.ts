import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startChild, type Child } from './child.ts'
import { mosquittoBinary } from './mosquitto.ts'
import { freePort, waitForPort } from './ports.ts'

/**
 * Debian's mosquitto started with the SHIPPED deploy/mosquitto/parklink.conf and parklink.acl:
 * only the paths (certificates, password file, ACL, persistence) and the port are substituted.
 * TLS from a throwaway CA made by openssl for this run; the password file is made with
 * `mosquitto_passwd -b` from the given users (test passwords only).
 */
export interface ShippedMosquitto {
  url: string
  /** The test CA's certificate (PEM), for the clients' `ca`. */
  ca: Buffer
  /** The running broker (replaced by start()). */
  child: Child
  /** Its persistence directory (mosquitto.db once it saved). */
  dataDir: string
  /** Stops the broker: SIGTERM saves the persistence file first, SIGKILL keeps only the last autosave. */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port, config and persistence. */
  start(): Promise<void>
  dispose(): Promise<void>
}

const DEPLOY = new URL('../../deploy/mosquitto/', import.meta.url).pathname

export async function startShippedMosquitto(users: Record<string, string>): Promise<ShippedMosquitto> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-shipped-mosquitto-'))
  try {
    makePki(dir)
    const passwd = path.join(dir, 'passwd')
    writeFileSync(passwd, '')
    for (const [user, password] of Object.entries(users)) execFileSync('mosquitto_passwd', ['-b', passwd, user, password], { stdio: 'pipe' })
    copyFileSync(path.join(DEPLOY, 'parklink.acl'), path.join(dir, 'parklink.acl'))
    const data = path.join(dir, 'data')
    mkdirSync(data)
    const port = await freePort()
    writeFileSync(path.join(dir, 'mosquitto.conf'), shippedConf(dir, port))
    // Run as root, mosquitto drops to its own user before reading these: let it (test files only).
    chmodSync(dir, 0o755)
    chmodSync(data, 0o777)
    for (const f of ['ca.crt', 'server.crt', 'server.key', 'passwd', 'parklink.acl', 'mosquitto.conf']) chmodSync(path.join(dir, f), 0o644)
    const launch = async () => {
      const child = startChild('mosquitto-shipped', mosquittoBinary(), ['-c', path.join(dir, 'mosquitto.conf')])
      await waitForPort(port, 10_000).catch((err: Error) => { throw new Error(`${err.message}\n${child.output()}`) })
      return child
    }
    const broker: ShippedMosquitto = {
      url: `mqtts://127.0.0.1:${port}`,
      ca: readFileSync(path.join(dir, 'ca.crt')),
      child: await launch(),
      dataDir: data,
      async stop(signal = 'SIGKILL') {
        await broker.child.kill(signal)
      },
      async start() {
        broker.child = await launch()
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
function shippedConf(dir: string, port: number): string {
  let conf = readFileSync(path.join(DEPLOY, 'parklink.conf'), 'utf8')
  const substitutions: Array<[string, string]> = [
    ['persistence_location /var/lib/mosquitto/', `persistence_location ${dir}/data/`],
    ['listener 8883', `listener ${port} 127.0.0.1`],
    ['/etc/mosquitto/certs/', `${dir}/`],
    ['/etc/mosquitto/passwd', `${dir}/passwd`],
    ['/etc/mosquitto/parklink.acl', `${dir}/parklink.acl`],
  ]
  for (const [from, to] of substitutions) {
    if (!conf.includes(from)) throw new Error(`deploy/mosquitto/parklink.conf no longer has "${from}": update test/util/shipped-mosquitto.ts`)
    conf = conf.split(from).join(to)
  }
  return conf
}

function makePki(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=parklink test park CA', '-days', '1')
  ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1')
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext')
}
