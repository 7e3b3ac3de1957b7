// End-to-end: `make dev`'s Worker (no upstream configuration, the embedded simulator) and
// its local key `flexedge-dev`, which may write: a create reaches the embedded Beta
// simulator and reads back at once; a replay is answered from the Durable Object.
// Ids and Idempotency-Keys carry a per-run tag (wrangler keeps Durable Object state).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const headers = (idem) => ({
  authorization: 'Bearer flexedge-dev',
  'content-type': 'application/json',
  'idempotency-key': idem,
});

test('the dev key creates an entitlement on the embedded simulator and reads it back', async () => {
  const id = `dev-${RUN}`;
  const body = JSON.stringify({
    entitlementId: id,
    description: 'embedded',
    lineItems: [{ activationId: `${id}-a`, product: [{ productName: 'FlexPro', productVersion: '2.0' }], quantity: 2, startDate: '2026-01-01' }],
  });
  const res = await fetch(`${base}/v1/entitlements`, { method: 'POST', headers: headers(`${RUN}-c`), body });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  assert.equal(res.headers.get('location'), `/v1/orders/fno_entitlements:${id}`);
  const created = JSON.parse(text);
  assert.equal(created.id, `fno_entitlements:${id}`);
  const one = await fetch(`${base}/v1/orders/fno_entitlements:${id}`, { headers: { authorization: 'Bearer flexedge-dev' } });
  assert.equal(one.status, 200);
  assert.deepEqual(await one.json(), created);
  const again = await fetch(`${base}/v1/entitlements`, { method: 'POST', headers: headers(`${RUN}-c`), body });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(await again.text(), text);
});
