import { getTableConfig as pgConfig, PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { describe, expect, it } from 'vitest'
import * as pg from '../cloud/store/postgres/schema.ts'
import * as sqlite from '../cloud/store/sqlite/schema.ts'

/**
 * The two engines' schemas describe the same tables (issue 15: one store, two engines): the same
 * table and column names, nullability, defaults, keys and indexes. A column added on one side
 * only fails here, before a repository or a migration can drift.
 */
interface Shape {
  columns: Record<string, { notNull: boolean; hasDefault: boolean; primary: boolean }>
  primaryKeys: string[]
  indexes: string[]
  unique: string[]
}

function shapeOf(config: {
  columns: Array<{ name: string; notNull: boolean; hasDefault: boolean; primary: boolean; isUnique: boolean }>
  primaryKeys: Array<{ getName(): string; columns: Array<{ name: string }> }>
  indexes: Array<{ config: { name?: string; unique: boolean; columns: unknown[] } }>
}): Shape {
  return {
    columns: Object.fromEntries(
      config.columns.map((c) => [c.name, { notNull: c.notNull, hasDefault: c.hasDefault, primary: c.primary }]),
    ),
    primaryKeys: config.primaryKeys.map((k) => `${k.getName()}(${k.columns.map((c) => c.name).join(',')})`).sort(),
    indexes: config.indexes
      .map((i) => `${i.config.unique ? 'unique ' : ''}${i.config.name}/${i.config.columns.length}`)
      .sort(),
    unique: config.columns
      .filter((c) => c.isUnique)
      .map((c) => c.name)
      .sort(),
  }
}

const tables = <T>(mod: Record<string, unknown>, type: abstract new (...args: never[]) => T): Map<string, T> =>
  new Map(Object.entries(mod).filter((e): e is [string, T] => e[1] instanceof type))

/**
 * PostgreSQL's time-partitioned tables (cloud/store/postgres/partition-plan.ts): a partitioned
 * table's primary key must hold its partition key, so where SQLite keys the row by `id` alone,
 * PostgreSQL keys it by (id, partition key). Compared as SQLite's shape once that key is checked.
 */
const PARTITION_KEYS: Record<string, string> = { sample_blocks: 'received_at', sample_chunks: 'hour' }

function withoutPartitionKey(table: string, shape: Shape): Shape {
  const key = PARTITION_KEYS[table]
  if (!key) return shape
  expect(shape.primaryKeys).toEqual([`${table}_pk(id,${key})`])
  const id = shape.columns.id
  expect(id).toBeDefined()
  return {
    ...shape,
    primaryKeys: [],
    columns: { ...shape.columns, id: { ...(id as Shape['columns'][string]), primary: true } },
  }
}

describe('store schemas: SQLite and PostgreSQL describe the same tables', () => {
  const lite = tables(sqlite, SQLiteTable)
  const post = tables(pg, PgTable)

  it('have the same tables', () => {
    expect([...post.keys()].sort()).toEqual([...lite.keys()].sort())
    expect(lite.size).toBeGreaterThan(20)
  })

  for (const [name, table] of lite) {
    it(`${name}: same columns, keys and indexes`, () => {
      const other = post.get(name)
      expect(other, `${name} is missing from cloud/store/postgres/schema.ts`).toBeDefined()
      const a = sqliteConfig(table)
      const b = pgConfig(other as PgTable)
      expect(b.name).toBe(a.name)
      expect(withoutPartitionKey(b.name, shapeOf(b as never))).toEqual(shapeOf(a as never))
    })
  }
})
