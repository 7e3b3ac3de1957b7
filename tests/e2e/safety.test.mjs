// End-to-end, issue #14 ("safe to expose"): the Worker under `wrangler dev` with every
// source on the native mock (both started by scripts/e2e.sh), and for the upload test
// also the same Worker in workerd without wrangler's development proxy (FLEXEDGE_DIRECT_URL).
// Loopback only; every loop is bounded in count and time. Measured figures are printed;
// the only timed assertions are the issue's own bounds, with margins noted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { fault, mock } from './mock.mjs';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
const direct = process.env.FLEXEDGE_DIRECT_URL;
const KEY = 'flexedge-dev';
const SOURCES = ['hpe_flex', 'fno_orders', 'fno_entitlements', 'telecomx_flexcare'];
// The simulator's configured credentials as scripts/procs.sh passes them.
const CONFIGURED = ['sim-greenlake-secret', 'sim-fno-password',
  'rna_51d0c0ffee5eed0000000000000000000000000000000000', 'sim-telecomx-admin'];

const q = (s) => encodeURIComponent(s);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function get(path, { key = KEY, headers = {}, url = base } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  const t0 = performance.now();
  const res = await fetch(`${url}${path}`, { headers: h });
  const text = await res.text();
  const ms = performance.now() - t0;
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  return { res, status: res.status, body, text, ms };
}
const fresh = (path, opts = {}) => get(path, { ...opts, headers: { ...opts.headers, 'cache-control': 'no-cache' } });
const ids = (r) => r.body.items.map((i) => i.id);

async function withFault(vendor, f, body) {
  try {
    await fault(vendor, f);
    return await body();
  } finally {
    await fault(vendor, null);
  }
}

test('a 64-path group-by is a 400 in under 50 ms; the ten-field one too, before any upstream call', async () => {
  const same = Array(64).fill('devices/id').join(',');
  const ten = 'devices/id,devices/mac,items/partNumber,items/productName,partners/name,partners/id,contact/email,customer/name,name,orderRef';
  await get(`/v1/orders/transform?group-by=${q(same)}`); // warm the isolate
  for (const [name, g, code] of [['64 × devices/id', same, 'query.group_by.too_many'],
    ['ten fields', ten, 'query.group_by.too_many']]) {
    const times = [];
    for (let i = 0; i < 7; i++) {
      const r = await get(`/v1/orders/transform?group-by=${q(g)}`);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.code, code);
      assert.equal(r.res.headers.get('cache-control'), 'no-store');
      times.push(r.ms);
    }
    console.log(`[group-by] ${name}: 400 in median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (7 requests, under wrangler dev)`);
    // The issue's bound is 50 ms; the median is asserted (one request may queue behind
    // another engineer's build on this shared machine).
    assert.ok(median(times) < 50, `${name}: ${times}`);
  }
  // Eight paths over three collections are answered.
  const eight = 'devices/id,devices/mac,items/partNumber,items/productName,partners/name,partners/id,source,kind';
  const ok = await get(`/v1/orders/transform?group-by=${q(eight)}&limit=5`);
  assert.equal(ok.status, 200, ok.text);
  console.log(`[group-by] eight paths over three collections: 200 in ${ok.ms.toFixed(0)} ms, ${ok.body.total} groups`);
});

/// POSTs `mb` MiB to `url` over a plain socket (with a Content-Length unless `chunked`):
/// the head, then up to `EARLY_MS` for an answer before any of the body, then the body 1 MiB
/// at a time. Resolves with the status and body of the answer and how much of the body had
/// been written when it came. (A server that answers early and closes resets the
/// connection once more body arrives, and a reset makes the kernel drop the answer unread:
/// waiting first lets a server that does not read the body answer before there is any.)
function upload(url, path, mb, chunked) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const MB = 1024 * 1024;
    const t0 = performance.now();
    let sent = 0;
    let sentAtAnswer = null;
    let received = '';
    let done = false;
    const socket = net.connect(Number(u.port), u.hostname);
    const finish = (error) => {
      if (done) return;
      done = true;
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]) || undefined;
      const body = received.split('\r\n\r\n').slice(1).join('\r\n\r\n');
      resolve({ status, body, error, sentMB: (sentAtAnswer ?? sent) / MB, ms: performance.now() - t0 });
    };
    socket.on('data', (d) => {
      sentAtAnswer ??= sent;
      received += d.toString('latin1');
      // The whole answer is in once its body is (these answers are short).
      if (/\r\n\r\n[\s\S]*\}/.test(received)) finish();
    });
    socket.on('error', (e) => finish(e.code));
    socket.on('close', () => finish('closed'));
    setTimeout(() => finish('timeout'), 60_000).unref();
    const length = chunked ? 'transfer-encoding: chunked' : `content-length: ${mb * MB}`;
    socket.write(`POST ${path} HTTP/1.1\r\nhost: ${u.host}\r\nauthorization: Bearer ${KEY}\r\ncontent-type: application/octet-stream\r\n${length}\r\n\r\n`);
    const chunk = Buffer.alloc(MB, 0x61);
    const frame = chunked ? Buffer.concat([Buffer.from(`${MB.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
    const pump = () => {
      while (!done && sent < mb * MB) {
        sent += MB;
        if (!socket.write(frame)) { socket.once('drain', pump); return; }
      }
      if (!done && chunked) socket.write('0\r\n\r\n');
    };
    setTimeout(pump, EARLY_MS);
  });
}
const EARLY_MS = 5_000;

test('a 100 MB POST is refused without being read while a /health poller sees no error', async () => {
  let polls = 0;
  let slowest = 0;
  const failures = [];
  let polling = true;
  // Polls both Workers while the uploads run (those through wrangler dev's proxy wait
  // behind the upload it is forwarding: slow, never failed).
  const poller = (async () => {
    for (let i = 0; i < 2000 && polling; i++) {
      for (const url of [base, ...(direct ? [direct] : [])]) {
        const t0 = performance.now();
        try {
          const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(15_000) });
          await r.text();
          if (r.status !== 200) failures.push(`${url}: ${r.status}`);
        } catch (e) {
          failures.push(`${url}: ${e}`);
        }
        slowest = Math.max(slowest, performance.now() - t0);
        polls++;
      }
      await sleep(10);
    }
  })();
  try {
    for (const [label, url] of [['wrangler dev', base], ...(direct ? [['workerd without the dev proxy', direct]] : [])]) {
      const declared = await upload(url, '/v1/orders', 100, false);
      assert.equal(declared.status, 413, JSON.stringify(declared));
      assert.match(declared.body, /"code":"request\.too_large"/);
      const chunked = await upload(url, '/v1/orders', 100, true);
      assert.equal(chunked.status, 405, JSON.stringify(chunked));
      console.log(`[upload] ${label}: declared 100 MiB → 413 after ${declared.sentMB} MiB written (${declared.ms.toFixed(0)} ms); chunked 100 MiB → 405 after ${chunked.sentMB} MiB (${chunked.ms.toFixed(0)} ms)`);
      if (url === direct) {
        // In the runtime the edge runs, the answer comes before any of the body is sent:
        // the Worker never read it. (`wrangler dev`'s local proxy forwards the whole body to
        // the Worker before it passes the answer back, so there the whole 100 MiB is
        // written first; the Worker does not read it either.)
        assert.equal(declared.sentMB, 0, `${declared.sentMB} MiB written before the 413`);
        assert.equal(chunked.sentMB, 0, `${chunked.sentMB} MiB written before the 405`);
      }
    }
  } finally {
    polling = false;
    await poller;
  }
  console.log(`[upload] /health poller: ${polls} polls during the uploads, ${failures.length} failures, slowest ${slowest.toFixed(0)} ms`);
  assert.ok(polls >= 2, `${polls}`);
  assert.deepEqual(failures, []);
});

test('one key at 20 requests/s gets 429 with Retry-After while another key is unaffected', async () => {
  const path = '/v1/sources/telecomx_flexcare/orders?limit=1&select=id';
  const a = { ok: 0, limited: 0, headers: null };
  const b = { ok: 0, other: [] };
  const t0 = performance.now();
  // 60 requests of key A at 20/s (3 s: at most one boundary of the 10 s window falls in
  // it, so at least 60 − 2 × 20 are over the limit), 6 of key B at 2/s meanwhile.
  const runA = (async () => {
    for (let i = 0; i < 60; i++) {
      const due = t0 + i * 50;
      await sleep(Math.max(0, due - performance.now()));
      const r = await get(path, { key: 'e2e-low-key-a' });
      if (r.status === 200) a.ok++;
      else if (r.status === 429) {
        a.limited++;
        a.headers ??= Object.fromEntries(r.res.headers);
        a.body ??= r.body;
      } else assert.fail(`key A: ${r.status} ${r.text}`);
    }
  })();
  const runB = (async () => {
    for (let i = 0; i < 6; i++) {
      await sleep(500);
      const r = await get(path, { key: 'e2e-low-key-b' });
      if (r.status === 200) b.ok++;
      else b.other.push(r.status);
    }
  })();
  await Promise.all([runA, runB]);
  console.log(`[ratelimit] key A (tier low, 20 per 10 s) at 20 requests/s: ${a.ok} × 200, ${a.limited} × 429; key B meanwhile: ${b.ok} × 200`);
  assert.ok(a.limited >= 20, `${a.limited}`);
  assert.ok(a.ok >= 20 && a.ok <= 40, `${a.ok}`);
  assert.equal(a.headers['retry-after'], '10');
  assert.equal(a.headers.ratelimit, '"low";r=0;t=10');
  assert.equal(a.headers['ratelimit-policy'], '"low";q=20;w=10');
  assert.equal(a.body.code, 'rate_limit.exceeded');
  assert.deepEqual(b.other, []);
  assert.equal(b.ok, 6);
});

test('a 200 MB upstream body (with a length, or chunked) is upstream.too_large; the other sources intact', async () => {
  for (const [vendor, f] of [['hpe_flex', 'oversize(200000000)'], ['fno_orders', 'oversize_chunked(200000000)'],
    ['telecomx_flexcare', 'oversize_chunked(200000000)']]) {
    const others = ids(await fresh(`/v1/orders?limit=1000&filter=${q(`source ne '${vendor}'`)}`));
    const r = await withFault(vendor, f, () => fresh('/v1/orders?limit=1000'));
    assert.equal(r.status, 200, r.text);
    const rep = r.body.sources[vendor];
    assert.equal(rep.error?.code, 'upstream.too_large', JSON.stringify(rep));
    assert.deepEqual(ids(r), others, `${vendor}: the other sources' items differ`);
    let alsoDirect = '';
    if (direct) {
      const d = await withFault(vendor, f, () => fresh('/v1/orders?limit=1000', { url: direct }));
      assert.equal(d.body.sources[vendor].error?.code, 'upstream.too_large');
      assert.deepEqual(ids(d), others);
      alsoDirect = `; without the dev proxy: after ${d.body.sources[vendor].ms} ms, answer in ${d.ms.toFixed(0)} ms`;
    }
    console.log(`[too_large] ${vendor} ${f}: upstream.too_large after ${rep.ms} ms, answer in ${r.ms.toFixed(0)} ms under wrangler dev${alsoDirect}`);
  }
});

// What the mock's echo faults write before the credential (sim/faults.rs).
const FILLER = 'error details: '.repeat(20).slice(0, 280);

function assertNoFragment(text, secrets, what) {
  for (const s of secrets) {
    for (let i = 0; i + 8 <= s.length; i++) {
      const w = s.slice(i, i + 8);
      assert.ok(!text.includes(w), `${what}: ${JSON.stringify(w)} of a secret in the response`);
    }
  }
}

test('a secret at character 280 of a vendor error, or in an FNO FAILURE reason, never reaches a response', async () => {
  const cases = [
    ['hpe_flex', 'echo_credential(280)'], ['fno_orders', 'echo_credential(280)'],
    ['fno_orders', 'failure_echo(280)'], ['fno_entitlements', 'echo_credential(280)'],
    ['telecomx_flexcare', 'echo_credential(280)'],
  ];
  for (const [vendor, f] of cases) {
    const [plain, strict] = await withFault(vendor, f, async () => [
      // Over every source: the others answer and the failed one is reported beside them
      // (a single-source list whose only source fails is a 503 problem).
      await fresh('/v1/orders'),
      await fresh('/v1/orders?strict=true'),
    ]);
    assert.equal(plain.body.sources[vendor].status, 'error', plain.text);
    assert.equal(strict.status, 502, strict.text);
    // Right after the vendor's 280 characters of filler, where the credential was (a
    // configured secret or a live token the test never sees), the message shows `***`
    // (cut to `**…` when that falls on character 300): nothing of the credential is left.
    for (const r of [plain, strict]) {
      const m = r === plain ? r.body.sources[vendor].error.message : r.body.detail;
      const at = m.indexOf(FILLER);
      assert.ok(at >= 0, `${vendor} ${f}: no filler in ${m}`);
      assert.match(m.slice(at + FILLER.length), /^\*\*/, `${vendor} ${f}: ${m}`);
      // The configured secrets (the TelecomX password shares `telecomx` with the source id,
      // so its windows are not looked for; it is never sent, only its token is).
      assertNoFragment(r.text, CONFIGURED.filter((s) => !s.includes('telecomx')), `${vendor} ${f}`);
    }
    console.log(`[redaction] ${vendor} ${f}: ${plain.body.sources[vendor].error.code}, message ends ${JSON.stringify(plain.body.sources[vendor].error.message.slice(-24))}`);
  }
});

test('redirects are not followed: the mock sees no visit to the redirect target', async () => {
  const before = (await (await fetch(`${mock}/__sim/health`)).json()).redirected;
  const r = await withFault('hpe_flex', 'redirect', () => fresh('/v1/orders'));
  const rep = r.body.sources.hpe_flex;
  assert.equal(rep.error.code, 'upstream.bad_request', JSON.stringify(rep));
  assert.equal(rep.error.status, 307);
  const after = (await (await fetch(`${mock}/__sim/health`)).json()).redirected;
  assert.equal(after, before);
});

test('a 200 that fails in its body (FNO statusInfo FAILURE) is never cached; a good answer is', async () => {
  // A filter of its own, pushed to FNO, makes this test's upstream request (and so its
  // cache entry) one no other test has made.
  const token = Math.random().toString(16).slice(2, 10);
  const path = `/v1/sources/fno_orders/orders?limit=3&filter=${q(`orderRef eq '${token}'`)}`;
  const failed = await withFault('fno_orders', 'failure_echo(3)', () => get(path));
  // Its only source failed and may still have records: a 503 naming it and its error.
  assert.equal(failed.status, 503, failed.text);
  assert.equal(failed.body.code, 'upstream.unavailable', failed.text);
  assert.ok(failed.text.includes('upstream.vendor_failure'), failed.text);
  // Cache writes land after the answer (waitUntil): give them time, then ask again.
  await sleep(500);
  const next = await get(path);
  assert.equal(next.body.sources.fno_orders.status, 'ok', `the FAILURE answer was cached: ${next.text}`);
  assert.equal(next.body.sources.fno_orders.cached ?? 0, 0);
  let cached = 0;
  for (let i = 0; i < 20 && !cached; i++) {
    await sleep(100);
    cached = (await get(path)).body.sources.fno_orders.cached ?? 0;
  }
  assert.ok(cached >= 1, 'a good answer is cached (so the check above could fail)');
  const explained = await get(`${path}&explain=true`);
  assert.ok(explained.body.sources.fno_orders.explain.requests.some((r) => r.includes(token)),
    'the filter went upstream (the cache key is this test\'s own)');
});

test('debug switches only for debug keys; no-cache from another key is ignored', async () => {
  for (const sw of ['explain=true', 'pushdown=false']) {
    const r = await get(`/v1/sources/telecomx_flexcare/orders?${sw}`, { key: 'e2e-scoped-key' });
    assert.equal(r.status, 403, r.text);
    assert.match(r.body.detail, /debug/);
  }
  const path = '/v1/sources/telecomx_flexcare/orders?limit=2&select=id';
  await get(path, { key: 'e2e-scoped-key' });
  let cached = 0;
  for (let i = 0; i < 20 && !cached; i++) {
    await sleep(100);
    const r = await fresh(path, { key: 'e2e-scoped-key' });
    cached = r.body.sources.telecomx_flexcare.cached ?? 0;
  }
  assert.ok(cached >= 1, 'no-cache from a key that is not debug still reads the cache');
  const dev = await fresh(path);
  assert.equal(dev.body.sources.telecomx_flexcare.cached ?? 0, 0, 'a debug key bypasses it');
});

test('HTTP hygiene: Allow, WWW-Authenticate, no-store and nosniff, Vary: Origin, strict enums', async () => {
  const del = await fetch(`${base}/v1/orders`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(del.status, 405);
  assert.equal(del.headers.get('allow'), 'GET, HEAD, OPTIONS');
  const none = await get('/v1/orders', { key: null });
  assert.equal(none.res.headers.get('www-authenticate'), 'Bearer realm="flexedge"');
  const wrong = await get('/v1/orders', { key: 'wrong-key-0000000' });
  assert.match(wrong.res.headers.get('www-authenticate'), /error="invalid_token"/);
  for (const r of [none, wrong]) {
    assert.equal(r.res.headers.get('cache-control'), 'no-store');
    assert.equal(r.res.headers.get('x-content-type-options'), 'nosniff');
  }
  for (const origin of ['https://app.example', 'https://evil.example', null]) {
    const r = await get('/v1/orders?limit=1', { headers: origin ? { origin } : {} });
    assert.match(r.res.headers.get('vary') ?? '', /origin/i, `origin ${origin}`);
  }
  for (const p of ['/v1/orders?include=', '/v1/sources/hpe_flex/orders?include=', '/v1/orders?explain=1']) {
    assert.equal((await get(p)).status, 400, p);
  }
  const t = await get('/v1/orders/transform?group-by=source&include=raw', { key: 'e2e-scoped-key' });
  assert.equal(t.status, 400, t.text);
  const src = await get('/v1/sources', { key: 'e2e-scoped-key' });
  assert.deepEqual(src.body.items.map((s) => s.id), ['hpe_flex', 'telecomx_flexcare']);
  const h = await get('/health', { key: null });
  assert.ok(!h.text.includes('127.0.0.1') && !h.text.includes('http'), h.text);
  assert.deepEqual(h.body.sources.map((s) => s.mode), SOURCES.map(() => 'remote'));
});
