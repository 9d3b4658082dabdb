import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { ParklinkError } from '../shared/errors.ts'
import { ConfigError } from '../shared/config.ts'
import { untilSignal } from './lifecycle.ts'
import { addTechnicianCommands } from './tools.ts'
import { addInitCommand } from './init.ts'
import { addReadPointCommand } from './read-point.ts'
import { addValidateCommand } from './validate.ts'
import { addAccountCommands } from './accounts.ts'
import { addMosquittoAclCommand } from './mosquitto-acl.ts'
import { addReportCommands } from './reports.ts'
import { addExchangeCommands } from './exchange.ts'
import { addPkiCommands } from './pki/command.ts'
import { addAuditCommands } from './audit.ts'
import { addBackupCommands } from './backup.ts'
import { addKeyCommands } from './at-rest-keys.ts'

/**
 * The `parklink` command line. Exit codes: 0 ok, 1 runtime failure, 2 invalid usage or config
 * (nothing was started). Long-running commands resolve when they were stopped by a signal.
 */
export const ExitCodes = { OK: 0, FAILURE: 1, USAGE: 2 } as const

export function buildProgram(): Command {
  const program = new Command('parklink')
    .description('parklink: plant telemetry from edge gateways to the park monitoring center')
    .version(packageVersion(), '-V, --version', 'print the parklink version')
    .showHelpAfterError()
    .exitOverride()

  program
    .command('demo')
    .description('run a whole park on this machine: embedded MQTT broker, cloud, one edge agent and a simulated plant')
    .option('--port <port>', 'HTTP port of the cloud (env PARKLINK_PORT)', process.env.PARKLINK_PORT ?? '8080')
    .option('--mqtt-port <port>', 'port of the embedded MQTT broker (0 = a free port)', '0')
    .option(
      '--mqtt-host <address>',
      'address the embedded MQTT broker listens on (every client must log in)',
      '127.0.0.1',
    )
    .option('--data-dir <dir>', 'where the demo keeps its data', './.parklink')
    .option('--fresh', 'new simulator ports and a new API key (otherwise those of the last start are kept)')
    .action(async (opts: { port: string; mqttPort: string; mqttHost: string; dataDir: string; fresh?: boolean }) => {
      const { runDemo } = await import('./demo/run.ts')
      await runDemo({
        port: parsePort(opts.port, '--port'),
        mqttPort: parsePort(opts.mqttPort, '--mqtt-port'),
        mqttHost: opts.mqttHost,
        dataDir: opts.dataDir,
        fresh: opts.fresh ?? false,
      })
    })

  const edge = program.command('edge').description('the edge agent and the tools for setting it up')
  edge
    .command('run', { isDefault: true })
    .description('run the edge agent (the default: `parklink edge --config FILE`)')
    .requiredOption('-c, --config <file>', 'edge configuration (YAML)')
    .action(async (opts: { config: string }) => {
      const { startEdgeFromFile } = await import('../edge/main.ts')
      const edge = await startEdgeFromFile(opts.config)
      await untilSignal(edge.stop, edge.log)
    })
  addValidateCommand(edge)

  edge
    .command('baseline')
    .description('capture a settlement baseline for a gallery segment (audited: who and why), or list them')
    .requiredOption('-c, --config <file>', 'edge configuration (YAML)')
    .option('--segment <id>', 'the segment to re-baseline')
    .option('--by <name>', 'who takes the baseline')
    .option('--reason <text>', 'why (commissioning, gauge replaced, …)')
    .option('--wait <seconds>', 'how long to wait for the running agent to capture it', '30')
    .option('--list', 'print the baseline history (of --segment, or all)')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        config: string
        segment?: string
        by?: string
        reason?: string
        wait: string
        list?: boolean
        json?: boolean
      }) => {
        const { baselineCommand } = await import('./baseline.ts')
        const waitS = Number(opts.wait)
        if (!Number.isFinite(waitS) || waitS < 0)
          throw new CommanderError(
            ExitCodes.USAGE,
            'parklink.usage',
            `--wait must be a number of seconds, got "${opts.wait}"`,
          )
        await baselineCommand({
          config: opts.config,
          ...(opts.segment ? { segment: opts.segment } : {}),
          ...(opts.by ? { by: opts.by } : {}),
          ...(opts.reason ? { reason: opts.reason } : {}),
          waitS,
          list: opts.list ?? false,
          json: opts.json ?? false,
        })
      },
    )

  addTechnicianCommands(edge)
  addInitCommand(edge)
  addReadPointCommand(edge)
  addKeyCommands(edge)

  const cloud = program.command('cloud').description('the cloud service and its accounts')
  cloud
    .command('run', { isDefault: true })
    .description(
      'run the cloud service: MQTT ingest, storage, alarms and the HTTP API (the default: `parklink cloud --config FILE`)',
    )
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML)')
    .action(async (opts: { config: string }) => {
      const { startCloudFromFile } = await import('../cloud/main.ts')
      const cloud = await startCloudFromFile(opts.config)
      await untilSignal(cloud.stop, cloud.log)
    })
  addAccountCommands(cloud)
  addMosquittoAclCommand(cloud)
  addReportCommands(cloud)
  addExchangeCommands(cloud)
  addAuditCommands(cloud)
  addBackupCommands(cloud)
  cloud
    .command('migrate')
    .description("bring the cloud database's schema up to date with this version (every start does it too), then exit")
    .requiredOption('-c, --config <file>', 'cloud configuration (YAML)')
    .action(async (opts: { config: string }) => {
      const [{ loadCloudConfig }, { migrateStore }] = await Promise.all([
        import('../cloud/config.ts'),
        import('../cloud/store/migrate.ts'),
      ])
      const done = await migrateStore(loadCloudConfig(opts.config))
      console.log(`${done.engine} ${done.where}: schema up to date (${done.applied} migrations applied)`)
    })
  addPkiCommands(program)
  return program
}

/** The version in package.json (the one npm and the .deb carry). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }
  return pkg.version ?? 'unknown'
}

function parsePort(text: string, flag: string): number {
  const port = Number(text)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CommanderError(ExitCodes.USAGE, 'parklink.port', `${flag} must be a port number 0–65535, got "${text}"`)
  }
  return port
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv)
    // A command that ran but found nothing (a scan with no answer) sets exitCode 1 itself.
    return process.exitCode === ExitCodes.FAILURE ? ExitCodes.FAILURE : ExitCodes.OK
  } catch (err) {
    return report(err)
  }
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed usage errors; help and version exit 0.
    if (err.code === 'parklink.port' || err.code === 'parklink.usage') console.error(`error: ${err.message}`)
    return err.exitCode === 0 ? ExitCodes.OK : ExitCodes.USAGE
  }
  if (err instanceof ConfigError) {
    console.error(err.message)
    if (err.hint) console.error(`hint: ${err.hint}`)
    return ExitCodes.USAGE
  }
  if (err instanceof ParklinkError) {
    console.error(`error [${err.code}]: ${err.message}`)
    if (err.hint) console.error(`hint: ${err.hint}`)
    // A missing or wrong at-rest key is a configuration fault too: nothing started, and restarting cannot help.
    return err.code === 'PL_CONFIG_UNREADABLE' || err.code === 'PL_CONFIG_INVALID' || err.code === 'PL_AT_REST_KEY'
      ? ExitCodes.USAGE
      : ExitCodes.FAILURE
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err))
  return ExitCodes.FAILURE
}
