import { CommanderError, type Command } from 'commander'
import { generateCrl, initPki, openPki } from './ca.ts'
import { readIndex } from './index-db.ts'
import { issue, type Issued } from './issue.ts'
import { CA_NAMES } from './layout.ts'
import { brokerIdentity, cloudIdentity, edgeIdentity, type Identity } from './names.ts'
import { runOpenssl } from './openssl.ts'
import { revoke } from './revoke.ts'

/**
 * `parklink pki init | issue edge|cloud|broker | revoke | crl | list`: the park's certificates
 * (deploy/pki/layout.ts). Prints paths and config snippets, never key material.
 */
const DEFAULT_DIR = process.env.PARKLINK_PKI_DIR ?? './pki'

const days = (text: string, flag: string): number => {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 36_500)
    throw new CommanderError(2, 'parklink.usage', `${flag} must be a whole number of days (1–36500), got "${text}"`)
  return n
}

export function addPkiCommands(program: Command): void {
  const pki = program
    .command('pki')
    .description("the park's certificates: a CA, a certificate per edge, cloud instance and broker, revocation")
  pki
    .command('init')
    .description('create the park CAs: TLS (ECDSA P-256) and application layer (SM2/SM3)')
    .option('--dir <dir>', 'the PKI directory (env PARKLINK_PKI_DIR)', DEFAULT_DIR)
    .option('--park <name>', 'the park name in the CA certificates', 'parklink park')
    .option('--days <n>', 'validity of the CA certificates', '3650')
    .action((opts: { dir: string; park: string; days: string }) => {
      const ctx = initPki(opts.dir, runOpenssl, { park: opts.park, days: days(opts.days, '--days') })
      console.log(`park CA created in ${ctx.layout.root}`)
      for (const ca of CA_NAMES) console.log(`  ${ca} CA: ${ctx.layout.ca(ca).cert}  CRL: ${ctx.layout.ca(ca).crl}`)
    })

  const issueCmd = pki
    .command('issue')
    .description('issue a key and certificates (TLS + SM2) to an edge, a cloud instance or the broker')
  const addIssue = (
    kind: string,
    arg: string,
    describe: string,
    identity: (name: string) => Identity,
    withHosts = false,
  ) => {
    const cmd = issueCmd
      .command(kind)
      .description(describe)
      .argument(arg)
      .option('--dir <dir>', 'the PKI directory (env PARKLINK_PKI_DIR)', DEFAULT_DIR)
      .option('--out <dir>', 'where to write the files (default DIR/issued/KIND/NAME)')
      .option('--days <n>', 'validity of the certificates', '825')
    if (withHosts)
      cmd.option(
        '--host <name...>',
        'every name or address clients use for the broker (subjectAltName; default the argument)',
      )
    cmd.action((name: string, opts: { dir: string; out?: string; days: string; host?: string[] }) => {
      const id = identity(name)
      const issued = issue(openPki(opts.dir, runOpenssl), id, {
        days: days(opts.days, '--days'),
        ...(opts.out ? { out: opts.out } : {}),
        ...(opts.host ? { hosts: opts.host } : {}),
      })
      printIssued(id, issued)
    })
  }
  addIssue(
    'edge',
    '<site/edge>',
    'an edge: CN {site}/{edge}, the broker identity (also written {site}.{edge})',
    edgeIdentity,
  )
  addIssue(
    'cloud',
    '<id>',
    'a cloud instance: CN = its broker user name (listed in `parklink cloud mosquitto-acl --cloud-user`)',
    cloudIdentity,
  )
  addIssue(
    'broker',
    '<host>',
    "the park broker's server certificate (Mosquitto certfile/keyfile)",
    brokerIdentity,
    true,
  )

  pki
    .command('revoke')
    .description('revoke the certificates of a name (as `list` shows it) and re-sign the CRLs')
    .argument('<name>')
    .option('--dir <dir>', 'the PKI directory (env PARKLINK_PKI_DIR)', DEFAULT_DIR)
    .option(
      '--reason <reason>',
      'RFC 5280 reason: unspecified, keyCompromise, superseded, cessationOfOperation, …',
      'unspecified',
    )
    .action((name: string, opts: { dir: string; reason: string }) => {
      const ctx = openPki(opts.dir, runOpenssl)
      const known = readIndex(ctx.layout, 'tls').some((c) => c.name === name)
      const r = revoke(ctx, known || name.includes('/') ? name : edgeIdentity(name).cn, opts.reason)
      console.log(`revoked ${r.name} (serials ${r.serials.join(', ')}); CRL re-signed: ${r.crl}`)
      console.log('copy it to the broker (crlfile) and restart mosquitto: it reads the CRL when it starts')
      console.log(
        `copy ${ctx.layout.ca('sm2').crl} (suite sm; standard: the TLS one) to the cloud's crypto.crl: it is re-read there without a restart`,
      )
    })

  pki
    .command('crl')
    .description('re-sign both CRLs (they are valid 90 days: do it monthly, e.g. from a timer)')
    .option('--dir <dir>', 'the PKI directory (env PARKLINK_PKI_DIR)', DEFAULT_DIR)
    .action((opts: { dir: string }) => {
      const ctx = openPki(opts.dir, runOpenssl)
      for (const ca of CA_NAMES) generateCrl(ctx, ca)
      console.log(`CRL re-signed: ${ctx.layout.ca('tls').crl} (copy to the broker's crlfile)`)
      console.log(`CRL re-signed: ${ctx.layout.ca('sm2').crl} (copy to the cloud's crypto.crl)`)
    })

  pki
    .command('list')
    .description('list the certificates issued: kind, name, status, expiry, serial')
    .option('--dir <dir>', 'the PKI directory (env PARKLINK_PKI_DIR)', DEFAULT_DIR)
    .option('--json', 'print JSON')
    .action((opts: { dir: string; json?: boolean }) => {
      const ctx = openPki(opts.dir, runOpenssl)
      const certs = CA_NAMES.flatMap((ca) => readIndex(ctx.layout, ca))
      if (opts.json) return console.log(JSON.stringify(certs))
      for (const c of certs)
        console.log(
          [c.ca.padEnd(4), c.kind.padEnd(6), c.name.padEnd(32), c.status.padEnd(8), c.notAfter, c.serial].join('  '),
        )
    })
}

function printIssued(id: Identity, issued: Issued): void {
  console.log(`issued ${id.kind} ${id.cn} in ${issued.dir}:`)
  for (const [what, file] of Object.entries(issued.files)) console.log(`  ${what}: ${file}`)
  const f = issued.files
  if (id.kind === 'edge')
    console.log(
      `edge config:\n  uplink:\n    url: mqtts://BROKER:8883\n    tls: { ca: ${f.ca}, cert: ${f.clientCert}, key: ${f.clientKey} }`,
    )
  if (id.kind === 'cloud')
    console.log(
      `cloud config:\n  mqtt:\n    url: mqtts://BROKER:8883\n    tls: { ca: ${f.ca}, cert: ${f.clientCert}, key: ${f.clientKey} }\n  crypto: { suite: sm, crl: COPY_OF_PKI/sm2/crl.pem }`,
    )
  if (id.kind === 'broker')
    console.log(`copy to /etc/mosquitto/certs/ (owner mosquitto, keys 0600): ca.crt, server.crt, server.key, crl.pem`)
}
