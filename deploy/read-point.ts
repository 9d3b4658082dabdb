import type { Command } from 'commander'

/**
 * `parklink edge read point ID --config FILE`: one live read of a configured point, as the agent
 * would send it. Modbus: the raw registers beside the value decoded with the point's own type,
 * byte order and scale. OPC UA (read-point-opcua.ts): value, data type, unit, range, status,
 * source and server time. Exit 1 when the device does not answer or the value is not good, 2
 * for an unknown point or one that is neither Modbus nor OPC UA.
 */
export function addReadPointCommand(edge: Command): void {
  const read = edge.commands.find((c) => c.name() === 'read') ?? edge.command('read').description('one live read')
  read
    .command('point')
    .description(
      "read one configured point with its device's settings: value, quality, and raw registers (Modbus) or type, range and timestamps (OPC UA)",
    )
    .argument('<id>', 'the point id, as in the config')
    .requiredOption('-c, --config <file>', 'edge configuration (YAML)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { config: string; json?: boolean }) => {
      // The agent's own check: a config it would refuse is refused here too (exit 2, every problem by line).
      const { loadCheckedEdgeConfig } = await import('../edge/config-check.ts')
      const { opcuaPointOf, pointReadSpec } = await import('../edge/tools/point-spec.ts')
      const { readModbusAddress } = await import('../edge/tools/read-point.ts')
      const { ErrorCodes, ParklinkError } = await import('../shared/errors.ts')
      const { CommanderError } = await import('commander')
      const config = loadCheckedEdgeConfig(o.config)
      const opcua = opcuaPointOf(config, id)
      if (opcua) {
        const { readOpcuaPointCommand } = await import('./read-point-opcua.ts')
        return readOpcuaPointCommand(config, opcua, o.json ?? false)
      }
      let p: ReturnType<typeof pointReadSpec>
      try {
        p = pointReadSpec(config, id)
      } catch (err) {
        // An unknown or non-Modbus point is a usage error: nothing was read.
        if (err instanceof ParklinkError && (err.code === ErrorCodes.NOT_FOUND || err.code === ErrorCodes.BAD_REQUEST))
          throw new CommanderError(2, 'parklink.usage', `${err.message}${err.hint ? `\nhint: ${err.hint}` : ''}`)
        throw err
      }
      const r = await readModbusAddress(p.spec)
      const where = p.spec.target.tcp
        ? `${p.spec.target.tcp.host}:${p.spec.target.tcp.port}`
        : p.spec.target.serial!.path
      if (o.json)
        console.log(
          JSON.stringify({
            point: id,
            device: p.device,
            name: p.name ?? null,
            unit: p.unit ?? null,
            at: where,
            unitId: p.spec.unitId,
            address: p.spec.address,
            type: p.spec.type ?? null,
            order: p.spec.order,
            ...r,
          }),
        )
      else {
        console.log(
          `${id}${p.name ? ` (${p.name})` : ''} on ${p.device} ${where} unit ${p.spec.unitId}, ${String(p.spec.address)} ${p.spec.type ?? ''} ${p.spec.order}`.trimEnd(),
        )
        console.log(
          r.quality === 'good'
            ? `  value ${JSON.stringify(r.value)}${p.unit ? ` ${p.unit}` : ''}   raw ${r.raw.join(' ')}   quality good`
            : `  no value: quality bad (${r.reason})`,
        )
      }
      if (r.quality !== 'good') process.exitCode = 1
    })
}
