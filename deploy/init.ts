import { existsSync, mkdirSync, renameSync, writeFileSync, copyFileSync } from 'node:fs'
import path from 'node:path'
import { type Command, CommanderError } from 'commander'
import type { InitAnswers } from '../edge/tools/init.ts'
import type { InitFlags } from './init-flags.ts'

/**
 * `parklink edge init`: writes a first edge config. On a terminal it is a wizard
 * (@clack/prompts) whose questions start from the flags given; with --yes or without a terminal
 * it takes the flags only (exit 2 naming the missing ones). Whatever it writes has passed the
 * same parser as `parklink edge validate`; an existing file is kept unless --force (then as .bak).
 */
const USAGE = 2

export function addInitCommand(edge: Command): void {
  edge
    .command('init')
    .description('write a first edge config: a wizard on a terminal, or from flags (--yes, or no terminal)')
    .option('-c, --config <file>', 'where to write it', '/etc/parklink/edge.yaml')
    .option('--site <id>', 'the park (site) id, e.g. huaian-park')
    .option('--edge <id>', "this box's id, unique in the park, e.g. shilian-01")
    .option('--broker <url>', "the park's MQTT broker, e.g. mqtts://10.0.0.5:8883")
    .option('--username <name>', 'broker user name: {site}/{edge} on the park broker (its ACL binds both)')
    .option('--password-env <VAR>', 'environment variable holding the broker password', 'PARKLINK_MQTT_PASSWORD')
    .option('--ca <file>', "the park broker's CA certificate (PEM), for mqtts://")
    .option('--cert <file>', "this edge's certificate (PEM), when the park logs edges in by certificate")
    .option('--key <file>', 'the private key of --cert (PEM)')
    .option(
      '--pki-files <dir>',
      'the folder `parklink pki issue edge {site}/{edge}` wrote: sets --ca, --cert and --key (ca.crt, client.crt, client.key)',
    )
    .option('--data-dir <dir>', 'outbox and state (systemd unit: /var/lib/parklink)', '/var/lib/parklink')
    .option('--modbus-host <ip>', 'a first Modbus TCP device (PLC, DCS gateway) on the plant network')
    .option('--modbus-port <port>', 'its TCP port', '502')
    .option('--modbus-unit <id>', 'its unit id', '1')
    .option('--device-id <id>', 'its id in the config', 'plc-1')
    .option('--point-id <id>', 'a first point of that device, to check against the DCS screen')
    .option('--point-address <addr>', 'its address: hr0, ir6, 40101 …')
    .option('--point-type <type>', 'int16 uint16 int32 uint32 float32 float64 bool string')
    .option('--point-order <order>', 'ABCD CDAB BADC DCBA')
    .option('--console-listen <addr:port>', 'serve the local console on the plant-LAN address, e.g. 192.168.10.5:8088')
    .option(
      '--console-password-env <VAR>',
      'environment variable holding the console password',
      'PARKLINK_CONSOLE_PASSWORD',
    )
    .option('-y, --yes', 'ask nothing: take the flags and defaults')
    .option('--force', 'replace an existing file (kept as FILE.bak)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: InitFlags) => {
      const o = withPkiFiles(flags)
      const { checkAnswers, missingFlags, renderConfig } = await import('../edge/tools/init.ts')
      const interactive = !o.yes && process.stdin.isTTY === true && process.stdout.isTTY === true
      let answers: InitAnswers
      if (interactive) {
        const { runWizard } = await import('./init-wizard.ts')
        const a = await runWizard(o)
        if (a === null) {
          process.exitCode = 1 // cancelled (the wizard said so): nothing written
          return
        }
        answers = a
      } else {
        const missing = missingFlags(o)
        if (missing.length > 0)
          throw new CommanderError(
            USAGE,
            'parklink.usage',
            `without a terminal (or with --yes) init needs ${missing.join(', ')}; e.g. parklink edge init --site huaian-park --edge shilian-01 --broker mqtts://10.0.0.5:8883 --pki-files ./huaian-park/shilian-01 --yes`,
          )
        answers = answersFromFlags(o)
      }
      const problems = checkAnswers(answers)
      if (problems.length > 0)
        throw new CommanderError(
          USAGE,
          'parklink.usage',
          `the answers do not make a valid config:\n  ${problems.join('\n  ')}`,
        )
      const file = writeConfig(o.config, renderConfig(answers, new Date()), o.force ?? false)
      const next = nextSteps(file, answers)
      if (o.json)
        console.log(
          JSON.stringify({
            file,
            ok: true,
            site: answers.site,
            edge: answers.edge,
            devices: answers.device ? 1 : 0,
            next,
          }),
        )
      else
        console.log(
          [
            `wrote ${file} (site ${answers.site}, edge ${answers.edge}, ${answers.device ? 1 : 0} device). Next:`,
            ...next.map((n) => `  ${n}`),
          ].join('\n'),
        )
    })
}

/** --pki-files DIR stands for the three files `parklink pki issue edge` puts in DIR (flags given explicitly win). */
export function withPkiFiles(o: InitFlags): InitFlags {
  if (!o.pkiFiles) return o
  const at = (f: string) => path.join(o.pkiFiles!, f)
  return { ...o, ca: o.ca ?? at('ca.crt'), cert: o.cert ?? at('client.crt'), key: o.key ?? at('client.key') }
}

export function answersFromFlags(o: InitFlags): InitAnswers {
  if (o.modbusHost && (!o.pointId || !o.pointAddress)) {
    throw new CommanderError(
      USAGE,
      'parklink.usage',
      'a first device needs a first point: give --point-id and --point-address (e.g. --point-id tk101.level --point-address hr0 --point-type float32)',
    )
  }
  return {
    site: o.site!,
    edge: o.edge!,
    broker: o.broker!,
    dataDir: o.dataDir,
    ...(o.username ? { username: o.username, passwordEnv: o.passwordEnv } : {}),
    // Typed relative to where the technician stands; the config resolves paths against its own folder.
    ...(o.ca || o.cert || o.key
      ? {
          tls: {
            ...(o.ca ? { ca: path.resolve(o.ca) } : {}),
            ...(o.cert ? { cert: path.resolve(o.cert) } : {}),
            ...(o.key ? { key: path.resolve(o.key) } : {}),
          },
        }
      : {}),
    ...(o.modbusHost
      ? {
          device: {
            id: o.deviceId,
            host: o.modbusHost,
            port: Number(o.modbusPort),
            unitId: Number(o.modbusUnit),
            point: {
              id: o.pointId!,
              address: o.pointAddress!,
              ...(o.pointType ? { type: o.pointType as never } : {}),
              ...(o.pointOrder ? { order: o.pointOrder.toUpperCase() as never } : {}),
            },
          },
        }
      : {}),
    ...(o.consoleListen ? { console: { listen: o.consoleListen, passwordEnv: o.consolePasswordEnv } } : {}),
  }
}

function writeConfig(target: string, text: string, force: boolean): string {
  const file = path.resolve(target)
  if (existsSync(file) && !force)
    throw new CommanderError(
      USAGE,
      'parklink.usage',
      `${file} exists: nothing written (use --force to replace it; the old one is kept as ${file}.bak)`,
    )
  mkdirSync(path.dirname(file), { recursive: true })
  if (existsSync(file)) copyFileSync(file, `${file}.bak`)
  writeFileSync(`${file}.tmp`, text, { mode: 0o640 })
  renameSync(`${file}.tmp`, file)
  return file
}

function nextSteps(file: string, a: InitAnswers): string[] {
  const env = [a.username ? (a.passwordEnv ?? 'PARKLINK_MQTT_PASSWORD') : null, a.console?.passwordEnv ?? null].filter(
    Boolean,
  )
  return [
    ...(env.length > 0 ? [`put ${env.map((v) => `${v}=…`).join(' and ')} in /etc/parklink/edge.env (chmod 600)`] : []),
    a.device
      ? `parklink edge read point ${a.device.point.id} --config ${file}`
      : 'parklink edge scan modbus --host PLC_IP   (then add the device)',
    `parklink edge import-points TABLE.csv --config ${file}`,
    `parklink edge validate ${file}`,
    'systemctl enable --now parklink-edge',
  ]
}
