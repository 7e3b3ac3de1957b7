// End-to-end: the circuit breaker. A second Worker under `wrangler dev` on the same mock
// (scripts/e2e.sh: FLEXEDGE_BREAKER_FAILURES=3, FLEXEDGE_BREAKER_COOLDOWN_MS=8000, a
// 2.5 s deadline). One source hangs; after three slow answers its circuit opens and the
// unified answer is back near the healthy sources' time; after the cool-down one probe
// goes, and once the source is healed the probe closes the circuit. Loopback only;
// bounded loops. The p50s are printed; the assertions have wide margins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fault } from './mock.mjs';

const base = process.env.FLEXEDGE_BREAKER_URL ?? 'http://127.0.0.1:8790';
const HUNG = 'fno_entitlements';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function get(path) {
  const t0 = performance.now();
  const res = await fetch(`${base}${path}`, {
    headers: { authorization: 'Bearer flexedge-dev', 'cache-control': 'no-cache' },
  });
  const body = await res.json();
  return { status: res.status, body, ms: performance.now() - t0 };
}

const circuit = async () => (await get('/v1/sources')).body.items.find((s) => s.id === HUNG).circuit;

test('a hung source opens its circuit and the unified p50 drops back near the healthy sources\'', async () => {
  const unified = '/v1/orders?limit=20';
  const healthyOnly = `/v1/orders?limit=20&filter=${encodeURIComponent(`source ne '${HUNG}'`)}`;
  await get(unified); // warm
  const healthy = [];
  for (let i = 0; i < 9; i++) healthy.push((await get(healthyOnly)).ms);
  try {
    await fault(HUNG, 'hang');
    const hung = [];
    for (let i = 0; i < 3; i++) {
      const r = await get(unified);
      assert.equal(r.status, 200);
      assert.equal(r.body.sources[HUNG].error.code, 'upstream.timeout', JSON.stringify(r.body.sources[HUNG]));
      hung.push(r.ms);
    }
    assert.equal(await circuit(), 'open');
    const open = [];
    for (let i = 0; i < 9; i++) {
      const r = await get(unified);
      const rep = r.body.sources[HUNG];
      assert.equal(rep.error.code, 'upstream.circuit_open', JSON.stringify(rep));
      assert.equal(rep.requests, 0);
      for (const s of ['hpe_flex', 'fno_orders', 'telecomx_flexcare']) assert.equal(r.body.sources[s].status, 'ok', s);
      open.push(r.ms);
    }
    console.log(`[breaker] unified p50: healthy sources alone ${p50(healthy).toFixed(0)} ms; with ${HUNG} hung ${p50(hung).toFixed(0)} ms (the 2.5 s deadline); circuit open ${p50(open).toFixed(0)} ms`);
    // Near the healthy sources' time: wide margins on a shared machine.
    assert.ok(p50(open) < p50(hung) / 2, `${p50(open)} vs ${p50(hung)}`);
    assert.ok(p50(open) < Math.max(3 * p50(healthy), p50(healthy) + 500), `${p50(open)} vs ${p50(healthy)}`);
    // After the cool-down, one probe: still hung, so open again at once.
    await sleep(8100);
    const probe = await get(unified);
    assert.equal(probe.body.sources[HUNG].error.code, 'upstream.timeout');
    assert.equal(await circuit(), 'open');
  } finally {
    await fault(HUNG, null);
  }
  // Healed: after the cool-down the probe closes the circuit.
  await sleep(8100);
  const healed = await get(unified);
  assert.equal(healed.body.sources[HUNG].status, 'ok', JSON.stringify(healed.body.sources[HUNG]));
  assert.equal(await circuit(), 'closed');
});
