import type * as NodeFs from 'node:fs'

/**
 * Files and directories only the service user may read (brief §7, 等保 level 3: protection of
 * stored data): directories 0700, files 0600, whatever the process umask. shared/ does no I/O of
 * its own, so the caller hands in `node:fs` (or a double in a test).
 *
 * SQLite creates its -wal, -shm and -journal files with the mode of the database file, so a
 * database opened on a file made by `ensurePrivateFile` keeps all of them 0600.
 */
export type PrivateFs = Pick<
  typeof NodeFs,
  'mkdirSync' | 'chmodSync' | 'openSync' | 'fchmodSync' | 'closeSync' | 'writeSync' | 'fsyncSync' | 'existsSync'
>

export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** Makes `dir` (and missing parents) and sets `dir` itself to 0700, also when it already existed. */
export function ensurePrivateDir(fs: PrivateFs, dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  fs.chmodSync(dir, PRIVATE_DIR_MODE)
}

/** Creates `file` empty if missing and sets it to 0600 (an existing file keeps its content). */
export function ensurePrivateFile(fs: PrivateFs, file: string): void {
  const fd = fs.openSync(file, 'a', PRIVATE_FILE_MODE)
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * A SQLite database file about to be opened: the file 0600 (created empty if new, which SQLite
 * takes as a new database) and any -wal, -shm or -journal left by an older version chmod-ed too.
 * In-memory databases (':memory:', '') are left alone.
 */
export function ensurePrivateDatabase(fs: PrivateFs, file: string): void {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return
  ensurePrivateFile(fs, file)
  for (const suffix of ['-wal', '-shm', '-journal'])
    if (fs.existsSync(file + suffix)) fs.chmodSync(file + suffix, PRIVATE_FILE_MODE)
}

/**
 * Writes `data` to `file`, created 0600 before a byte is written (so a key is never readable by
 * others, not even for an instant). `exclusive`: refuse to overwrite an existing file.
 */
export function writePrivateFile(fs: PrivateFs, file: string, data: string | Uint8Array, exclusive = false): void {
  const fd = fs.openSync(file, exclusive ? 'wx' : 'w', PRIVATE_FILE_MODE)
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE)
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}
