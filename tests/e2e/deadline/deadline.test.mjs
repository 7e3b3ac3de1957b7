// End-to-end: the one total deadline of a request (#14), with the Worker under `wrangler
// dev` on the mock and the default FLEXEDGE_DEADLINE_MS of 8000 (started by scripts/e2e.sh).
// Loopback only; every wait is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
const mock = process.env.FLEXEDGE_MOCK_URL ?? 'http://127.0.0.1:8791';
const headers = { authorization: 'Bearer flexedge-dev', 'cache-control': 'no-cache' };

async function faults(body) {
  const res = await fetch(`${mock}/__sim/faults`, {
    method: body ? 'POST' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  assert.equal(res.status, 200, await res.text());
}

test('page 1 at 7.5 s and a hanging page 2 answer within 8.3 s with page 1 kept', async () => {
  // Warm the GreenLake token first (token calls are never faulted, but keep the timing
  // about the pages).
  const warm = await fetch(`${base}/v1/sources/hpe_flex/orders?limit=1`, { headers });
  assert.equal(warm.status, 200, await warm.text());
  try {
    await faults({ vendor: 'hpe_flex', sequence: ['latency(7500)', 'hang'] });
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/sources/hpe_flex/orders?limit=150`, {
      headers,
      signal: AbortSignal.timeout(20_000),
    });
    const body = await res.json();
    const ms = performance.now() - t0;
    console.log(`[deadline] answered in ${ms.toFixed(0)} ms (deadline 8000 ms, bound 8300 ms)`);
    assert.equal(res.status, 200, JSON.stringify(body));
    // One deadline for the whole request: page 2 gets what is left of it, not 8 s more.
    assert.ok(ms >= 7_500, `${ms} ms`);
    assert.ok(ms < 8_300, `${ms} ms`);
    // The page fetched before the deadline is kept; the source says it is partial.
    assert.equal(body.items.length, 100);
    assert.equal(body.partial, true);
    assert.equal(body.sources.hpe_flex.partial, true);
    assert.equal(body.sources.hpe_flex.status, 'ok');
    assert.match(body.sources.hpe_flex.reason, /deadline/);
    assert.ok(body.next, 'a short page continues');
    await faults(null);
    const rest = await fetch(`${base}/v1/sources/hpe_flex/orders?limit=150&next=${body.next}`, { headers });
    const next = await rest.json();
    assert.equal(rest.status, 200, JSON.stringify(next));
    assert.equal(next.offset, 100);
    assert.equal(next.items.length, 50);
  } finally {
    await faults(null);
  }
});
