import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import { ensurePrivateDir, writePrivateFile } from '../../shared/private-files.ts'
import type { AtRestKey } from './cipher.ts'

/**
 * The at-rest key file (storage.encryption.keyFile): never in the config, 0600 (group and others
 * may not even read it), newest key first. Rotation puts a new key in front; the older ones stay
 * so that records sealed with them still open, until an operator removes them
 * (`parklink edge key retire`, which refuses while a stored record still names the key).
 *
 *   {"format":"parklink-at-rest-keys/1","keys":[{"id":"9f3a61c2","secret":"<base64, 32 bytes>","created":"…"}]}
 */
const FORMAT = 'parklink-at-rest-keys/1'
const SECRET_BYTES = 32

const KeyEntry = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{8}$/, 'a key id is 8 hex digits'),
  secret: z
    .string()
    .base64()
    .refine((s) => Buffer.from(s, 'base64').length === SECRET_BYTES, `a secret is ${SECRET_BYTES} bytes (base64)`),
  created: z.string(),
})
const KeyFileSchema = z.strictObject({
  format: z.literal(FORMAT),
  keys: z
    .array(KeyEntry)
    .min(1)
    .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'key ids must be unique'),
})
type KeyFile = z.infer<typeof KeyFileSchema>

const refuse = (file: string, what: string, hint: string, cause?: unknown) =>
  new ParklinkError(ErrorCodes.AT_REST_KEY, `at-rest key file ${file}: ${what}`, {
    hint,
    ...(cause === undefined ? {} : { cause }),
  })

/** The keys of a key file, newest (the one that seals) first. Never logs or returns the file's text. */
export function readKeyFile(file: string): AtRestKey[] {
  let mode: number
  let text: string
  try {
    mode = fs.statSync(file).mode
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
    throw refuse(
      file,
      missing ? 'missing' : `unreadable (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`,
      missing
        ? 'restore the key file from the edge backup (a new key cannot read the data already stored), or create one for a new edge with `parklink edge key init`; the agent did not start and changed nothing'
        : 'the service user must be able to read the key file (owner, mode 0600)',
      err,
    )
  }
  if ((mode & 0o077) !== 0)
    throw refuse(
      file,
      `mode ${(mode & 0o777).toString(8).padStart(4, '0')} lets others read it`,
      `chmod 600 ${file} (and check who may have copied it)`,
    )
  let parsed: KeyFile
  try {
    parsed = KeyFileSchema.parse(JSON.parse(text))
  } catch (err) {
    // The zod message names fields, never their values: a secret is not echoed.
    throw refuse(
      file,
      'not a parklink key file',
      'restore the key file from the edge backup; create new ones only with `parklink edge key init`',
      err instanceof z.ZodError
        ? new Error(err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
        : undefined,
    )
  }
  return parsed.keys.map((k) => ({ id: k.id, secret: Buffer.from(k.secret, 'base64') }))
}

const newEntry = (now: number) => ({
  id: randomBytes(4).toString('hex'),
  secret: randomBytes(SECRET_BYTES).toString('base64'),
  created: new Date(now).toISOString(),
})

/** Writes the file whole (a temporary file, fsync, rename), 0600 before a byte is written. */
function writeKeys(file: string, keys: KeyFile['keys']): void {
  ensurePrivateDir(fs, path.dirname(file))
  const tmp = `${file}.tmp-${process.pid}`
  writePrivateFile(fs, tmp, `${JSON.stringify({ format: FORMAT, keys }, null, 2)}\n`, true)
  fs.renameSync(tmp, file)
}

const rawKeys = (file: string): KeyFile['keys'] => {
  readKeyFile(file) // the same checks (mode, format) as the agent's
  return KeyFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).keys
}

/** `parklink edge key init`: a new key file; refuses to overwrite one (its data would be lost). */
export function initKeyFile(file: string, now: number): string {
  if (fs.existsSync(file))
    throw refuse(
      file,
      'already exists',
      'use `parklink edge key rotate` for a new key; the existing one is still needed for the data it sealed',
    )
  const entry = newEntry(now)
  writeKeys(file, [entry])
  return entry.id
}

/** `parklink edge key rotate`: a new key seals from the next start on; the older keys stay to open older records. */
export function rotateKeyFile(file: string, now: number): { id: string; kept: string[] } {
  const keys = rawKeys(file)
  const entry = newEntry(now)
  writeKeys(file, [entry, ...keys])
  return { id: entry.id, kept: keys.map((k) => k.id) }
}

/** `parklink edge key retire`: removes an older key; the caller checked that no stored record names it. */
export function retireKey(file: string, id: string): void {
  const keys = rawKeys(file)
  if (keys[0]!.id === id)
    throw refuse(file, `key ${id} is the current key`, 'rotate first; only an older key can be retired')
  if (!keys.some((k) => k.id === id)) throw refuse(file, `holds no key ${id}`, 'see `parklink edge key status`')
  writeKeys(
    file,
    keys.filter((k) => k.id !== id),
  )
}
