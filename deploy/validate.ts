import { CommanderError, type Command } from 'commander'
import { ParklinkError } from '../shared/errors.ts'
import type { ConfigProblem } from '../shared/config.ts'

/**
 * `parklink edge validate FILE [--json]`: the agent's own check (edge/config-check.ts), so a file
 * it calls valid is one the agent starts from. Problems are listed by line; with --json the
 * result is JSON on stdout in every case (valid, invalid, unreadable). Exit 0 valid, 2 refused.
 */
export function addValidateCommand(edge: Command): void {
  edge
    .command('validate')
    .description(
      'check an edge configuration as the agent does (addresses, hosts, references, password variables) and its key, certificate and at-rest key files; list every problem with its line and code',
    )
    .argument('<file>', 'edge configuration (YAML)')
    .option('--json', 'print the result as JSON (also when invalid)')
    .option(
      '--no-env',
      'skip what depends on this machine (password variables, TLS files): for a file checked away from its box',
    )
    .action(async (file: string, opts: { json?: boolean; env: boolean }) => {
      const { checkEdgeConfigFile } = await import('../edge/config-check.ts')
      const { devicePoints } = await import('../edge/config.ts')
      let r: import('../edge/config-check.ts').CheckResult
      try {
        // With the environment: the crypto files in depth too (keys 0600, pairs, chain, dates, identity).
        r = checkEdgeConfigFile(file, opts.env ? process.env : null, { cryptoFiles: { now: Date.now() } })
      } catch (err) {
        if (!opts.json || !(err instanceof ParklinkError)) throw err
        console.log(
          JSON.stringify({
            file,
            ok: false,
            error: { code: err.code, message: err.message, hint: err.hint ?? null },
            problems: [],
          }),
        )
        throw new CommanderError(2, 'parklink.reported', err.message)
      }
      if (r.ok && r.config) {
        const config = r.config
        const points = config.devices.reduce((n, d) => n + devicePoints(d).length, 0)
        const summary = {
          file,
          ok: true,
          environmentChecked: opts.env,
          site: config.site,
          edge: config.edge,
          devices: config.devices.length,
          points,
          problems: [],
        }
        return console.log(
          opts.json
            ? JSON.stringify(summary)
            : `${file}: valid (${summary.devices} devices, ${points} points)${opts.env ? '' : '; password variables and TLS files not checked (--no-env)'}`,
        )
      }
      if (opts.json)
        console.log(
          JSON.stringify({
            file,
            ok: false,
            problems: r.problems.map(({ line, path, message, hint, code }) => ({
              line,
              path,
              code: code ?? null,
              message,
              hint: hint ?? null,
            })),
          }),
        )
      else console.error(formatProblems(file, r.problems))
      throw new CommanderError(2, 'parklink.reported', 'invalid configuration')
    })
}

/** One line per problem, by line: `FILE:LINE  PATH: MESSAGE`, its hint indented below. */
export function formatProblems(file: string, problems: readonly ConfigProblem[]): string {
  const lines = [`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} (the agent would not start)`]
  for (const p of problems) {
    const code = p.code && p.code !== 'PL_CONFIG_INVALID' ? `[${p.code}] ` : ''
    lines.push(`  ${p.file}${p.line ? `:${p.line}` : ''}  ${p.path ? `${p.path}: ` : ''}${code}${p.message}`)
    if (p.hint) lines.push(`      hint: ${p.hint}`)
  }
  return lines.join('\n')
}
