// The package's edge API client (www/pkg, built by `make pkg`) against the Worker under
// `wrangler dev` with every source on the mock (scripts/e2e.sh starts both): one page,
// walking every page with all(), one record, transform, sources, problems turned into
// FlexedgeProblem (a bad filter, a 404, a strict-mode source failure), local validation,
// abort and the page bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, createClient, FlexedgeProblem } from '../../www/pkg/node.js';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
const mock = process.env.FLEXEDGE_MOCK_URL ?? 'http://127.0.0.1:8791';
const SOURCES = ['hpe_flex', 'fno_orders', 'fno_entitlements', 'telecomx_flexcare'];
// Fresh answers (no edge cache) so that faults are seen at once.
const api = createClient({ baseUrl: base, key: 'flexedge-dev', headers: { 'cache-control': 'no-cache' } });

async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected a rejection');
}

async function fault(vendor, f) {
  const res = await fetch(`${mock}/__sim/faults`, {
    method: f ? 'POST' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(f ? { vendor, fault: f } : { vendor }),
  });
  assert.equal(res.status, 200, await res.text());
}

test('list: one page with the envelope', async () => {
  const page = await api.orders.list({ filter: "status eq 'active'", sort: 'endDate desc, id', select: 'id,status,endDate', limit: 7 });
  assert.equal(page.count, 7);
  assert.equal(page.items.length, 7);
  assert.ok(page.items.every((r) => r.status === 'active' && Object.keys(r).every((k) => ['id', 'status', 'endDate'].includes(k))));
  assert.deepEqual(Object.keys(page.sources).sort(), [...SOURCES].sort());
  assert.equal(typeof page.next, 'string');
  // A sorted page that merges as the sources arrive knows no total by itself: limit=0 asks.
  const counted = await api.orders.list({ filter: "status eq 'active'", limit: 0 });
  assert.equal(counted.items.length, 0);
  assert.ok(counted.total > 7, JSON.stringify(counted));
});

test('all(): follows next to the end, the same records as one big page', async () => {
  const query = { sort: 'endDate asc, id asc', select: 'id' };
  const whole = await api.orders.list({ ...query, limit: 1000 });
  assert.equal(whole.next, undefined);
  const ids = [];
  for await (const r of api.orders.all({ ...query, limit: 100 })) ids.push(r.id);
  assert.equal(ids.length, whole.total);
  assert.deepEqual(ids, whole.items.map((r) => r.id));
  let pages = 0;
  for await (const p of api.orders.pages({ ...query, limit: 250 })) pages++;
  assert.equal(pages, Math.ceil(whole.total / 250));
  // The bound: more pages than allowed is an error, not a silent stop.
  const e = await rejects((async () => { for await (const _ of api.orders.all({ limit: 50 }, { maxPages: 2 })); })());
  assert.ok(e instanceof FlexedgeProblem);
  assert.equal(e.code, 'client.page_limit');
});

test('get, transform, devices, one source, sources, health', async () => {
  const [first] = (await api.source('telecomx_flexcare').list({ limit: 3 })).items;
  assert.equal(first.source, 'telecomx_flexcare');
  assert.deepEqual(await api.orders.get(first.id), first);
  const t = await api.orders.transform(['source'], { sort: 'count desc' });
  const total = (await api.orders.list({ limit: 0 })).total;
  assert.equal(t.items.reduce((n, g) => n + g.count, 0), total);
  assert.ok(t.items.every((g) => SOURCES.includes(g.source)));
  const d = await api.devices.list({ limit: 2 });
  assert.ok(d.items.every((r) => r.kind === 'device'));
  assert.deepEqual((await api.sources()).map((s) => s.id), SOURCES);
  assert.equal((await api.health()).status, 'ok');
});

test('problems: a bad filter, a missing record, a failing source in strict mode', async () => {
  const text = "custmer/name eq 'Søren'";
  const e = await rejects(api.orders.list({ filter: text }));
  assert.ok(e instanceof FlexedgeProblem && e instanceof Error);
  assert.equal(e.status, 400);
  assert.match(e.code, /field\.unknown$/);
  assert.equal(e.parameter, 'filter');
  assert.equal(e.suggestion, 'customer/name');
  assert.equal(e.text.slice(e.start, e.end), 'custmer/name');
  assert.deepEqual([e.span.start, e.span.end], [0, 12]);
  assert.match(e.requestId, /^[0-9a-f]{16}$/);
  const missing = await rejects(api.orders.get('hpe_flex:does-not-exist'));
  assert.equal(missing.status, 404);
  assert.equal(missing.code, 'record.not_found');
  try {
    await fault('fno_orders', 'status500');
    const page = await api.orders.list({ limit: 5 });
    assert.equal(page.sources.fno_orders.status, 'error');
    const strict = await rejects(api.orders.list({ limit: 5, strict: true }));
    assert.equal(strict.status, 502);
    assert.equal(strict.code, 'upstream.failed');
    assert.equal(strict.source, 'fno_orders');
    assert.match(strict.errors.fno_orders.code, /^upstream\./);
  } finally {
    await fault('fno_orders', null);
  }
  const bad = createClient({ baseUrl: 'http://127.0.0.1:9' });
  assert.equal((await rejects(bad.health())).code, 'client.network');
});

test('validate: a bad filter is refused locally by the wasm engine, without a request', async () => {
  await init();
  let calls = 0;
  const counted = createClient({ baseUrl: base, key: 'flexedge-dev', validate: true, fetch: (u, o) => { calls++; return fetch(u, o); } });
  const e = await rejects(counted.orders.list({ filter: "status eq 'active' xor 1" }));
  assert.ok(e instanceof FlexedgeProblem);
  assert.equal(e.code, 'filter.syntax.unexpected_token');
  assert.equal(e.text.slice(e.start, e.end), 'xor');
  assert.equal(calls, 0);
  assert.equal((await counted.orders.list({ filter: "status eq 'active'", limit: 1 })).count, 1);
  assert.equal(calls, 1);
});

test('abort: a walk stops with the signal, and an aborted signal sends nothing', async () => {
  const ctl = new AbortController();
  let n = 0;
  const e = await rejects((async () => {
    for await (const _ of api.orders.all({ limit: 20 }, { signal: ctl.signal })) {
      if (++n === 20) ctl.abort();
    }
  })());
  assert.equal(e.name, 'AbortError');
  assert.equal(n, 20);
  const again = await rejects(api.orders.list({ limit: 1 }, { signal: AbortSignal.abort() }));
  assert.equal(again.name, 'AbortError');
});
