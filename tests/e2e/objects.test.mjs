// runQuery/groupBy over arrays of objects (read in place, src/browser/objects.rs + .js)
// against the same records as JSON text, on every case of the filter and query tables and
// on what JSON.stringify treats specially. Runs under Node on www/pkg (built by `make pkg`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initSync, runQuery, groupBy, compileQuery } from '../../www/pkg/index.js';

initSync(readFileSync(new URL('../../www/pkg/flexedge_bg.wasm', import.meta.url)));
const table = (f) => JSON.parse(readFileSync(new URL(`../data/${f}`, import.meta.url), 'utf8'));
const evalTable = table('filter_eval.json');
const records = evalTable.records;
const text = JSON.stringify(records);

// The answer or the error (code, param, span, suggestion, message) of `f`.
function outcome(f) {
  try {
    return { ok: f() };
  } catch (e) {
    return { err: { code: e.code, param: e.param, start: e.start, end: e.end, suggestion: e.suggestion, message: e.message } };
  }
}

test('every filter-table case: objects give what the JSON text gives', () => {
  let n = 0;
  for (const c of evalTable.cases) {
    for (const schema of ['json', 'record']) {
      const opts = { filter: c.filter, sort: 'id', limit: 1000, schema };
      assert.deepEqual(outcome(() => runQuery(records, opts)), outcome(() => runQuery(text, opts)), `${c.filter} (${schema})`);
      n++;
    }
  }
  assert.ok(n > 50, `${n} cases`);
});

test('every query-table case (sort, select, paging, group-by): objects give what the text gives', () => {
  for (const c of table('query_cases.json')) {
    const { group_by: g, ...rest } = c.params;
    for (const schema of ['json', 'record']) {
      const opts = { ...rest, schema, ...(g ? { groupBy: g } : {}) };
      const run = g ? groupBy : runQuery;
      assert.deepEqual(outcome(() => run(records, opts)), outcome(() => run(text, opts)), JSON.stringify(opts));
    }
  }
});

test('the items are the given objects themselves', () => {
  const r = runQuery(records, { filter: "status eq 'active'", sort: 'id' });
  assert.ok(r.items.length > 0);
  for (const item of r.items) assert.ok(records.includes(item));
  const q = compileQuery({ filter: "kind eq 'order'" });
  try {
    assert.ok(q.run(records).items.every((i) => records.includes(i)));
  } finally {
    q.free();
  }
});

test('values as JSON.stringify writes them: toJSON, undefined, functions, NaN, -0, classes, non-ASCII', () => {
  class Thing { constructor(v) { this.v = v; } }
  const odd = [
    { id: 'a', at: new Date(Date.UTC(2026, 0, 2)), v: -0, s: 'Søren 😀', n: NaN, u: undefined, f() {} },
    { id: 'b', at: '2025-06-01T00:00:00Z', v: 2, s: 'Tōkyō', n: Infinity, u: 1, nested: { deep: { x: 'ü' } } },
    new Thing('c'),
    { id: 'd', at: null, v: new Number(3), s: new String('x'), nested: Object.create(null) },
    Object.assign(Object.create({ inherited: 'no' }), { id: 'e', v: 1 }),
  ];
  const asText = JSON.stringify(odd);
  for (const opts of [
    { filter: 'at lt 2026-01-03', sort: 'id' },
    { filter: 'v eq 0 or v gt 2', sort: 'v desc, id' },
    { filter: "contains(s, 'ø') or s eq 'x'", select: 's, id' },
    { filter: 'n eq null and u eq null', sort: 'id', select: 'id' },
    { filter: "nested/deep/x eq 'ü'", select: 'nested' },
    { filter: "v eq 'c' or inherited eq 'no'" },
    { sort: 'at', select: 'id, at' },
  ]) {
    const a = outcome(() => runQuery(odd, opts));
    const b = outcome(() => runQuery(asText, opts));
    if (a.ok) a.ok.items = JSON.parse(JSON.stringify(a.ok.items));
    assert.deepEqual(a, b, JSON.stringify(opts));
  }
});

test('records JSON cannot hold are records.invalid errors, not crashes', () => {
  const cyclic = { id: 'x' };
  cyclic.self = cyclic;
  for (const bad of [[{ id: 1n }], [cyclic]]) {
    const name = Object.keys(bad[0]).at(-1);
    const e = outcome(() => runQuery(bad, { filter: `${name} ne null` })).err;
    assert.equal(e?.code, 'records.invalid', JSON.stringify(e));
  }
  // Afterwards the module still works.
  assert.equal(runQuery([{ a: 1 }], { filter: 'a eq 1' }).total, 1);
});
