import { describe, expect, it } from 'vitest'
import { Counter, Histogram, Registry } from 'prom-client'
import { parsePrometheusText, sampleValue } from './prom-text.ts'

const ok = `# HELP a_total Things.
# TYPE a_total counter
a_total{reason="x",replica="r\\"1\\\\"} 3
a_total{reason="y"} 0
# TYPE h histogram
h_bucket{le="0.1"} 1
h_bucket{le="+Inf"} 2
h_sum 0.3
h_count 2
`

describe('the strict Prometheus text reader (test/util/prom-text.ts)', () => {
  it('reads families, types, help, escaped labels and values', () => {
    const f = parsePrometheusText(ok)
    expect(f.get('a_total')).toMatchObject({ type: 'counter', help: 'Things.' })
    expect(sampleValue(f, 'a_total', { replica: 'r"1\\' })).toBe(3)
    expect(sampleValue(f, 'h_count')).toBe(2)
  })

  it("reads prom-client's own output", async () => {
    const r = new Registry()
    new Counter({ name: 'c_total', help: 'with "quotes" and \\ and\nnewline', labelNames: ['l'], registers: [r] }).inc(
      { l: 'a\nb"c' },
      2,
    )
    new Histogram({ name: 'd_seconds', help: 'd', buckets: [0.1, 1], registers: [r] }).observe(0.5)
    const f = parsePrometheusText(await r.metrics())
    expect(sampleValue(f, 'c_total', { l: 'a\nb"c' })).toBe(2)
    expect(sampleValue(f, 'd_seconds_bucket', { le: '1' })).toBe(1)
  })

  it.each([
    ['no final newline', ok.trimEnd()],
    ['a sample with no TYPE', 'x 1\n'],
    ['a bad value', '# TYPE x gauge\nx one\n'],
    ['a bad label name', '# TYPE x gauge\nx{1a="v"} 1\n'],
    ['an unquoted label value', '# TYPE x gauge\nx{a=v} 1\n'],
    ['an unknown escape', '# TYPE x gauge\nx{a="\\t"} 1\n'],
    ['a duplicate label', '# TYPE x gauge\nx{a="1",a="2"} 1\n'],
    ['a duplicate series', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['TYPE twice', '# TYPE x gauge\n# TYPE x gauge\nx 1\n'],
    ['HELP twice', '# HELP x a\n# HELP x b\n# TYPE x gauge\nx 1\n'],
    ['TYPE after samples', '# TYPE x gauge\nx 1\n# TYPE x gauge\n'],
    ['an unknown TYPE', '# TYPE x thing\nx 1\n'],
    ['a split family', '# TYPE x gauge\nx{a="1"} 1\n# TYPE y gauge\ny 1\n# HELP x again\n'],
    ['a sample outside its block', '# TYPE x gauge\n# TYPE y gauge\ny 1\nx 1\n'],
    ['a negative counter', '# TYPE x_total counter\nx_total -1\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    [
      'a histogram not cumulative',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
    ],
    ['garbage', '# TYPE x gauge\nx 1 2 3\n'],
    ['a word for a value', '# TYPE x gauge\nx nano\n'],
  ])('refuses %s', (_why, text) => {
    expect(() => parsePrometheusText(text)).toThrow()
  })
})
