// The browser module under Node: initialized synchronously with initSync from
// www/pkg/flexedge_bg.wasm (built by `make pkg`), no server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  initSync, version, parseFilter, runQuery, groupBy, compileQuery,
} from '../../www/pkg/flexedge.js';

initSync({ module: readFileSync(new URL('../../www/pkg/flexedge_bg.wasm', import.meta.url)) });
const fixture = JSON.parse(readFileSync(new URL('./fixtures/orders.json', import.meta.url), 'utf8'));
const records = fixture.items;

const thrown = (f) => {
  try { f(); } catch (e) { return e; }
  assert.fail('expected a throw');
};

test('version and canonical filters', () => {
  assert.match(version(), /^\d+\.\d+\.\d+$/);
  assert.deepEqual(parseFilter("status  EQ 'active' AND not(kind eq 'order')"),
    { canonical: "status eq 'active' and not (kind eq 'order')" });
});

test('syntax errors are Errors with code and UTF-16 offsets', () => {
  const text = "name eq 'Tōkyō 😀' xor x";
  const e = thrown(() => parseFilter(text));
  assert.ok(e instanceof Error);
  assert.equal(e.code, 'filter.syntax.unexpected_token');
  assert.equal(text.slice(e.start, e.end), 'xor');
  assert.equal(e.param, 'filter');
});

test('runQuery gives the same answer from a string, bytes and objects', () => {
  const opts = { filter: "status eq 'active' and endDate gt 2024-06-01", sort: 'endDate desc, id', select: 'id, endDate', limit: 5 };
  const fromString = runQuery(JSON.stringify(records), opts);
  const fromBytes = runQuery(new TextEncoder().encode(JSON.stringify(records)), opts);
  const fromObjects = runQuery(records, opts);
  assert.deepEqual(fromBytes, fromString);
  assert.deepEqual(fromObjects, fromString);
  const expected = records.filter((r) => r.status === 'active' && r.endDate > '2024-06-01T00:00:00Z')
    .sort((a, b) => (a.endDate === b.endDate ? (a.id < b.id ? -1 : 1) : a.endDate < b.endDate ? 1 : -1));
  assert.equal(fromString.total, expected.length);
  assert.equal(fromString.count, Math.min(5, expected.length));
  assert.equal(fromString.offset, 0);
  assert.deepEqual(fromString.items, expected.slice(0, 5).map((r) => ({ id: r.id, endDate: r.endDate })));
});

test('plain JSON: ISO strings compare as dates, numbers as numbers', () => {
  const rows = [{ n: 'a', at: '2025-01-01T10:00:00+02:00', q: 9 }, { n: 'b', at: '2025-01-01T09:00:00Z', q: 10 }];
  // 10:00+02:00 is 08:00Z: before 09:00Z although its text sorts after.
  const r = runQuery(rows, { filter: 'at lt 2025-01-01T08:30:00Z', select: 'n' });
  assert.deepEqual(r.items, [{ n: 'a' }]);
  assert.deepEqual(runQuery(rows, { sort: 'q desc', select: 'n' }).items.map((x) => x.n), ['b', 'a']);
});

test('query errors name their parameter and place', () => {
  const e = thrown(() => runQuery(records, { filter: "custmer/name eq 'x'" }));
  assert.equal(e.param, 'filter');
  assert.equal(e.suggestion, 'customer/name');
  assert.deepEqual([e.start, e.end], [0, 12]);
  const s = thrown(() => runQuery(records, { sort: 'endDate sideways' }));
  assert.equal(s.param, 'sort');
  assert.equal('endDate sideways'.slice(s.start, s.end), 'sideways');
  const l = thrown(() => runQuery(records, { limit: 5000 }));
  assert.equal(l.param, 'limit');
  const bad = thrown(() => runQuery('[{"a":', {}));
  assert.equal(bad.code, 'records.invalid');
});

test('groupBy counts groups', () => {
  const r = groupBy(records, { groupBy: 'source', sort: 'count desc, source' });
  const counts = {};
  for (const x of records) counts[x.source] = (counts[x.source] ?? 0) + 1;
  assert.equal(r.total, Object.keys(counts).length);
  assert.equal(r.rows, records.length);
  for (const g of r.items) assert.equal(g.count, counts[g.key.source]);
});

test('compileQuery reuses the parsed query', () => {
  const q = compileQuery({ filter: "kind eq 'order'", select: 'id' });
  try {
    assert.match(q.canonical, /^filter=kind eq 'order'/);
    const a = q.run(records);
    const b = q.run(records.slice(0, 8));
    assert.equal(a.total, records.filter((r) => r.kind === 'order').length);
    assert.equal(b.total, records.slice(0, 8).filter((r) => r.kind === 'order').length);
  } finally {
    q.free();
  }
});

test("schema 'record' reads normalized records with every field known", () => {
  const opts = { filter: "status eq 'active' and endDate gt 2024-06-01", sort: 'endDate desc, id', select: 'id', limit: 50 };
  assert.deepEqual(runQuery(records, { ...opts, schema: 'record' }), runQuery(records, opts));
  // No fixture record has a billing account: as plain JSON the name is unknown, as a
  // Record field it is known (and null).
  assert.equal(thrown(() => runQuery(records, { filter: "billingAccount/name eq 'x'" })).code, 'filter.field.unknown');
  assert.equal(runQuery(records, { filter: "billingAccount/name eq 'x'", schema: 'record' }).total, 0);
  assert.equal(thrown(() => runQuery([{ a: 1 }], { schema: 'record' })).code, 'records.invalid');
  assert.equal(thrown(() => runQuery(records, { schema: 'xml' })).code, 'query.option.schema');
  const g = groupBy(records, { groupBy: 'status', schema: 'record' });
  assert.equal(g.rows, records.length);
});
