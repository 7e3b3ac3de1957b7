// End-to-end writes: the Worker under `wrangler dev` (its Durable Object keeping the
// idempotency records, the Cache API in front of the upstreams), every source pointed at
// the native mock server (started by scripts/e2e.sh), whose /__sim/stats counts the
// requests each vendor endpoint received. Loopback only; every loop is bounded.
//
// Runs after the read-only files (node --test takes files in name order, one at a time):
// it adds entitlements to the mock. Ids and Idempotency-Keys carry a per-run tag, because
// wrangler keeps Durable Object state between runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
const mock = process.env.FLEXEDGE_MOCK_URL ?? 'http://127.0.0.1:8791';
const direct = process.env.FLEXEDGE_DIRECT_URL;
const KEY = 'flexedge-dev';
const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const VENDOR = '/entitlements-api/v1/entitlement';
const q = (s) => encodeURIComponent(s);

async function call(method, path, { key = KEY, idem, body, headers = {} } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  if (idem) h['idempotency-key'] = idem;
  if (body !== undefined) h['content-type'] ??= 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { res, status: res.status, body: json, text };
}

const post = (path, idem, body, opts = {}) => call('POST', path, { idem, body, ...opts });
const get = (path, opts = {}) => call('GET', path, opts);

/** Requests the mock received, per `METHOD path`. */
async function stats() {
  const res = await fetch(`${mock}/__sim/stats`);
  assert.equal(res.status, 200);
  return (await res.json()).calls;
}

/** How many requests reached any write endpoint of the Beta API. */
async function vendorWrites() {
  const calls = await stats();
  return Object.entries(calls)
    .filter(([k]) => k.startsWith('POST /entitlements-api/'))
    .reduce((n, [, v]) => n + v, 0);
}

async function fault(f) {
  const res = await fetch(`${mock}/__sim/faults`, {
    method: f ? 'POST' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(f ? { vendor: 'fno_entitlements', fault: f } : { vendor: 'fno_entitlements' }),
  });
  assert.equal(res.status, 200, await res.text());
}

function entitlement(id, act, extra = {}) {
  return {
    entitlementId: id,
    description: `e2e ${RUN}`,
    shipToEmail: 'ops@example.com',
    accounts: [{ accountId: `ACME-${RUN}`, accountName: 'Acme GmbH', accountType: 'CUSTOMER', partnerTierName: 'END_CUSTOMER' }],
    lineItems: [{
      activationId: act,
      product: [{ productName: 'FlexPro', productVersion: '2.0', licenseModel: { licenseModelName: 'Floating' } }],
      quantity: 10, startDate: '2026-01-01', expiryDate: '2027-12-31', orderType: 'NEW_ORDER',
    }],
    status: 'deployed',
    ...extra,
  };
}

const lines = (act, product) => ({
  lineItems: [{ activationId: act, product: [{ productName: product, productVersion: '1.1' }], quantity: 3, startDate: '2026-02-01', expiryDate: '2028-01-31' }],
});

const maintenance = (act) => ({
  maintenanceLineItems: [{
    activationId: act,
    maintenanceProduct: { maintenanceProductName: 'Gold Support', maintenanceProductVersion: '1.0' },
    startDate: '2026-01-01', expiryDate: '2026-12-31', autoDeploy: true,
  }],
});

/** Asks until the Beta source's answer came from the edge cache (written under waitUntil). */
async function warmCache(path) {
  for (let attempt = 0; attempt < 30; attempt++) {
    const r = await get(path);
    assert.equal(r.status, 200, r.text);
    if ((r.body.sources.fno_entitlements.cached ?? 0) >= 1) return r;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.fail(`${path}: never served from the cache`);
}

test('create, add line items, add maintenance line items; read back by id and by filter at once', async () => {
  const id = `e2e-${RUN}-1`;
  const byId = `/v1/orders/fno_entitlements:${id}`;
  const byFilter = `/v1/orders?filter=${q(`id eq 'fno_entitlements:${id}'`)}`;
  const bySource = `/v1/sources/fno_entitlements/orders?limit=1000&filter=${q(`customer/id eq 'ACME-${RUN}'`)}`;
  // Before: the filters find nothing, and their upstream answers sit in the edge cache.
  for (const path of [byFilter, bySource]) {
    const warm = await warmCache(path);
    assert.equal(warm.body.items.length, 0, warm.text);
  }
  const created = await post('/v1/entitlements', `${RUN}-create-1`, entitlement(id, `${id}-a`));
  assert.equal(created.status, 201, created.text);
  assert.equal(created.res.headers.get('location'), byId);
  assert.equal(created.body.id, `fno_entitlements:${id}`);
  assert.equal(created.body.kind, 'entitlement');
  assert.equal(created.body.status, 'active');
  assert.deepEqual(created.body.customer, { id: `ACME-${RUN}`, name: 'Acme GmbH' });
  assert.equal(created.body.items[0].productName, 'FlexPro');
  // After: the same key finds it at once, by both filters (their first answers after the
  // write are cache misses: nothing cached before it is served) and by id.
  for (const path of [byFilter, bySource]) {
    const r = await get(path);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items.map((i) => i.id), [`fno_entitlements:${id}`], path);
    assert.equal(r.body.sources.fno_entitlements.cached ?? 0, 0, `${path}: an answer cached before the write was served`);
  }
  const one = await get(byId);
  assert.equal(one.status, 200, one.text);
  assert.deepEqual(one.body, created.body);
  // Line items, then maintenance line items, each read back.
  const added = await post(`/v1/entitlements/${id}/line-items`, `${RUN}-lines-1`, lines(`${id}-b`, 'FlexLite'));
  assert.equal(added.status, 201, added.text);
  assert.deepEqual(added.body.items.map((i) => i.productName), ['FlexPro', 'FlexLite']);
  const after = await warmCache(byFilter);
  assert.deepEqual(after.body.items[0].items.map((i) => i.productName), ['FlexPro', 'FlexLite']);
  const m = await post(`/v1/entitlements/${id}/maintenance-line-items`, `${RUN}-mnt-1`, maintenance(`${id}-m`));
  assert.equal(m.status, 201, m.text);
  assert.equal(m.res.headers.get('location'), byId);
  const raw = await get(`${byId}?include=raw`);
  assert.equal(raw.status, 200, raw.text);
  assert.equal(raw.body.raw.maintenanceLineItems[0].activationId, `${id}-m`);
  assert.equal(raw.body.raw.lineItems.length, 2);
});

test('an idempotent replay answers the first answer with no second upstream call', async () => {
  const id = `e2e-${RUN}-2`;
  const body = entitlement(id, `${id}-a`);
  const first = await post('/v1/entitlements', `${RUN}-replay`, body);
  assert.equal(first.status, 201, first.text);
  const before = await stats();
  const again = await post('/v1/entitlements', `${RUN}-replay`, body);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.text, first.text);
  assert.equal(again.res.headers.get('location'), first.res.headers.get('location'));
  assert.equal(again.res.headers.get('idempotent-replayed'), 'true');
  const after = await stats();
  assert.equal(after[`POST ${VENDOR}`], before[`POST ${VENDOR}`], 'a second create reached the vendor');
  assert.equal(after['GET /entitlements-api/v1/entitlements'], before['GET /entitlements-api/v1/entitlements']);
  const other = await post('/v1/entitlements', `${RUN}-replay`, entitlement(`${id}-other`, `${id}-b`));
  assert.equal(other.status, 422, other.text);
  assert.equal(other.body.code, 'idempotency.key_reused');
  assert.equal((await stats())[`POST ${VENDOR}`], before[`POST ${VENDOR}`]);
});

/** A body sent without a length (`Transfer-Encoding: chunked`): `bytes` in `size`-byte chunks. */
function chunked(bytes, size = 64 * 1024) {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
}

test('a write sent chunked (no Content-Length) is read whole; one past 1 MiB is 413 and reaches no vendor', async () => {
  const id = `e2e-${RUN}-chunked`;
  const json = new TextEncoder().encode(JSON.stringify(entitlement(id, `${id}-a`)));
  const send = (body, idem, url = base) => fetch(`${url}/v1/entitlements`, {
    method: 'POST',
    duplex: 'half',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': idem },
    body,
  });
  const before = await vendorWrites();
  const res = await send(chunked(json, 97), `${RUN}-chunked-1`);
  const text = await res.text();
  assert.equal(res.status, 201, text);
  assert.equal(JSON.parse(text).id, `fno_entitlements:${id}`);
  assert.equal(await vendorWrites(), before + 1);
  // 2 MiB of JSON-looking bytes, chunked: refused by its size, not as a parse error. Sent
  // to the Worker in workerd without wrangler's development proxy: that proxy, answered
  // before the body it is still forwarding ends, resets the Worker under the next request
  // ("Your worker restarted mid-request"; seen in this test). The runtime keeps serving.
  const big = new Uint8Array(2 * 1024 * 1024).fill(0x20);
  big[0] = 0x7b;
  // The runtime answers 413 as soon as the cap is passed and may close the connection
  // while the client is still sending: the client then sees a reset (ECONNRESET) instead
  // of the answer, as HTTP allows. Either way nothing reaches the vendor, and the answer,
  // when it arrives, is the 413.
  let tooBig;
  try {
    tooBig = await send(chunked(big), `${RUN}-chunked-2`, direct ?? base);
  } catch (e) {
    const code = e?.cause?.code;
    assert.ok(code === 'ECONNRESET' || code === 'EPIPE', `the 2 MiB write failed otherwise: ${e} (${code})`);
    console.log(`[writes] the 2 MiB chunked write: the runtime closed the connection mid-body (${code}) after refusing it`);
  }
  if (tooBig) {
    const problem = await tooBig.json();
    assert.equal(tooBig.status, 413, JSON.stringify(problem));
    assert.equal(problem.code, 'write.too_large');
  }
  assert.equal(await vendorWrites(), before + 1);
  // …and the Worker that refused it serves the next write.
  const next = new TextEncoder().encode(JSON.stringify(entitlement(`${id}-2`, `${id}-2a`)));
  const after = await send(chunked(next, 97), `${RUN}-chunked-3`, direct ?? base);
  assert.equal(after.status, 201, await after.text());
});

test('a key without write is 403, and nothing reaches the vendor', async () => {
  const before = await vendorWrites();
  for (const key of ['e2e-scoped-key', 'e2e-fno-only-key']) {
    const r = await post('/v1/entitlements', `${RUN}-nowrite`, entitlement(`e2e-${RUN}-3`, `e2e-${RUN}-3a`), { key });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.body.code, 'auth.write_forbidden');
    assert.equal(r.res.headers.get('content-type'), 'application/problem+json');
  }
  const r = await post('/v1/entitlements', `${RUN}-nokey`, entitlement(`e2e-${RUN}-3`, `e2e-${RUN}-3a`), { key: null });
  assert.equal(r.status, 401);
  assert.equal(await vendorWrites(), before);
});

test('nothing is created when validation fails (the mock shows no call)', async () => {
  const before = await stats();
  const bad = entitlement('bad/id', `e2e-${RUN}-4a`, { shipToAddress: 'Main St. 1, Copenhagen', status: 'obsoleted' });
  bad.lineItems[0].quantity = -1;
  delete bad.lineItems[0].startDate;
  const r = await post('/v1/entitlements', `${RUN}-invalid`, bad);
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.code, 'write.invalid');
  const got = r.body.violations.map((v) => `${v.pointer} ${v.code}`).sort();
  assert.deepEqual(got, [
    '/entitlementId pattern',
    '/lineItems/0/quantity minimum',
    '/lineItems/0/startDate required',
    '/shipToAddress pattern',
    '/status enum',
  ]);
  const malformed = await post('/v1/entitlements', `${RUN}-malformed`, '{"lineItems": [}');
  assert.equal(malformed.status, 400, malformed.text);
  assert.equal(malformed.body.code, 'write.malformed');
  assert.equal(malformed.body.position, 15);
  const unknown = await post(`/v1/entitlements/e2e-${RUN}-1/line-items`, `${RUN}-unknown`, { lineItems: [], linesItems: [] });
  assert.equal(unknown.status, 400);
  assert.ok(unknown.body.violations.some((v) => v.pointer === '/linesItems' && v.code === 'unknown_member'));
  const noKey = await post('/v1/entitlements', undefined, entitlement(`e2e-${RUN}-4`, `e2e-${RUN}-4b`));
  assert.equal(noKey.status, 400);
  assert.equal(noKey.body.code, 'idempotency.key_missing');
  const after = await stats();
  const writes = (c) => Object.entries(c).filter(([k]) => k.startsWith('POST ')).map(([k, v]) => `${k}=${v}`).sort();
  assert.deepEqual(writes(after), writes(before), 'a refused write reached the mock');
  const found = await get(`/v1/orders?filter=${q(`id eq 'fno_entitlements:e2e-${RUN}-4'`)}`);
  assert.equal(found.body.items.length, 0);
});

test('each vendor failure maps to its problem, from exactly one upstream call', async () => {
  const cases = [
    ['status500', 502, 'write.upstream_failed'],
    ['hang', 504, 'write.outcome_unknown'],
    ['malformed_json', 504, 'write.outcome_unknown'],
    ['rate_limited(3)', 503, 'write.rate_limited'],
    ['expired_token', 502, 'write.upstream_auth'],
  ];
  try {
    for (const [i, [f, status, code]] of cases.entries()) {
      const id = `e2e-${RUN}-f${i}`;
      await fault(f);
      const before = (await stats())[`POST ${VENDOR}`] ?? 0;
      const r = await post('/v1/entitlements', `${RUN}-fail-${i}`, entitlement(id, `${id}-a`));
      await fault(null);
      assert.equal(r.status, status, `${f}: ${r.text}`);
      assert.equal(r.body.code, code, f);
      assert.equal(r.body.source, 'fno_entitlements');
      assert.ok(!r.text.includes('rna_'), 'a credential leaked');
      assert.equal((await stats())[`POST ${VENDOR}`], before + 1, `${f}: not exactly one call`);
      if (f === 'hang') {
        // The mock acted before it stopped answering: the entitlement exists, and the
        // client's retry with the same key gets the same answer, not a second write.
        const again = await post('/v1/entitlements', `${RUN}-fail-${i}`, entitlement(id, `${id}-a`));
        assert.equal(again.status, 504);
        assert.equal((await stats())[`POST ${VENDOR}`], before + 1);
        assert.equal((await get(`/v1/orders/fno_entitlements:${id}`)).status, 200);
      }
      if (f === 'rate_limited(3)') {
        // The vendor did not act: the same key may try again, and now it works.
        const again = await post('/v1/entitlements', `${RUN}-fail-${i}`, entitlement(id, `${id}-a`));
        assert.equal(again.status, 201, again.text);
      }
    }
  } finally {
    await fault(null);
  }
  const dup = await post('/v1/entitlements', `${RUN}-dup`, entitlement(`e2e-${RUN}-1`, `e2e-${RUN}-dup-a`));
  assert.equal(dup.status, 409, dup.text);
  assert.equal(dup.body.code, 'write.conflict');
  const missing = await post(`/v1/entitlements/no-such-${RUN}/line-items`, `${RUN}-404`, lines(`e2e-${RUN}-404a`, 'P'));
  assert.equal(missing.status, 404, missing.text);
  assert.equal(missing.body.code, 'write.entitlement_not_found');
});

test('CORS preflight allows writes from an allowed origin', async () => {
  const pre = await fetch(`${base}/v1/entitlements`, {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'idempotency-key' },
  });
  assert.equal(pre.status, 204);
  assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
  assert.match(pre.headers.get('access-control-allow-headers'), /idempotency-key/);
});
