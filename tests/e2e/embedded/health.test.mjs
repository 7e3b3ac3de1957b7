// End-to-end: the Worker under `wrangler dev` with no upstream configuration, exactly as
// `make dev` runs it: every source is the embedded simulator (started by scripts/e2e.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
const SOURCES = ['hpe_flex', 'fno_orders', 'fno_entitlements', 'telecomx_flexcare'];

test('GET /health: every source is simulated', async () => {
  const res = await fetch(`${base}/health`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f]{16}$/);
  const body = await res.json();
  assert.equal(body.name, 'flexedge');
  assert.equal(body.status, 'ok');
  assert.deepEqual(body.sources.map((s) => [s.id, s.mode]), SOURCES.map((s) => [s, 'simulated']));
});

test('the local development key queries all four simulated sources', async () => {
  const res = await fetch(`${base}/v1/orders?limit=50&filter=${encodeURIComponent("status ne 'draft'")}`, {
    headers: { authorization: 'Bearer flexedge-dev' },
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  for (const s of SOURCES) assert.equal(body.sources[s].status, 'ok', s);
  assert.equal(body.count, 50);
  assert.equal(body.order, 'native');
  // `make dev` has a local token secret (.dev.vars): the page continues.
  assert.ok(body.next, JSON.stringify(body));
  assert.ok(body.items.every((i) => i.status !== 'draft'));
});

test('GET / serves the playground page as a static asset', async () => {
  const res = await fetch(`${base}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/html/);
  assert.match(await res.text(), /flexedge/);
});

test('an unknown route is a problem+json 404 with a stable code', async () => {
  const res = await fetch(`${base}/no/such/route`);
  assert.equal(res.status, 404);
  assert.match(res.headers.get('content-type'), /application\/problem\+json/);
  const body = await res.json();
  assert.equal(body.code, 'route.not_found');
  assert.equal(body.requestId, res.headers.get('x-request-id'));
});
