import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { EdgeConfigSchema } from '../edge/config.ts'
import { ProfileSchema } from '../edge/profiles/schema.ts'

/**
 * The JSON Schemas of the configuration files, generated from the zod schemas that validate
 * them (so they cannot drift): for editors and for tools outside parklink. `npm run schemas`
 * rewrites them; a test fails when a committed file is out of date.
 */
const dir = new URL('../firmware-configs/schemas/', import.meta.url)

export function schemaFiles(): Record<string, string> {
  const edge = {
    ...z.toJSONSchema(EdgeConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'parklink edge configuration',
    description:
      'Validated form of an edge config. A device or RS485 unit may instead name a profile (profile, prefix, tag): those keys are expanded from firmware-configs/profiles before validation.',
  }
  const profile = {
    ...z.toJSONSchema(ProfileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'parklink device profile',
  }
  return {
    'edge-config.schema.json': `${JSON.stringify(edge, null, 2)}\n`,
    'profile.schema.json': `${JSON.stringify(profile, null, 2)}\n`,
  }
}

export function staleSchemaFiles(): string[] {
  return Object.entries(schemaFiles())
    .filter(([name, text]) => {
      try {
        return readFileSync(new URL(name, dir), 'utf8') !== text
      } catch {
        return true
      }
    })
    .map(([name]) => name)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, text] of Object.entries(schemaFiles())) writeFileSync(new URL(name, dir), text)
  console.log(`wrote ${Object.keys(schemaFiles()).join(', ')} to firmware-configs/schemas/`)
}
