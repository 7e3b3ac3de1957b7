// End-to-end: the configuration fails closed. Each case starts its own `wrangler dev`
// (the prebuilt Worker, FLEXEDGE_E2E_CONFIG) with one broken or partial setting, one after
// another on E2E_CONFIG_PORTS (the Worker's port, then its inspector's), checks /health
// and /v1/orders, and stops it by PID before the next starts. Loopback only; every wait is
// bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

const config = process.env.FLEXEDGE_E2E_CONFIG ?? '.wrangler-e2e.toml';
const [port, inspectorPort] = (process.env.E2E_CONFIG_PORTS ?? '8792,8793').split(',').map(Number);
const out = process.env.FLEXEDGE_E2E_OUT ?? 'tests/e2e/out';
const mock = process.env.FLEXEDGE_MOCK_URL ?? 'http://127.0.0.1:8791';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const answers = async (url) => {
  try {
    return (await fetch(`${url}/health`)).ok;
  } catch {
    return false;
  }
};

/** Runs `body(url)` against a `wrangler dev` with these vars, then stops it (by PID) and
 * waits until its port no longer answers. */
async function withWorker(name, vars, body) {
  const url = `http://127.0.0.1:${port}`;
  assert.equal(await answers(url), false, `port ${port} is already serving`);
  const args = ['dev', '--config', config, '--ip', '127.0.0.1', '--port', String(port),
    '--inspector-port', String(inspectorPort)];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const log = openSync(`${out}/wrangler-config-${name}.log`, 'w');
  const child = spawn('wrangler', args, { stdio: ['ignore', log, log] });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    let up = false;
    for (let i = 0; i < 180 && !up && child.exitCode === null; i++) {
      up = await answers(url);
      if (!up) await sleep(1000);
    }
    assert.ok(up, `wrangler dev for ${name} did not answer (see ${out}/wrangler-config-${name}.log)`);
    return await body(url);
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    closeSync(log);
    for (let i = 0; i < 50 && (await answers(url)); i++) await sleep(200);
  }
}

const KEY = 'e2e-typo-key-1';
const broken = {
  'source-for-sources': `[{"key":"${KEY}","source":["hpe_flex"]}]`,
  'no-sources': `[{"key":"${KEY}"}]`,
  'duplicate-key': `[{"key":"${KEY}","sources":["*"]},{"key":"${KEY}","sources":["hpe_flex"]}]`,
  'short-key': '[{"key":"short","sources":["*"]}]',
};

test('key-config typos fail closed: 500 config.invalid naming the setting, /health degraded', async () => {
  for (const [name, keys] of Object.entries(broken)) {
    await withWorker(name, { FLEXEDGE_API_KEYS: keys }, async (url) => {
      const r = await fetch(`${url}/v1/orders`, { headers: { authorization: `Bearer ${KEY}` } });
      const text = await r.text();
      const body = JSON.parse(text);
      assert.equal(r.status, 500, `${name}: ${text}`);
      assert.equal(body.code, 'config.invalid');
      assert.equal(body.setting, 'FLEXEDGE_API_KEYS');
      assert.ok(!text.includes(KEY), `${name}: the key is echoed: ${text}`);
      const h = await (await fetch(`${url}/health`)).json();
      assert.equal(h.status, 'degraded', name);
      assert.deepEqual(h.invalidSettings, ['FLEXEDGE_API_KEYS']);
      console.log(`[config] ${name}: 500 config.invalid — ${body.detail}`);
    });
  }
});

test('no simulator unless switched on: a source without a base URL is source.not_configured', async () => {
  await withWorker('partial', {
    FLEXEDGE_API_KEYS: '[{"key":"flexedge-dev","sources":["*"]}]',
    TELECOMX_BASE_URL: mock,
    TELECOMX_USERNAME: 'admin@sim.telecomx.test',
    TELECOMX_PASSWORD: 'sim-telecomx-admin',
  }, async (url) => {
    const h = await (await fetch(`${url}/health`)).json();
    assert.equal(h.status, 'degraded');
    assert.deepEqual(h.sources.map((s) => s.mode), ['not_configured', 'not_configured', 'not_configured', 'remote']);
    const r = await fetch(`${url}/v1/orders?limit=500`, { headers: { authorization: 'Bearer flexedge-dev' } });
    const body = await r.json();
    assert.equal(r.status, 200);
    assert.equal(body.sources.telecomx_flexcare.status, 'ok');
    for (const s of ['hpe_flex', 'fno_orders', 'fno_entitlements']) {
      assert.equal(body.sources[s].error.code, 'source.not_configured', s);
      assert.equal(body.sources[s].requests, 0);
    }
    assert.ok(body.items.length > 0 && body.items.every((i) => i.source === 'telecomx_flexcare'),
      'no simulated records merged into the real answer');
  });
});
