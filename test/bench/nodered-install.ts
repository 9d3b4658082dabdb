import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/**
 * Node-RED and node-red-contrib-modbus for the side-by-side Modbus bench: NOT project
 * dependencies, installed at run time with npm into a directory under os.tmpdir() keyed by
 * their versions, so a second run reuses it.
 *
 * Pinned: node-red 4.1.x runs on Node 20 (5.x wants Node ≥ 22.9). node-red-contrib-modbus
 * 5.60.2 depends on a `@openp4nr/modbus-serial` tarball hosted outside the npm registry; the
 * override points it at modbus-serial from the registry, which it is a fork of (see
 * /work/shared/notes/verified-here.md, "Installing node-red-contrib-modbus").
 */
export const NODE_RED_VERSION = '4.1.8'
export const CONTRIB_MODBUS_VERSION = '5.60.2'
const OVERRIDES = { '@openp4nr/modbus-serial': 'npm:modbus-serial@8.0.25' }

export interface NodeRedInstall {
  dir: string
  /** node-red's CLI entry (red.js), run with this process's node. */
  redJs: string
}

export type InstallOutcome = { ok: true; install: NodeRedInstall } | { ok: false; why: string }

export function installNodeRed(log: (line: string) => void = console.log): InstallOutcome {
  const dir = path.join(
    tmpdir(),
    'parklink-bench-nodered',
    `node-red-${NODE_RED_VERSION}_contrib-modbus-${CONTRIB_MODBUS_VERSION}`,
  )
  const redJs = path.join(dir, 'node_modules', 'node-red', 'red.js')
  const marker = path.join(dir, '.installed')
  if (existsSync(marker) && existsSync(redJs)) {
    log(`node-red: using the install cached in ${dir}`)
    return { ok: true, install: { dir, redJs } }
  }
  log(
    `node-red: installing node-red@${NODE_RED_VERSION} node-red-contrib-modbus@${CONTRIB_MODBUS_VERSION} into ${dir} (once; later runs reuse it)`,
  )
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  // A package.json of its own, so that npm applies the override and never looks at parklink's.
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'parklink-bench-nodered', private: true, overrides: OVERRIDES }, null, 2)}\n`,
  )
  const started = Date.now()
  const npm = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      dir,
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `node-red@${NODE_RED_VERSION}`,
      `node-red-contrib-modbus@${CONTRIB_MODBUS_VERSION}`,
    ],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: 10 * 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  if (npm.error || npm.status !== 0 || !existsSync(redJs)) {
    // npm's first lines name the failure (code, errno, what it fetched); its last ones only point at its log.
    const why = npm.error
      ? npm.error.message
      : `npm exited with ${npm.status ?? npm.signal}: ${(npm.stderr || npm.stdout).trim().split('\n').slice(0, 4).join(' | ')}`
    rmSync(dir, { recursive: true, force: true })
    return {
      ok: false,
      why: `could not install node-red into ${dir} (${why}); is the npm registry reachable? Run again with --skip-nodered to bench without it`,
    }
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`)
  log(`node-red: installed in ${Math.round((Date.now() - started) / 1000)} s`)
  return { ok: true, install: { dir, redJs } }
}
