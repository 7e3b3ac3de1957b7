// The npm package as a user gets it: `npm pack` of pkg/ (built by `make pkg`), installed
// from the tarball into a fresh project in a temporary directory (offline: the package has
// no dependencies), then
//  - imported in Node (the `node` condition: init() reads the wasm from disk),
//  - bundled with esbuild for the browser (the `browser` condition; the wasm as a file)
//    and run in Chromium, on the page and in a module Web Worker,
//  - bundled as a Cloudflare Worker (the wasm imported as a WebAssembly.Module) and run in
//    workerd through Miniflare,
//  - type-checked: a strict TypeScript file using the engine and the client
//    (`tsc --strict --noEmit`, skipLibCheck off, so the package's own .d.ts are checked).
// esbuild, TypeScript and playwright-core come from the repository's devDependencies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, statSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { Miniflare } from 'miniflare';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
let dir;
let tarball;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'flexedge-npm-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: path.join(root, 'pkg'), encoding: 'utf8' });
  tarball = path.join(dir, JSON.parse(out)[0].filename);
  const app = path.join(dir, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app, stdio: 'pipe' });
});

after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const app = (...p) => path.join(dir, 'app', ...p);

test('npm pack: a small tarball, versioned with the crate, with its README and types', () => {
  const size = statSync(tarball).size;
  console.log(`[npm] ${path.basename(tarball)}: ${size} bytes`);
  assert.ok(size < 200 * 1024, `${size} bytes`);
  const crate = /^version = "(.*)"$/m.exec(readFileSync(path.join(root, 'Cargo.toml'), 'utf8'))[1];
  const pkg = JSON.parse(readFileSync(app('node_modules/flexedge/package.json'), 'utf8'));
  assert.equal(pkg.version, crate);
  assert.deepEqual(Object.keys(pkg.exports['.']), ['types', 'browser', 'node', 'default']);
  for (const f of ['README.md', 'index.d.ts', 'api.d.ts', 'flexedge_bg.wasm']) {
    assert.ok(statSync(app('node_modules/flexedge', f)).size > 0, f);
  }
});

test('Node: import from the installed package, init() from disk, engine and client', () => {
  writeFileSync(app('node-app.mjs'), `
    import init, { runQuery, groupBy, version, createClient, FlexedgeProblem } from 'flexedge';
    await init();
    await init();   // once is enough; again is harmless
    const rows = [{ id: 'a', n: 1, s: 'x' }, { id: 'b', n: 5, s: 'y' }, { id: 'c', n: 9, s: 'x' }];
    const q = runQuery(rows, { filter: 'n gt 2', sort: 'n desc' });
    const g = groupBy(rows, { groupBy: 's', sort: 'count desc' });
    const api = createClient({ baseUrl: 'http://127.0.0.1:9/', validate: true });
    let local;
    try { await api.orders.list({ filter: 'n eq 1 xor' }); } catch (e) { local = [e instanceof FlexedgeProblem, e.code, e.start, e.end]; }
    console.log(JSON.stringify({ version: version(), ids: q.items.map((r) => r.id), groups: g.items, local }));
  `);
  const out = JSON.parse(execFileSync('node', ['node-app.mjs'], { cwd: app(), encoding: 'utf8' }));
  assert.match(out.version, /^\d+\.\d+\.\d+/);
  assert.deepEqual(out.ids, ['c', 'b']);
  assert.deepEqual(out.groups, [{ key: { s: 'x' }, count: 2 }, { key: { s: 'y' }, count: 1 }]);
  assert.deepEqual(out.local, [true, 'filter.syntax.unexpected_token', 7, 10]);
});

test('esbuild bundles it for the browser; it runs in Chromium, on the page and in a Web Worker', async () => {
  writeFileSync(app('main.js'), `
    import { init, runQuery, parseFilter, createClient } from 'flexedge';
    import wasmUrl from 'flexedge/flexedge_bg.wasm';
    await init(wasmUrl);
    const rows = [{ id: 'a', at: '2026-01-02' }, { id: 'b', at: '2025-01-01T00:00:00+02:00' }];
    const page = runQuery(rows, { filter: 'at lt 2026-01-01', select: 'id' }).items;
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    const fromWorker = await new Promise((ok, fail) => { worker.onmessage = (e) => ok(e.data); worker.onerror = (e) => fail(e.message); });
    window.result = { page, canonical: parseFilter("id  EQ 'a'").canonical, fromWorker, client: typeof createClient };
  `);
  writeFileSync(app('worker.js'), `
    import { init, runQuery } from 'flexedge';
    import wasmUrl from 'flexedge/flexedge_bg.wasm';
    await init(wasmUrl);
    postMessage(runQuery([{ n: 1 }, { n: 2 }], { filter: 'n gt 1' }).items);
  `);
  const res = await build({
    entryPoints: [app('main.js'), app('worker.js')], bundle: true, format: 'esm', platform: 'browser',
    outdir: app('dist'), loader: { '.wasm': 'file' }, absWorkingDir: app(), logLevel: 'silent',
  });
  assert.deepEqual(res.errors, []);
  const files = readdirSync(app('dist'));
  assert.ok(files.some((f) => f.endsWith('.wasm')), files.join());
  assert.ok(!readFileSync(app('dist/main.js'), 'utf8').includes('node:fs'), 'the browser bundle has no Node import');
  writeFileSync(app('dist/index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="main.js"></script>');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = http.createServer((req, res) => {
    const name = new URL(req.url, 'http://x').pathname.slice(1) || 'index.html';
    try {
      const body = readFileSync(app('dist', path.basename(name)));
      res.writeHead(200, { 'content-type': types[path.extname(name)] ?? 'application/octet-stream' }).end(body);
    } catch { res.writeHead(404).end(); }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.result, null, { timeout: 30000 });
    const result = await page.evaluate(() => window.result);
    assert.deepEqual(errors, []);
    assert.deepEqual(result, { page: [{ id: 'b' }], canonical: "id eq 'a'", fromWorker: [{ n: 2 }], client: 'function' });
  } finally {
    await browser.close();
    server.close();
  }
});

test('a Cloudflare Worker bundles it with the wasm as a module and runs it in workerd', async () => {
  writeFileSync(app('cf-worker.js'), `
    import { init, runQuery, version } from 'flexedge';
    import wasm from 'flexedge/flexedge_bg.wasm';
    export default {
      async fetch() {
        await init(wasm);
        const r = runQuery([{ n: 1 }, { n: 2 }, { n: 3 }], { filter: 'n ge 2', sort: 'n desc' });
        return Response.json({ version: version(), items: r.items });
      },
    };
  `);
  // The wasm import stays a module import next to the bundle (what wrangler does with it).
  const wasmNextToBundle = {
    name: 'wasm-module',
    setup(b) { b.onResolve({ filter: /\.wasm$/ }, () => ({ path: './flexedge_bg.wasm', external: true })); },
  };
  await build({
    entryPoints: [app('cf-worker.js')], bundle: true, format: 'esm', platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'], outfile: app('cf/worker.js'),
    plugins: [wasmNextToBundle], absWorkingDir: app(), logLevel: 'silent',
  });
  const mf = new Miniflare({
    host: '127.0.0.1', port: 0, compatibilityDate: '2026-04-01', modulesRoot: app('cf'),
    modules: [
      { type: 'ESModule', path: app('cf/worker.js'), contents: readFileSync(app('cf/worker.js'), 'utf8') },
      { type: 'CompiledWasm', path: app('cf/flexedge_bg.wasm'), contents: readFileSync(app('node_modules/flexedge/flexedge_bg.wasm')) },
    ],
  });
  try {
    const res = await mf.dispatchFetch('http://worker.test/');
    const body = await res.json();
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(body.items, [{ n: 3 }, { n: 2 }]);
  } finally {
    await mf.dispose();
  }
});

test('tsc --strict --noEmit type-checks a program using the engine and the client', () => {
  writeFileSync(app('check.ts'), `
    import init, {
      runQuery, groupBy, compileQuery, parseFilter, createClient, FlexedgeProblem,
      type ListEnvelope, type FlexedgeRecord, type RecordFields, type QueryResult, type GroupResult, type SourceId,
      type FlexedgeError,
    } from 'flexedge';

    await init();
    const rows: object[] = [{ id: 'a', n: 1 }];
    const r: QueryResult = runQuery(rows, { filter: 'n eq 1', sort: 'id', limit: 10, schema: 'json' });
    const g: GroupResult = groupBy(rows, { groupBy: 'n' });
    const q = compileQuery({ filter: 'n gt 0' });
    const canonical: string = q.canonical;
    q.free();
    const c: string = parseFilter('n eq 1').canonical;
    // @ts-expect-error: schema is 'json' or 'record'
    runQuery(rows, { schema: 'xml' });

    const api = createClient({ baseUrl: 'https://edge.example', key: 'k', validate: true });
    async function walk(signal: AbortSignal): Promise<number> {
      const page: ListEnvelope = await api.orders.list({ filter: "status eq 'active'", limit: 10, explain: true });
      // A list's items are the selected members of records (all of them without select).
      const first: RecordFields | undefined = page.items[0];
      const name: string | undefined = first?.customer?.name;
      const src: SourceId | undefined = first?.source;
      const residual: string | undefined = page.sources['hpe_flex']?.explain?.residual;
      let n = 0;
      for await (const rec of api.orders.all({ sort: 'endDate desc' }, { signal, maxPages: 3 })) {
        const id: string = rec.id;
        n += id.length;
      }
      for await (const p of api.devices.pages({}, { signal })) n += p.count;
      const one: FlexedgeRecord = await api.orders.get('hpe_flex:1');
      const groups = await api.orders.transform(['status', 'source'], { sort: 'count desc' });
      const count: number | undefined = groups.items[0]?.count;
      const sources = await api.sources();
      const mode: 'simulated' | 'remote' | 'not_configured' | undefined = sources[0]?.mode;
      await api.source('fno_orders').list({ limit: 5 });
      // @ts-expect-error: not a source id
      api.source('nope');
      return n + (count ?? 0) + one.id.length + String(name) .length + String(src).length + String(residual).length + String(mode).length;
    }
    try {
      await walk(new AbortController().signal);
    } catch (e) {
      if (e instanceof FlexedgeProblem) {
        const code: string = e.code;
        const at: number | undefined = e.span?.startUtf16;
        const failed = e.errors.fno_orders?.code;
        console.log(code, at, failed, e.suggestion, e.status);
      }
      const fe = e as FlexedgeError;
      console.log(fe.code, fe.start, fe.param);
    }
    console.log(r.total, g.rows, canonical, c);
  `);
  writeFileSync(app('tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
      lib: ['es2022', 'dom', 'dom.iterable'], types: [], skipLibCheck: false,
    },
    files: ['check.ts'],
  }));
  try {
    execFileSync(bin('tsc'), ['-p', 'tsconfig.json', '--strict', '--noEmit'], { cwd: app(), encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});
