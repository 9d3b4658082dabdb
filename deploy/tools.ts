import { type Command, CommanderError } from 'commander'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'
import type { ScanTarget } from '../edge/tools/scan-modbus.ts'

/**
 * The technician's commands under `parklink edge`: scan, browse, read. Each prints for a person
 * by default and JSON with --json; exit 0 when it found or read something, 1 when the device
 * did not answer, 2 for bad usage.
 */
const USAGE = 2

interface TargetOptions {
  host?: string
  port: string
  serial?: string
  baud: string
  parity: string
  rtuOverTcp?: boolean
}

function target(o: TargetOptions): ScanTarget {
  if (o.host && o.serial) throw new CommanderError(USAGE, 'parklink.usage', 'give either --host or --serial, not both')
  if (o.rtuOverTcp && !o.host)
    throw new CommanderError(USAGE, 'parklink.usage', '--rtu-over-tcp needs --host (the serial server) and --port')
  if (o.host) return { [o.rtuOverTcp ? 'rtuOverTcp' : 'tcp']: { host: o.host, port: Number(o.port) } }
  if (o.serial)
    return {
      serial: {
        path: o.serial,
        baudRate: Number(o.baud),
        parity: o.parity as 'none' | 'even' | 'odd',
        dataBits: 8,
        stopBits: 1,
      },
    }
  throw new CommanderError(
    USAGE,
    'parklink.usage',
    'say where to look: --host IP (Modbus TCP) or --serial /dev/ttyUSB0 (RTU)',
  )
}

const connection = (cmd: Command) =>
  cmd
    .option('--host <ip>', 'Modbus TCP device or gateway')
    .option('--port <port>', 'TCP port', '502')
    .option('--rtu-over-tcp', 'with --host: a transparent serial server (RTU frames over TCP, not Modbus TCP)')
    .option('--serial <path>', 'serial port of an RS485 line (RTU)')
    .option('--baud <rate>', 'baud rate (RTU)', '9600')
    .option('--parity <p>', 'none | even | odd (RTU)', 'even')
    .option('--timeout-ms <ms>', 'wait per unit', '300')
    .option('--json', 'print JSON')

export function addTechnicianCommands(edge: Command): void {
  const scan = edge.command('scan').description('find devices: which Modbus unit ids answer')
  connection(
    scan
      .command('modbus')
      .description('ask every unit id once (holding register 0, read-only) and list those that answer'),
  )
    .option('--units <list>', 'unit ids, e.g. 1-247 or 1,3,5-7', '1-247')
    .action(async (o: TargetOptions & { timeoutMs: string; units: string; json?: boolean }) => {
      const { scanModbus } = await import('../edge/tools/scan-modbus.ts')
      const { parseUnitList } = await import('../edge/tools/units.ts')
      const units = parseUnitList(o.units, o.serial || o.rtuOverTcp ? 247 : 255)
      const { formatScanProgress, scanProgressLine } = await import('../edge/tools/scan-progress.ts')
      // A person on a terminal sees one line redrawn; anything else gets JSON lines (stderr:
      // stdout keeps the result alone).
      const onTerminal = process.stderr.isTTY && !o.json
      const r = await scanModbus(target(o), units, Number(o.timeoutMs), (_done, _total, p) =>
        process.stderr.write(onTerminal ? `\r${formatScanProgress(p)}\x1b[K` : `${scanProgressLine(p)}\n`),
      )
      if (onTerminal) process.stderr.write('\n')
      if (o.json) console.log(JSON.stringify(r))
      else if (r.found.length === 0)
        console.log(
          `no Modbus device answered at ${r.target} (timeout ${r.timeoutMs} ms per unit, ${units.length} unit ids)`,
        )
      else
        console.log(
          [
            `${r.found.length} unit(s) answer at ${r.target}:`,
            ...r.found.map((f) => `  unit ${f.unitId}: ${f.answer}`),
          ].join('\n'),
        )
      if (r.found.length === 0) process.exitCode = 1
    })

  scan
    .command('onvif')
    .description('find ONVIF cameras: WS-Discovery multicast probe, plus unicast probes for networks without multicast')
    .option('--probe <host:port...>', 'also probe this address directly (WS-Discovery port, usually 3702)')
    .option('--no-multicast', 'only the unicast probes')
    .option('--timeout-ms <ms>', 'how long to listen for answers', '3000')
    .option('--json', 'print JSON')
    .action(async (o: { probe?: string[]; multicast: boolean; timeoutMs: string; json?: boolean }) => {
      const { discoverOnvif } = await import('../edge/drivers/onvif/discovery.ts')
      const probes = (o.probe ?? []).map((t) => {
        const m = /^([^:\s]+):(\d{1,5})$/.exec(t)
        if (!m)
          throw new CommanderError(
            USAGE,
            'parklink.usage',
            `--probe wants HOST:PORT (e.g. 10.20.1.64:3702), got "${t}"`,
          )
        return { host: m[1]!, port: Number(m[2]) }
      })
      const found = await discoverOnvif({ probes, multicast: o.multicast, timeoutMs: Number(o.timeoutMs) })
      if (o.json) console.log(JSON.stringify({ found }))
      else if (found.length === 0)
        console.log(
          `no ONVIF camera answered (${o.multicast ? 'multicast' : 'no multicast'}${probes.length ? `, ${probes.length} unicast probe(s)` : ''}, ${o.timeoutMs} ms)`,
        )
      else
        console.log(
          [
            `${found.length} camera(s):`,
            ...found.map(
              (c) => `  ${c.xaddrs.join(' ')}  ${c.name ?? ''} ${c.hardware ?? ''}  (${c.urn}, from ${c.from})`,
            ),
          ].join('\n'),
        )
      if (found.length === 0) process.exitCode = 1
    })

  edge
    .command('status')
    .description('the running agent: drivers, uplink, outbox depth in samples and hours, local alarms')
    .requiredOption('-c, --config <file>', 'edge configuration (YAML)')
    .option('--json', 'print JSON')
    .action(async (o: { config: string; json?: boolean }) => {
      const { loadEdgeConfig } = await import('../edge/config.ts')
      const { readStatusFile } = await import('../edge/status-file.ts')
      const { formatStatus, STALE_STATUS_MS } = await import('../edge/tools/status.ts')
      const config = loadEdgeConfig(o.config)
      const status = readStatusFile<import('../edge/agent-status.ts').EdgeAgentStatus>(config.dataDir)
      const stale = Date.now() - status.at > STALE_STATUS_MS
      if (o.json) console.log(JSON.stringify({ ...status, running: !stale }))
      else
        console.log(
          `${stale ? `the agent is NOT running (last status ${new Date(status.at).toISOString()}); its last status:\n` : ''}${formatStatus(status, Date.now())}`,
        )
      if (stale) process.exitCode = 1
    })

  edge
    .command('import-points')
    .description(
      "add the enterprise's data-access table (CSV, Chinese or English headers) to the config's Modbus devices",
    )
    .argument('<csv>', 'the table, saved from Excel as CSV UTF-8')
    .requiredOption('-c, --config <file>', 'edge configuration to extend (kept as FILE.bak)')
    .option('--dry-run', 'check every row and the result, write nothing')
    .option('--json', 'print JSON')
    .action(async (csv: string, o: { config: string; dryRun?: boolean; json?: boolean }) => {
      const { importPoints } = await import('../edge/tools/import-points.ts')
      const r = importPoints(csv, o.config, { dryRun: o.dryRun ?? false })
      if (o.json) console.log(JSON.stringify(r))
      else
        console.log(
          `${o.dryRun ? 'would add' : 'added'} ${r.added} points: ${Object.entries(r.byDevice)
            .map(([d, n]) => `${d} ${n}`)
            .join(', ')}${o.dryRun ? '' : ` (previous config kept as ${o.config}.bak)`}`,
        )
    })

  const browse = edge.command('browse').description('look into a device')
  browse
    .command('opcua')
    .description('the address space as a tree: data types, units, ranges and alarm limits')
    .argument('<endpoint>', 'opc.tcp://host:port/path')
    .option('--node <id>', 'start here (default: the Objects folder)')
    .option('--depth <n>', 'levels', '3')
    .option(
      '--security <policy-mode>',
      'None, or POLICY-Sign / POLICY-SignAndEncrypt with POLICY one of Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss',
      'None',
    )
    .option('--user <name>', 'username identity (password in $PARKLINK_OPCUA_PASSWORD)')
    .option(
      '--accept-unknown-certificate',
      'trust the server certificate seen now (otherwise move it from pki/rejected)',
    )
    .option('--data-dir <dir>', 'where the edge keeps its OPC UA certificate', './.parklink/browse')
    .option('--json', 'print JSON')
    .option('--add', 'add the process values under --node as points of --device in --config (kept as FILE.bak)')
    .option('-c, --config <file>', 'with --add: the edge configuration to extend')
    .option('--device <id>', 'with --add: the opcua device (created with this endpoint and security when missing)')
    .option('--prefix <prefix>', 'with --add: point ids are PREFIX.path.of.browse.names (default: the device id)')
    .option('--dry-run', 'with --add: show what would be added, write nothing')
    .action(
      async (
        endpoint: string,
        o: {
          node?: string
          depth: string
          security: string
          user?: string
          acceptUnknownCertificate?: boolean
          dataDir: string
          json?: boolean
          add?: boolean
          config?: string
          device?: string
          prefix?: string
          dryRun?: boolean
        },
      ) => {
        if (o.add && (!o.config || !o.device))
          throw new CommanderError(USAGE, 'parklink.usage', '--add needs --config FILE and --device ID')
        const { OpcuaDeviceConfig } = await import('../edge/drivers/opcua/config.ts')
        const { browseOpcua } = await import('../edge/drivers/opcua/browse.ts')
        const { createLogger } = await import('../edge/log.ts')
        const [policy, mode] = o.security === 'None' ? ['None', 'None'] : o.security.split('-')
        const parsed = OpcuaDeviceConfig.safeParse({
          id: 'browse',
          kind: 'opcua',
          endpoint,
          securityPolicy: policy,
          securityMode: mode,
          acceptUnknownServerCertificate: o.acceptUnknownCertificate ?? false,
          identity: o.user
            ? { type: 'username', username: o.user, passwordEnv: 'PARKLINK_OPCUA_PASSWORD' }
            : { type: 'anonymous' },
          points: [{ id: 'browse.none', nodeId: 'i=85' }],
        })
        if (!parsed.success)
          throw new CommanderError(
            USAGE,
            'parklink.usage',
            parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          )
        if (o.node) {
          const { checkNodeId } = await import('../edge/drivers/opcua/failure.ts')
          const problem = checkNodeId(o.node)
          if (problem) throw new CommanderError(USAGE, 'parklink.usage', `--node: ${problem}`)
        }
        const { withStdoutOnStderr } = await import('./quiet-stdout.ts')
        // node-opcua prints warnings on stdout: kept off it, so --json stays valid JSON.
        const r = await withStdoutOnStderr(() =>
          browseOpcua(parsed.data, {
            dataDir: o.dataDir,
            log: createLogger('parklink-browse', 'silent'),
            depth: Number(o.depth),
            ...(o.node ? { nodeId: o.node } : {}),
          }),
        )
        if (o.add) {
          const { addOpcuaPoints, pickOpcuaPoints } = await import('../edge/tools/add-opcua-points.ts')
          const { identity, securityPolicy, securityMode } = parsed.data
          const added = addOpcuaPoints(o.config!, o.device!, pickOpcuaPoints(r.root, o.prefix ?? o.device!), {
            newDevice: {
              endpoint,
              securityPolicy,
              securityMode,
              identity,
              ...(o.acceptUnknownCertificate ? { acceptUnknownServerCertificate: true } : {}),
            },
            dryRun: o.dryRun ?? false,
          })
          if (o.json) return console.log(JSON.stringify(added))
          for (const p of added.added)
            console.log(
              `${o.dryRun ? 'would add' : 'added'}  ${p.id}  ${p.nodeId}${p.name ? `  ${p.name}` : ''}${p.unit ? ` [${p.unit}]` : ''}`,
            )
          if (added.skipped.length > 0) console.log(`already there: ${added.skipped.join(', ')}`)
          return console.log(
            `${added.added.length} point(s) ${o.dryRun ? 'would be added' : 'added'} to ${added.createdDevice ? 'the new' : ''} device ${o.device}${o.dryRun || added.added.length === 0 ? '' : ` (previous config kept as ${o.config}.bak)`}`,
          )
        }
        if (o.json) return console.log(JSON.stringify(r))
        const lines: string[] = []
        const print = (n: typeof r.root, indent: string) => {
          const extra = [
            n.dataType,
            n.unit,
            n.range ? `${n.range.low}…${n.range.high}` : null,
            n.limits
              ? Object.entries(n.limits)
                  .map(([k, v]) => `${k.toUpperCase()} ${v}`)
                  .join(' ')
              : null,
          ]
            .filter(Boolean)
            .join(', ')
          lines.push(`${indent}${n.displayName || n.browseName}  ${n.nodeId}${extra ? `  [${extra}]` : ''}`)
          n.children.forEach((c) => print(c, `${indent}  `))
        }
        print(r.root, '')
        if (r.truncated) lines.push('… (more nodes: start deeper with --node)')
        console.log(lines.join('\n'))
      },
    )

  const read = edge.command('read').description('one live read, to check a register map against the DCS screen')
  connection(read.command('modbus').description('read one address: raw registers and the decoded value'))
    .argument('<address>', 'hr100, ir0, co12, di3 or a Modicon reference (40101)')
    .option('--unit <id>', 'unit id', '1')
    .option('--type <type>', 'int16 uint16 int32 uint32 float32 float64 string bool')
    .option('--order <order>', 'ABCD CDAB BADC DCBA', 'ABCD')
    .option('--scale <x>', 'engineering = raw × scale + offset', '1')
    .option('--offset <x>', '', '0')
    .option('--length <n>', 'registers of a string')
    .option('--bit <n>', 'one bit of a 16-bit register (0 = least significant)')
    .action(
      async (
        address: string,
        o: TargetOptions & {
          timeoutMs: string
          unit: string
          type?: string
          order: string
          scale: string
          offset: string
          length?: string
          bit?: string
          json?: boolean
        },
      ) => {
        const { readModbusAddress } = await import('../edge/tools/read-point.ts')
        const { ModbusDataType, ByteOrder } = await import('../edge/drivers/modbus/config.ts')
        const type = o.type === undefined ? undefined : ModbusDataType.safeParse(o.type)
        const order = ByteOrder.safeParse(o.order)
        if ((type && !type.success) || !order.success)
          throw new CommanderError(USAGE, 'parklink.usage', `unknown --type or --order (${o.type ?? ''} ${o.order})`)
        const r = await readModbusAddress({
          target: target(o),
          unitId: Number(o.unit),
          address,
          timeoutMs: Number(o.timeoutMs),
          order: order.data,
          ...(type?.success ? { type: type.data } : {}),
          scale: Number(o.scale),
          offset: Number(o.offset),
          ...(o.length ? { length: Number(o.length) } : {}),
          ...(o.bit ? { bit: Number(o.bit) } : {}),
        })
        if (o.json) console.log(JSON.stringify(r))
        else
          console.log(
            r.quality === 'good'
              ? `${address} = ${JSON.stringify(r.value)}   raw ${r.raw.join(' ')}`
              : `${address}: no value (${r.reason})`,
          )
        if (r.quality !== 'good') process.exitCode = 1
      },
    )
}

export const isDeviceError = (err: unknown) =>
  err instanceof ParklinkError && err.code === ErrorCodes.DEVICE_UNREACHABLE
