// End-to-end: the Worker under `wrangler dev` (started by scripts/e2e.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';

test('GET /health names every source and how it is served', async () => {
  const res = await fetch(`${base}/health`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f]{16}$/);
  const body = await res.json();
  assert.equal(body.name, 'flexedge');
  assert.equal(body.status, 'ok');
  assert.deepEqual(body.sources.map((s) => s.id),
    ['hpe_flex', 'fno_orders', 'fno_entitlements', 'telecomx_flexcare']);
  for (const s of body.sources) assert.ok(['simulated', 'remote'].includes(s.mode), s.mode);
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
  assert.equal(body.status, 404);
  assert.equal(body.requestId, res.headers.get('x-request-id'));
});
