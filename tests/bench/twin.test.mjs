// The JavaScript twin (tests/bench/twin.mjs) returns the same items as flexedge, for the
// benchmark's two paths, over fresh benchmark worlds of several sizes. Run with
//   FLEXEDGE_BENCH_WASM=target/bench/wasm/flexedge_bench.js node --test tests/bench/twin.test.mjs
// (the wasm module `scripts/bench-gateway.sh` builds; the path is relative to the repo root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { helpers, twin } from './twin.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modulePath = resolve(root, process.env.FLEXEDGE_BENCH_WASM ?? 'target/bench/wasm/flexedge_bench.js');
const { WasmBench } = createRequire(import.meta.url)(modulePath);

// The benchmark world's fixed clock (src/testkit/bench.rs, NOW_MS: 2026-01-01T00:00:00Z):
// statuses derived from dates are computed at this instant by both.
const NOW_MS = 1_767_225_600_000;

const PATHS = [
  ['/v1/orders?limit=100', { limit: 100, includeRaw: false }],
  ['/v1/orders?limit=100&include=raw', { limit: 100, includeRaw: true }],
];

// 100 and 37: full pages with more to follow; 25: every source exactly one page (the FNO
// look-ahead answers empty); 10: every source short.
for (const records of [100, 37, 25, 10]) {
  test(`twin returns flexedge's items (${records} records/source)`, () => {
    const bench = new WasmBench(records);
    for (const [path, opts] of PATHS) {
      const res = JSON.parse(bench.response(path));
      assert.equal(res.status, 200, `${path}: flexedge answered ${res.status}`);
      const flexedge = JSON.parse(res.body);
      const pages = JSON.parse(bench.pages());
      const mine = JSON.parse(twin(pages, { ...opts, now: NOW_MS }));
      assert.ok(flexedge.items.length > 0, `${path}: flexedge returned no items`);
      assert.deepStrictEqual(mine.items, flexedge.items, `${path}: items differ`);
      // The envelope is only comparable, but these members agree too.
      assert.equal(mine.count, flexedge.count, `${path}: count`);
      assert.equal(mine.total, flexedge.total, `${path}: total`);
      assert.equal(mine.next !== undefined, flexedge.next !== undefined, `${path}: next present`);
      assert.equal(mine.order, flexedge.order, `${path}: order`);
      for (const [source, s] of Object.entries(flexedge.sources)) {
        assert.equal(mine.sources[source]?.status, s.status, `${path}: ${source} status`);
        assert.equal(mine.sources[source]?.total, s.total, `${path}: ${source} total`);
        assert.equal(mine.sources[source]?.fetched, s.fetched, `${path}: ${source} fetched`);
      }
    }
  });
}

test('twin is deterministic, and a broken body fails only its source', () => {
  const bench = new WasmBench(37);
  const path = '/v1/orders?limit=100';
  bench.get(path);
  const pages = JSON.parse(bench.pages());
  const a = twin(pages, { limit: 100, now: NOW_MS });
  const b = twin(pages, { limit: 100, now: NOW_MS });
  assert.equal(a, b);
  // A broken body fails only its source.
  const broken = pages.map((p) => (p.uri.includes('/iptv/') ? { ...p, body: p.body.slice(0, 100) } : p));
  const c = JSON.parse(twin(broken, { limit: 100, now: NOW_MS }));
  assert.equal(c.sources.telecomx_flexcare.status, 'error');
  assert.equal(c.items.some((r) => r.source === 'telecomx_flexcare'), false);
  assert.equal(c.items.length, 75);
});

// Date forms and words the simulated pages never send, checked against the vectors of
// flexedge's own tests (src/upstream/client/dates.rs, src/model/timestamp.rs).
test('twin reads every vendor date form as flexedge does', () => {
  const { parseDate, iso, tierOf, fnoStatus, betaStatus } = helpers;
  const p = (v, pacific = true) => {
    const ms = parseDate(v, pacific);
    return ms === undefined ? '' : iso(ms);
  };
  assert.equal(p(1506495600000), '2017-09-27T07:00:00Z');
  assert.equal(p('2017-09-27'), '2017-09-27T00:00:00Z');
  assert.equal(p('2017/09/27'), '2017-09-27T00:00:00Z');
  assert.equal(p('2022-09-13T15:00:34+02:00'), '2022-09-13T13:00:34Z');
  assert.equal(p('2024-03-14T13:26:46.076Z'), '2024-03-14T13:26:46.076Z');
  assert.equal(p('2025-01-01T02:00:00.250+02:00'), '2025-01-01T00:00:00.250Z');
  assert.equal(p('1506497656047'), '2017-09-27T07:34:16.047Z');
  assert.equal(p('2024-01-15 10:00:00', false), '2024-01-15T10:00:00Z');
  assert.equal(p('', false), '');
  assert.equal(p('soon', false), '');
  assert.equal(p('2025-13-01', false), '');
  assert.equal(p('2024-02-30'), '');
  assert.equal(p('2024-02-29T12:00:00Z'), '2024-02-29T12:00:00Z');
  assert.equal(p('0050-06-01', false), '0050-06-01T00:00:00Z');
  // US Pacific by rule.
  assert.equal(p('2024-01-15T10:00:00'), '2024-01-15T18:00:00Z');
  assert.equal(p('2024-07-01T10:00:00'), '2024-07-01T17:00:00Z');
  assert.equal(p('2024-03-10T01:59:59'), '2024-03-10T09:59:59Z');
  assert.equal(p('2024-03-10T03:00:00'), '2024-03-10T10:00:00Z');
  assert.equal(p('2024-11-03T01:30:00'), '2024-11-03T08:30:00Z');
  assert.equal(p('2024-11-03T02:00:00'), '2024-11-03T10:00:00Z');
  assert.equal(p('2006-03-20T12:00:00'), '2006-03-20T20:00:00Z');
  assert.equal(p('2006-04-02T03:00:00'), '2006-04-02T10:00:00Z');
  assert.equal(p('2006-10-30T12:00:00'), '2006-10-30T20:00:00Z');
  assert.equal(tierOf('bo.constants.partnertiernames.partnertierone'), 'partnertierone');
  assert.equal(tierOf('PARTNER_TIER_ONE'), 'partnertierone');
  assert.equal(tierOf(' '), undefined);
  assert.equal(fnoStatus(' on_hold '), 'inactive');
  assert.equal(fnoStatus('OBSOLETED'), 'obsolete');
  assert.equal(betaStatus('Obsoleted'), 'obsolete');
  assert.equal(betaStatus('DEPLOYED'), 'active');
});
