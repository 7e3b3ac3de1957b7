// End-to-end: the configuration fails closed. Each case starts its own `wrangler dev`
// (the prebuilt Worker, FLEXEDGE_E2E_CONFIG) on one of E2E_CONFIG_PORTS with one broken
// or partial setting, checks /health and /v1/orders, and stops it by PID. Loopback only;
// every wait is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

const config = process.env.FLEXEDGE_E2E_CONFIG ?? '.wrangler-e2e.toml';
const ports = (process.env.E2E_CONFIG_PORTS ?? '8792,8793,8794,8795').split(',').map(Number);
const out = process.env.FLEXEDGE_E2E_OUT ?? 'tests/e2e/out';
const mock = process.env.FLEXEDGE_MOCK_URL ?? 'http://127.0.0.1:8791';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `wrangler dev` with these vars; resolves with its URL and a stop function. */
async function startWorker(port, name, vars) {
  const args = ['dev', '--config', config, '--ip', '127.0.0.1', '--port', String(port)];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const log = openSync(`${out}/wrangler-config-${name}.log`, 'w');
  const child = spawn('wrangler', args, { stdio: ['ignore', log, log] });
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    closeSync(log);
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 180; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, stop };
    } catch { /* not up yet */ }
    await sleep(1000);
  }
  await stop();
  throw new Error(`wrangler dev for ${name} did not answer (see ${out}/wrangler-config-${name}.log)`);
}

const KEY = 'e2e-typo-key-1';
const broken = {
  'source-for-sources': `[{"key":"${KEY}","source":["hpe_flex"]}]`,
  'no-sources': `[{"key":"${KEY}"}]`,
  'duplicate-key': `[{"key":"${KEY}","sources":["*"]},{"key":"${KEY}","sources":["hpe_flex"]}]`,
  'short-key': '[{"key":"short","sources":["*"]}]',
};

test('key-config typos fail closed: 500 config.invalid naming the setting, /health degraded', async () => {
  const names = Object.keys(broken);
  const workers = await Promise.all(names.map((n, i) => startWorker(ports[i], n, { FLEXEDGE_API_KEYS: broken[n] })));
  try {
    for (const [i, w] of workers.entries()) {
      const r = await fetch(`${w.url}/v1/orders`, { headers: { authorization: `Bearer ${KEY}` } });
      const text = await r.text();
      const body = JSON.parse(text);
      assert.equal(r.status, 500, `${names[i]}: ${text}`);
      assert.equal(body.code, 'config.invalid');
      assert.equal(body.setting, 'FLEXEDGE_API_KEYS');
      assert.ok(!text.includes(KEY), `${names[i]}: the key is echoed: ${text}`);
      const h = await (await fetch(`${w.url}/health`)).json();
      assert.equal(h.status, 'degraded', names[i]);
      assert.deepEqual(h.invalidSettings, ['FLEXEDGE_API_KEYS']);
      console.log(`[config] ${names[i]}: 500 config.invalid — ${body.detail}`);
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
});

test('no simulator unless switched on: a source without a base URL is source.not_configured', async () => {
  const w = await startWorker(ports[0], 'partial', {
    FLEXEDGE_API_KEYS: '[{"key":"flexedge-dev","sources":["*"]}]',
    TELECOMX_BASE_URL: mock,
    TELECOMX_USERNAME: 'admin@sim.telecomx.test',
    TELECOMX_PASSWORD: 'sim-telecomx-admin',
  });
  try {
    const h = await (await fetch(`${w.url}/health`)).json();
    assert.equal(h.status, 'degraded');
    assert.deepEqual(h.sources.map((s) => s.mode), ['not_configured', 'not_configured', 'not_configured', 'remote']);
    const r = await fetch(`${w.url}/v1/orders?limit=500`, { headers: { authorization: 'Bearer flexedge-dev' } });
    const body = await r.json();
    assert.equal(r.status, 200);
    assert.equal(body.sources.telecomx_flexcare.status, 'ok');
    for (const s of ['hpe_flex', 'fno_orders', 'fno_entitlements']) {
      assert.equal(body.sources[s].error.code, 'source.not_configured', s);
      assert.equal(body.sources[s].requests, 0);
    }
    assert.ok(body.items.length > 0 && body.items.every((i) => i.source === 'telecomx_flexcare'),
      'no simulated records merged into the real answer');
  } finally {
    await w.stop();
  }
});
