/**
 * Runs `fn` with whatever is written to stdout (node-opcua's warnings, a library's console.log)
 * sent to stderr instead, so a command's --json output on stdout stays one valid JSON document.
 * The command prints its own result after this returns.
 */
export async function withStdoutOnStderr<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write
  try {
    return await fn()
  } finally {
    process.stdout.write = write
  }
}
