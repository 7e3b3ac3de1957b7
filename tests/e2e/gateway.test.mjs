// End-to-end: the Worker under `wrangler dev`, every source pointed at the native mock
// upstream server (both started by scripts/e2e.sh). Loopback only; every loop is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fault } from './mock.mjs';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
const KEY = 'flexedge-dev';
const SOURCES = ['hpe_flex', 'fno_orders', 'fno_entitlements', 'telecomx_flexcare'];

async function get(path, { key = KEY, headers = {} } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  const res = await fetch(`${base}${path}`, { headers: h });
  const text = await res.text();
  return { res, status: res.status, body: text ? JSON.parse(text) : null, text };
}

// Fresh answers (no edge cache), for the fault tests.
const fresh = (path) => get(path, { headers: { 'cache-control': 'no-cache' } });
const ids = (r) => r.body.items.map((i) => i.id);
const q = (s) => encodeURIComponent(s);

test('health reports every source as remote (the mock)', async () => {
  const { status, body } = await get('/health', { key: null });
  assert.equal(status, 200);
  assert.deepEqual(body.sources.map((s) => [s.id, s.mode]), SOURCES.map((s) => [s, 'remote']));
});

test('openapi.json is served and names every route', async () => {
  const { status, body } = await get('/openapi.json', { key: null });
  assert.equal(status, 200);
  assert.equal(body.openapi, '3.1.0');
  for (const p of ['/v1/orders', '/v1/orders/transform', '/v1/orders/{id}', '/v1/sources',
    '/v1/sources/{source}/orders', '/v1/devices', '/health']) {
    assert.ok(body.paths[p], p);
  }
});

test('auth: missing key, wrong key, out of scope, raw not allowed', async () => {
  let r = await get('/v1/orders', { key: null });
  assert.equal(r.status, 401);
  assert.equal(r.res.headers.get('content-type'), 'application/problem+json');
  assert.equal(r.body.code, 'auth.unauthorized');
  r = await get('/v1/orders', { key: 'not-a-key-at-all' });
  assert.equal(r.status, 401);
  assert.ok(!r.text.includes('not-a-key-at-all'));
  r = await get('/v1/sources/fno_orders/orders', { key: 'e2e-scoped-key' });
  assert.equal(r.status, 403);
  assert.equal(r.body.code, 'auth.forbidden');
  r = await get('/v1/orders?include=raw', { key: 'e2e-scoped-key' });
  assert.equal(r.status, 403);
  r = await get('/v1/orders?limit=50', { key: 'e2e-scoped-key' });
  assert.equal(r.status, 200);
  assert.equal(r.body.sources.fno_orders.status, 'skipped');
  assert.ok(r.body.items.every((i) => ['hpe_flex', 'telecomx_flexcare'].includes(i.source)));
});

test('unified search merges all four sources with totals and a next token', async () => {
  const r = await fresh('/v1/orders?limit=1000');
  assert.equal(r.status, 200, r.text);
  // The default order: each source's own, interleaved; the envelope says so.
  assert.equal(r.body.order, 'native');
  assert.deepEqual(r.body.items.slice(0, 8).map((i) => i.source), [...SOURCES, ...SOURCES]);
  assert.equal(r.body.budget.limit, 45);
  assert.ok(r.body.budget.used >= 4 && r.body.budget.used <= 45, JSON.stringify(r.body.budget));
  for (const s of SOURCES) assert.ok(r.body.sources[s].subrequests >= 1, s);
  for (const s of SOURCES) {
    assert.equal(r.body.sources[s].status, 'ok', `${s}: ${JSON.stringify(r.body.sources[s])}`);
    assert.ok(r.body.items.some((i) => i.source === s), s);
  }
  assert.equal(r.body.total, r.body.items.length);
  assert.match(r.res.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
  // Paging with next tokens gives the same sequence.
  let seen = [];
  let path = '/v1/orders?limit=250';
  for (let i = 0; i < 20 && path; i++) {
    const p = await get(path);
    assert.equal(p.status, 200, p.text);
    seen = seen.concat(ids(p));
    path = p.body.next ? `/v1/orders?limit=250&next=${p.body.next}` : null;
  }
  assert.deepEqual(seen, ids(r));
});

test('filter, sort and select; pushdown=false gives the same items', async () => {
  for (const f of [
    "status eq 'active'",
    "contains(customer/name, 'GmbH') and endDate gt 2026-01-01",
    "source in ('hpe_flex', 'telecomx_flexcare') and name ne null",
    "partners/any(p: p/role eq 'reseller')",
  ]) {
    const path = `/v1/orders?limit=1000&sort=${q('customer/name desc')}&filter=${q(f)}`;
    const a = await fresh(path);
    const b = await fresh(`${path}&pushdown=false`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(ids(a), ids(b), f);
    assert.equal(a.body.total, b.body.total, f);
  }
  const s = await get(`/v1/orders?limit=5&select=${q('id,customer/name')}`);
  for (const item of s.body.items) {
    assert.ok(Object.keys(item).every((k) => ['id', 'customer'].includes(k)), JSON.stringify(item));
  }
});

test('bad queries are 400 problems with code and span', async () => {
  const r = await get(`/v1/orders?filter=${q("custmerName eq 'x'")}`);
  assert.equal(r.status, 400);
  assert.equal(r.body.parameter, 'filter');
  assert.deepEqual([r.body.span.start, r.body.span.end], [0, 11]);
  assert.match(r.body.code, /^filter\./);
  for (const bad of ['limit=5000', 'offset=-2', `sort=${q('nope asc')}`, 'select=nope', 'bogus=1']) {
    const b = await get(`/v1/orders?${bad}`);
    assert.equal(b.status, 400, bad);
    assert.equal(typeof b.body.code, 'string');
  }
});

test('explain shows the native requests and the residual per source', async () => {
  const f = "customer/name eq 'Müller GmbH' and contains(name, 'a')";
  const r = await fresh(`/v1/orders?explain=true&filter=${q(f)}`);
  assert.equal(r.status, 200, r.text);
  let asked = 0;
  for (const s of SOURCES) {
    const rep = r.body.sources[s];
    const e = rep.explain;
    assert.equal(typeof e.plan, 'string', s);
    assert.ok(!JSON.stringify(e).includes('sim-'), `credentials in explain for ${s}`);
    if (rep.status === 'skipped') {
      // Pruned (the filter needs a field this source never fills): a plan, no request.
      assert.equal(e.requests.length, 0, s);
    } else {
      assert.ok(e.requests.length >= 1, s);
      asked++;
    }
  }
  assert.ok(asked >= 2, JSON.stringify(r.body.sources));
});

test('a source predicate prunes the other sources (no request)', async () => {
  const r = await fresh(`/v1/orders?filter=${q("source eq 'fno_entitlements'")}`);
  for (const s of ['hpe_flex', 'fno_orders', 'telecomx_flexcare']) {
    assert.equal(r.body.sources[s].status, 'skipped');
    assert.equal(r.body.sources[s].requests, 0);
  }
});

test('transform, get by id, per-source search, sources', async () => {
  const t = await fresh('/v1/orders/transform?group-by=source');
  assert.equal(t.status, 200, t.text);
  const all = await fresh('/v1/orders?limit=1000');
  assert.equal(t.body.items.reduce((n, g) => n + g.count, 0), all.body.total);
  const one = await fresh('/v1/sources/telecomx_flexcare/orders?limit=3');
  assert.equal(one.status, 200);
  assert.ok(one.body.items.every((i) => i.source === 'telecomx_flexcare'));
  const rec = one.body.items[0];
  const byId = await fresh(`/v1/orders/${encodeURIComponent(rec.id)}`);
  assert.equal(byId.status, 200, byId.text);
  assert.deepEqual(byId.body, rec);
  const missing = await fresh('/v1/orders/hpe_flex:does-not-exist');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'record.not_found');
  const src = await get('/v1/sources');
  assert.deepEqual(src.body.items.map((s) => s.id), SOURCES);
  assert.ok(src.body.items.every((s) => s.lastStatus === 'ok'), JSON.stringify(src.body));
});

test('caching: upstream answers come from the edge cache; ETag and 304', async () => {
  const path = `/v1/orders?limit=7&filter=${q("status ne 'draft'")}`;
  await fresh(path);
  // The Worker writes the cache after it has answered (waitUntil), so the entries may
  // land a moment after the first answer: ask again, a bounded number of times.
  let second;
  let cached = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    second = await get(path);
    cached = SOURCES.map((s) => second.body.sources[s].cached ?? 0);
    if (cached.every((n) => n >= 1)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(cached.every((n) => n >= 1), `cache hits per source: ${cached}`);
  const etag = second.res.headers.get('etag');
  assert.match(second.res.headers.get('cache-control'), /max-age=\d+/);
  const third = await get(path, { headers: { 'if-none-match': etag } });
  assert.equal(third.status, 304);
});

test('CORS: allowed origin gets headers, others do not; preflight', async () => {
  const ok = await get('/v1/orders?limit=1', { headers: { origin: 'https://app.example' } });
  assert.equal(ok.res.headers.get('access-control-allow-origin'), 'https://app.example');
  const no = await get('/v1/orders?limit=1', { headers: { origin: 'https://evil.example' } });
  assert.equal(no.res.headers.get('access-control-allow-origin'), null);
  const pre = await fetch(`${base}/v1/orders`, {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
  });
  assert.equal(pre.status, 204);
  assert.match(pre.headers.get('access-control-allow-methods'), /GET/);
});

test('devices: GreenLake devices in the same envelope, pushed = not pushed, scope, faults', async () => {
  const r = await fresh('/v1/devices?limit=1000');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body.sources), ['hpe_flex']);
  assert.equal(r.body.sources.hpe_flex.status, 'ok');
  assert.ok(r.body.items.length > 100, `${r.body.items.length}`);
  assert.equal(r.body.total, r.body.items.length);
  assert.ok(r.body.items.every((i) => i.kind === 'device' && i.source === 'hpe_flex' && i.devices.length === 1));
  // A serial lookup goes upstream whole and gives what the edge alone gives.
  const dev = r.body.items[7];
  const filter = q(`devices/any(d: d/serial eq '${dev.devices[0].serial}') and attributes/make eq '${dev.attributes.make}'`);
  const pushed = await fresh(`/v1/devices?filter=${filter}&explain=true`);
  const edge = await fresh(`/v1/devices?filter=${filter}&pushdown=false`);
  assert.deepEqual(ids(pushed), [dev.id]);
  assert.deepEqual(ids(edge), [dev.id]);
  assert.equal(pushed.body.sources.hpe_flex.explain.residual, undefined, JSON.stringify(pushed.body.sources.hpe_flex));
  assert.match(pushed.body.sources.hpe_flex.explain.requests[0], /\/flex\/v1beta1\/devices/);
  // Paging with next tokens walks the same sequence.
  let seen = [];
  let path = '/v1/devices?limit=40';
  for (let i = 0; i < 20 && path; i++) {
    const p = await get(path);
    assert.equal(p.status, 200, p.text);
    seen = seen.concat(ids(p));
    path = p.body.next ? `/v1/devices?limit=40&next=${p.body.next}` : null;
  }
  assert.deepEqual(seen, ids(r));
  // Scope: a key without hpe_flex is refused; one with it is served.
  assert.equal((await get('/v1/devices', { key: 'e2e-fno-only-key' })).status, 403);
  assert.equal((await get('/v1/devices?limit=3', { key: 'e2e-scoped-key' })).status, 200);
  // A GreenLake fault: its only source failed, so no page can be given: a 503 naming the
  // source's error (send the same request again), or 502 when strict.
  try {
    await fault('hpe_flex', 'status500');
    const f = await fresh('/v1/devices');
    assert.equal(f.status, 503, f.text);
    assert.equal(f.body.code, 'upstream.unavailable');
    assert.equal(f.body.source, 'hpe_flex');
    assert.match(f.body.detail, /upstream\./);
    const strict = await fresh('/v1/devices?strict=true');
    assert.equal(strict.status, 502, strict.text);
    assert.equal(strict.body.source, 'hpe_flex');
    assert.ok(!strict.text.includes('sim-'), 'credential in response');
  } finally {
    await fault('hpe_flex', null);
  }
});

const FAULTS = ['status500', 'malformed_json', 'truncated_json', 'rate_limited(1)', 'expired_token', 'hang'];

for (const vendor of SOURCES) {
  test(`faults of ${vendor}: partial answer with every other source's data, nothing lost`, async () => {
    const others = `/v1/orders?limit=1000&filter=${q(`source ne '${vendor}'`)}`;
    const expected = ids(await fresh(others));
    try {
      for (const f of FAULTS) {
        await fault(vendor, f);
        const r = await fresh('/v1/orders?limit=1000');
        assert.equal(r.status, 200, `${vendor} ${f}: ${r.text}`);
        const rep = r.body.sources[vendor];
        assert.equal(rep.status, 'error', `${vendor} ${f}: ${JSON.stringify(rep)}`);
        assert.match(rep.error.code, /^upstream\./);
        assert.deepEqual(ids(r), expected, `${vendor} ${f}: other sources' items differ`);
        assert.ok(!r.text.includes('sim-') && !r.text.includes('rna_'), 'credential in response');
        const strict = await fresh('/v1/orders?limit=5&strict=true');
        assert.equal(strict.status, 502, `${vendor} ${f} strict`);
        assert.equal(strict.body.source, vendor);
      }
    } finally {
      await fault(vendor, null);
    }
  });
}

test('nothing in time is a 504; recovery after the faults clear', async () => {
  try {
    for (const s of SOURCES) await fault(s, 'hang');
    const r = await fresh('/v1/orders');
    assert.equal(r.status, 504, r.text);
    assert.equal(r.body.code, 'upstream.all_timed_out');
  } finally {
    for (const s of SOURCES) await fault(s, null);
  }
  const ok = await fresh('/v1/orders?limit=1');
  assert.equal(ok.status, 200);
});

test('next tokens: tampered, foreign and reused tokens are 400 problems', async () => {
  const a = await get('/v1/orders?limit=5');
  const t = a.body.next;
  assert.ok(t, a.text);
  const ok = await get(`/v1/orders?limit=5&next=${t}`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.offset, 5);
  const flip = t.slice(0, 10) + (t[10] === 'A' ? 'B' : 'A') + t.slice(11);
  let r = await get(`/v1/orders?limit=5&next=${flip}`);
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'query.next.invalid');
  r = await get(`/v1/orders?limit=6&next=${t}`);
  assert.equal(r.body.code, 'query.next.foreign');
  r = await get(`/v1/orders?limit=5&next=${t}`, { key: 'e2e-scoped-key' });
  assert.equal(r.body.code, 'query.next.foreign');
  assert.ok(!r.text.includes('e2e-token-secret'), 'the secret in a response');
});

test('direct look-ups: the last record of every source, a device, and honest 404s', async () => {
  for (const s of SOURCES) {
    const last = await fresh(`/v1/sources/${s}/orders?limit=1&offset=149`);
    assert.equal(last.status, 200, last.text);
    const rec = last.body.items[0];
    const r = await fresh(`/v1/orders/${encodeURIComponent(rec.id)}`);
    assert.equal(r.status, 200, `${s}: ${r.text}`);
    assert.deepEqual(r.body, rec, s);
    const missing = await fresh(`/v1/orders/${s}:no-such-record`);
    assert.equal(missing.status, 404, `${s}: ${missing.text}`);
  }
  const d = (await fresh('/v1/devices?limit=2')).body.items[1];
  const r = await fresh(`/v1/devices/${encodeURIComponent(d.id)}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, d);
  assert.equal((await fresh('/v1/devices/hpe_flex:no-such-device')).status, 404);
});
