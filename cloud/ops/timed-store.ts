import { Histogram, type Registry } from 'prom-client'
import type { Store } from '../store/store.ts'

/** Seconds: a SQLite write is ~1 ms, a PostgreSQL batch a few ms, a slow report seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * The store with every call timed (issue 16, /metrics `parklink_cloud_store_call_seconds{op}`).
 * The store's engines open their transactions in many places (one per repository method), so
 * the one place to hook is the Store interface itself: each method of it is one query or one
 * transaction, and `op` is the method's name (a fixed, small set). A call that fails is timed
 * too (`outcome="error"`). Nested parts (store.auth) are passed through untimed. `now` is a
 * monotonic millisecond timer (durations, not wall-clock times).
 */
export function timedStore(store: Store, registry: Registry, now: () => number = () => performance.now()): Store {
  const seconds = new Histogram({
    name: 'parklink_cloud_store_call_seconds',
    help: 'Time of one store call (a query or a transaction), by Store method and outcome',
    labelNames: ['op', 'outcome'],
    buckets: BUCKETS,
    registers: [registry],
  })
  const wrapped = new Map<PropertyKey, unknown>()
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver)
      if (typeof value !== 'function' || typeof key !== 'string') return value
      let fn = wrapped.get(key)
      if (fn === undefined) {
        fn = (...args: unknown[]) => {
          const start = now()
          const done = (outcome: 'ok' | 'error') =>
            seconds.observe({ op: key, outcome }, Math.max(0, now() - start) / 1000)
          let result: unknown
          try {
            result = (value as (...a: unknown[]) => unknown).apply(target, args)
          } catch (err) {
            done('error')
            throw err
          }
          if (result instanceof Promise)
            return result.then(
              (v) => {
                done('ok')
                return v
              },
              (err: unknown) => {
                done('error')
                throw err
              },
            )
          done('ok')
          return result
        }
        wrapped.set(key, fn)
      }
      return fn
    },
  })
}
