import * as fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'
import { writePrivateFile } from '../shared/private-files.ts'
import { loadEdgeConfig, type EdgeConfig } from '../edge/config.ts'
import { SNAPSHOT_PURPOSE } from '../edge/at-rest/check.ts'
import { createAtRestCipher } from '../edge/at-rest/cipher.ts'
import { initKeyFile, readKeyFile, retireKey, rotateKeyFile } from '../edge/at-rest/key-file.ts'
import { keyUse, reseal } from '../edge/at-rest/maintain.ts'
import { openAtRest } from '../edge/at-rest/open.ts'

/**
 * `parklink edge key init | rotate | status | reseal | retire | open-snapshot --config FILE`:
 * the at-rest key of storage.encryption.keyFile (edge/at-rest/). Prints key ids and paths,
 * never key material. Rotation: `rotate`, restart the agent (it seals with the new key from
 * then on), `reseal` (older records sealed again with the new key), `retire OLD_ID` (refused
 * while a stored record still names it).
 */
function keyFileOf(config: EdgeConfig, configFile: string): string {
  const keyFile = config.storage?.encryption?.keyFile
  if (!keyFile)
    throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `${configFile} configures no storage.encryption.keyFile`, {
      hint: 'add `storage: { encryption: { keyFile: /etc/parklink/at-rest.key } }` to the edge config first',
    })
  return keyFile
}

const withConfig = (cmd: Command) => cmd.requiredOption('-c, --config <file>', 'edge configuration (YAML)')

export function addKeyCommands(edge: Command): void {
  const key = edge
    .command('key')
    .description("the at-rest key (storage.encryption.keyFile) that seals the edge's stored data with SM4")
  withConfig(key.command('init').description('create the key file (0600); refused if it exists')).action(
    (opts: { config: string }) => {
      const config = loadEdgeConfig(opts.config)
      const file = keyFileOf(config, opts.config)
      const id = initKeyFile(file, Date.now())
      console.log(
        `at-rest key ${id} written to ${file} (0600): keep a copy with the edge backups, the data cannot be read without it`,
      )
    },
  )
  withConfig(
    key
      .command('rotate')
      .description('add a new key that seals from the next start on; older keys stay to open older records'),
  ).action((opts: { config: string }) => {
    const file = keyFileOf(loadEdgeConfig(opts.config), opts.config)
    const { id, kept } = rotateKeyFile(file, Date.now())
    console.log(`new at-rest key ${id} in ${file}; kept ${kept.join(', ')} for older records`)
    console.log('next: restart the agent, then `parklink edge key reseal` and `parklink edge key retire OLD_ID`')
  })
  withConfig(
    key.command('status').description('the keys of the key file and how many stored records each seals'),
  ).action((opts: { config: string }) => {
    const config = loadEdgeConfig(opts.config)
    const file = keyFileOf(config, opts.config)
    const keys = readKeyFile(file)
    const use = keyUse(config.dataDir)
    keys.forEach((k, i) => console.log(`${k.id}${i === 0 ? ' (current)' : ''}: ${use.get(k.id) ?? 0} records`))
    for (const [id, n] of use)
      if (!keys.some((k) => k.id === id)) console.log(`${id} (NOT IN THE KEY FILE): ${n} records`)
  })
  withConfig(key.command('reseal').description('seal every record of an older key again with the current key')).action(
    (opts: { config: string }) => {
      const config = loadEdgeConfig(opts.config)
      const cipher = openAtRest(config.storage, config.dataDir)!
      console.log(`${reseal(config.dataDir, cipher)} records sealed again with key ${cipher.currentKeyId}`)
    },
  )
  withConfig(
    key.command('retire').description('remove an older key from the key file once no record needs it').argument('<id>'),
  ).action((id: string, opts: { config: string }) => {
    const config = loadEdgeConfig(opts.config)
    const file = keyFileOf(config, opts.config)
    const n = keyUse(config.dataDir).get(id) ?? 0
    if (n > 0)
      throw new ParklinkError(ErrorCodes.AT_REST_KEY, `key ${id} still seals ${n} stored records: not retired`, {
        hint: 'restart the agent (it seals with the current key), run `parklink edge key reseal`, then retire again',
      })
    retireKey(file, id)
    console.log(`key ${id} removed from ${file}`)
  })
  withConfig(
    key
      .command('open-snapshot')
      .description('write the JPEG of a sealed snapshot ({ts}-{id}.jpg.sm4) for viewing')
      .argument('<file>'),
  )
    .requiredOption('--out <file>', 'where to write the JPEG (created 0600)')
    .action((file: string, opts: { config: string; out: string }) => {
      const keyFile = keyFileOf(loadEdgeConfig(opts.config), opts.config)
      const jpeg = createAtRestCipher(readKeyFile(keyFile), keyFile).open(fs.readFileSync(file), SNAPSHOT_PURPOSE)
      writePrivateFile(fs, opts.out, jpeg, true)
      console.log(`${path.basename(file)}: ${jpeg.length} bytes written to ${opts.out}`)
    })
}
