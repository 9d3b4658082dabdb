import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

/**
 * The repository's import graph, for the architecture test: every relative import of every
 * product .ts file (type-only imports, re-exports and dynamic imports included; tests excluded),
 * as repository-relative paths. Package imports (mqtt, zod …) are not edges.
 */
export type ImportGraph = ReadonlyMap<string, readonly string[]>

export function productFiles(root: string, folders: readonly string[]): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(rel)
      } else if (/\.ts$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name)) out.push(rel)
    }
  }
  for (const folder of folders) walk(folder)
  return out.sort()
}

/** Relative import specifiers of one source text (ts.preProcessFile: static, type-only, dynamic). */
export function importsOf(source: string): string[] {
  return specifiersOf(source).filter((name) => name.startsWith('.'))
}

/** Package import specifiers of one source text (`mqtt`, `node:fs`, `@hono/node-server` …). */
export function packagesOf(source: string): string[] {
  return specifiersOf(source).filter((name) => !name.startsWith('.'))
}

const specifiersOf = (source: string) => ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName)

export function buildImportGraph(root: string, folders: readonly string[]): ImportGraph {
  const graph = new Map<string, string[]>()
  for (const file of productFiles(root, folders)) {
    const dir = path.posix.dirname(file)
    const targets = importsOf(readFileSync(path.join(root, file), 'utf8')).map((spec) =>
      path.posix.normalize(path.posix.join(dir, spec)),
    )
    graph.set(file, [...new Set(targets)].sort())
  }
  return graph
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan. */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  let next = 0
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return cycles
}

/** Which top-level folders a folder's files may import (a folder not listed may import anything). */
export type LayerRules = Readonly<Record<string, readonly string[]>>

/** Every import that crosses into a folder its layer may not use, as "from -> to". */
export function layerViolations(graph: ImportGraph, rules: LayerRules): string[] {
  const layer = (file: string) => file.split('/')[0]!
  const out: string[] = []
  for (const [from, targets] of graph) {
    const allowed = rules[layer(from)]
    if (!allowed) continue
    for (const to of targets) if (!allowed.includes(layer(to))) out.push(`${from} -> ${to}`)
  }
  return out
}
