// Gateway benchmark (run by scripts/bench-gateway.sh): on loopback, bounded, the direct call
// to each vendor's 100-record page on the native mock beside the four-source unified query
// through the Worker (workerd, started by tests/bench/start-worker.mjs), and when their URLs
// are set, the runtime floor (a plain JS Worker making the same upstream calls and nothing
// else) and the same Worker behind wrangler dev's local proxy. Prints p50/p99 latency and
// requests/s per row and the ratio to the goal (unified p50 ≤ 1.2 × slowest upstream p50 +
// 5 ms).
//
// Env: FLEXEDGE_URL (Worker), FLEXEDGE_MOCK_URL (mock), FLEXEDGE_FLOOR_URL (floor Worker,
// optional), FLEXEDGE_DEV_PROXY_URL (the Worker behind the dev proxy, optional),
// BENCH_WARMUP, BENCH_RUNS, BENCH_CONCURRENCY, BENCH_LATENCIES ("10,15,20,25": ms per
// vendor, in SOURCES order; "0" for none), BENCH_LABEL. Every loop is bounded by
// BENCH_WARMUP + BENCH_RUNS. The row's figures are also recorded (tests/bench/results.mjs)
// under names ending in /latency_c1, /no_latency_c4, …
import { performance } from 'node:perf_hooks';

import { record } from './results.mjs';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8793';
const mock = process.env.FLEXEDGE_MOCK_URL ?? 'http://127.0.0.1:8794';
const floor = process.env.FLEXEDGE_FLOOR_URL;
const devProxy = process.env.FLEXEDGE_DEV_PROXY_URL;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const CONC = Number(process.env.BENCH_CONCURRENCY ?? 4);
const LAT = (process.env.BENCH_LATENCIES ?? '0').split(',').map(Number);
const LABEL = process.env.BENCH_LABEL ?? '';
// The row's suffix in the recorded figures' names.
const ROW = `${LAT.some((ms) => ms > 0) ? 'latency' : 'no_latency'}_c${CONC}`;
const SOURCES = ['hpe_flex', 'fno_orders', 'fno_entitlements', 'telecomx_flexcare'];
// The simulator's fake credentials (src/sim/creds.rs); they unlock only the local mock.
const FNO_TOKEN = 'rna_51d0c0ffee5eed0000000000000000000000000000000000';
// Every row asks for the body as is. The mock never compresses, while the local runtime
// gzips a Worker's answer for a client that accepts gzip, on the isolate's own thread; so
// like is compared with like, and the gzip cost gets a row of its own. (At the edge,
// Cloudflare compresses outside the Worker.)
const IDENTITY = { 'accept-encoding': 'identity' };

async function must(res) {
  const body = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${res.url}: ${body.slice(0, 200)}`);
  return body;
}

async function fault(vendor, ms) {
  const res = await fetch(`${mock}/__sim/faults`, {
    method: ms > 0 ? 'POST' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ms > 0 ? { vendor, fault: `latency(${ms})` } : { vendor }),
  });
  await must(res);
}

// The request the Worker makes for each vendor's first 100-record page (same path, query
// and body; see `cargo bench --bench gateway`, which lists them), ready to send.
async function directRequests() {
  const tok = JSON.parse(await must(await fetch(`${mock}/as/token.oauth2`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=sim-greenlake-client&client_secret=sim-greenlake-secret',
  }))).access_token;
  const tx = JSON.parse(await must(await fetch(`${mock}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin@sim.telecomx.test', password: 'sim-telecomx-admin' }),
  }))).token;
  const basic = Buffer.from('sim-fno-user:sim-fno-password').toString('base64');
  return {
    hpe_flex: [`${mock}/flex/v1beta1/orders?sort=orderEndDate%20asc%2Cid%20asc&offset=0&limit=100`,
      { headers: { authorization: `Bearer ${tok}`, ...IDENTITY } }],
    fno_orders: [`${mock}/flexnet/operations/entitlementOrders`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json', ...IDENTITY },
      body: '{"activatableItemSearchCriteria":{},"batchSize":100,"pageNumber":1}',
    }],
    fno_entitlements: [`${mock}/entitlements-api/v1/entitlements?page=0&limit=100`,
      { headers: { authorization: `Bearer ${FNO_TOKEN}`, ...IDENTITY } }],
    telecomx_flexcare: [`${mock}/iptv/flexcareorder?offset=0&limit=100`,
      { headers: { authorization: `Bearer ${tx}`, ...IDENTITY } }],
  };
}

// WARMUP then RUNS requests, CONC at a time; latencies in ms, wall time of the measured part.
async function measure(send) {
  for (let i = 0; i < WARMUP; i++) await send();
  const lat = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < RUNS) {
      next++;
      const t = performance.now();
      await send();
      lat.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONC }, worker));
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.round((lat.length - 1) * p))];
  return { p50: pct(0.5), p99: pct(0.99), rps: lat.length / secs, n: lat.length };
}

const row = (name, m, extra = '') =>
  console.log(`  ${name.padEnd(44)} ${m.p50.toFixed(1).padStart(7)} ${m.p99.toFixed(1).padStart(7)} ${m.rps.toFixed(0).padStart(7)}  ${extra}`);

async function main() {
  for (let i = 0; i < SOURCES.length; i++) await fault(SOURCES[i], LAT[i] ?? LAT[0] ?? 0);
  const direct = await directRequests();
  console.log(`\n--- ${LABEL} (mock latency per vendor: ${SOURCES.map((s, i) => `${s}=${LAT[i] ?? LAT[0] ?? 0}ms`).join(' ')})`);
  console.log(`  ${WARMUP} warm-up + ${RUNS} measured requests per row, ${CONC} concurrent, 127.0.0.1`);
  console.log(`  ${'request'.padEnd(44)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'req/s'.padStart(7)}`);
  let slowest = null;
  for (const s of SOURCES) {
    const [url, init] = direct[s];
    let bytes = 0;
    const m = await measure(async () => { bytes = (await must(await fetch(url, init))).length; });
    row(`direct ${s} (100-record page)`, m, `${(bytes / 1024).toFixed(0)} KiB`);
    if (!slowest || m.p50 > slowest.m.p50) slowest = { s, m };
  }
  let bytes = 0;
  let checked = false;
  const ask = (encoding, at = base) => async () => {
    const body = await must(await fetch(`${at}/v1/orders?limit=100`, {
      headers: { authorization: 'Bearer flexedge-dev', 'cache-control': 'no-cache', 'accept-encoding': encoding },
    }));
    bytes = body.length;
    if (!checked) {
      const b = JSON.parse(body);
      for (const s of SOURCES) {
        if (b.sources[s]?.status !== 'ok') throw new Error(`${s}: ${JSON.stringify(b.sources[s])}`);
        if (b.sources[s]?.cached) throw new Error(`${s} answered from the edge cache`);
      }
      if (b.items.length !== 100) throw new Error(`expected 100 items, got ${b.items.length}`);
      checked = true;
    }
  };
  const unified = await measure(ask('identity'));
  row('Worker /v1/orders?limit=100 (four sources)', unified, `${(bytes / 1024).toFixed(0)} KiB`);
  row('  the same, gzipped by the local runtime', await measure(ask('gzip')), '(not the goal row)');
  if (devProxy) {
    checked = false;
    row('  the same, behind wrangler dev\'s local proxy', await measure(ask('identity', devProxy)), '(not the goal row)');
  }
  const goal = 1.2 * slowest.m.p50 + 5;
  const ms = (name, value, baseline) => ({ name: `${name}/${ROW}`, value, unit: 'ms', baseline: baseline && `${baseline}/${ROW}` });
  record(
    ms('gateway_p50', unified.p50, 'gateway_goal_p50'),
    ms('gateway_p99', unified.p99),
    ms('gateway_goal_p50', goal, 'slowest_upstream_p50'),
    ms('slowest_upstream_p50', slowest.m.p50),
  );
  if (floor) {
    const f = await measure(async () => { await must(await fetch(`${floor}/`, { headers: IDENTITY })); });
    row('floor: JS Worker, the same 6 calls, no work', f);
    console.log(`  flexedge's own share at p50: ${(unified.p50 - f.p50).toFixed(1)} ms over the floor`);
    console.log(`  requests/s: ${unified.rps.toFixed(0)} through flexedge = ${(unified.rps / f.rps).toFixed(2)} × the floor's ${f.rps.toFixed(0)}`);
    record(
      ms('floor_p50', f.p50),
      { name: `gateway_rps/${ROW}`, value: unified.rps, unit: 'req/s', baseline: `floor_rps/${ROW}` },
      { name: `floor_rps/${ROW}`, value: f.rps, unit: 'req/s', baseline: null },
    );
  }
  console.log(`  slowest upstream: ${slowest.s}, p50 ${slowest.m.p50.toFixed(1)} ms; goal: unified p50 ≤ 1.2 × ${slowest.m.p50.toFixed(1)} + 5 = ${goal.toFixed(1)} ms`);
  console.log(`  unified p50 ${unified.p50.toFixed(1)} ms = ${(unified.p50 / goal).toFixed(2)} × goal → ${unified.p50 <= goal ? 'MET' : 'NOT MET'}`);
  for (const s of SOURCES) await fault(s, 0);
}

main().catch((e) => { console.error(`gateway bench failed: ${e.message}`); process.exit(1); });
