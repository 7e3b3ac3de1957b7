// Browser benchmark: runQuery (wasm) over 10,000 records from JSON bytes, beside hand-written
// JavaScript and a generic query library (mingo), in headless Chromium driven by
// playwright-core. Serves the page, the module and the records from a tiny static server on
// 127.0.0.1; prints records/s and ratios; asserts only that all variants return the same ids.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { makeRecords } from './records.mjs';
import { record } from './results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const N = Number(process.env.BENCH_RECORDS ?? 10000);
const PORT = Number(process.env.BENCH_PORT ?? 8792);
// Another build of the module to measure (e.g. a saved copy of www/pkg, for A/B runs).
const PKG = process.env.BENCH_PKG ?? 'www/pkg';
const records = Buffer.from(JSON.stringify(makeRecords(N)));
const page = `<!doctype html><meta charset="utf-8"><title>flexedge bench</title>
<script src="/mingo.js"></script>
<script type="module">
  import * as bench from '/bench-page.mjs';
  window.bench = bench;
  window.benchReady = bench.ready().then((b) => { window.bytes = b; return b.length; });
</script>`;
const files = {
  '/': [page, 'text/html'],
  '/records.json': [records, 'application/json'],
  '/bench-page.mjs': ['tests/bench/bench-page.mjs', 'text/javascript'],
  '/mingo.js': ['node_modules/mingo/dist/mingo.min.js', 'text/javascript'],
};
const types = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
const server = http.createServer(async (req, res) => {
  const name = new URL(req.url, 'http://x').pathname;
  let f = files[name];
  // The module and whatever it imports (its snippets/), from the package directory.
  if (!f && name.startsWith('/pkg/') && !name.includes('..')) f = [`${PKG}/${name.slice(5)}`, types[path.extname(name)]];
  if (!f) { res.writeHead(404).end(); return; }
  const [src, type] = f;
  let body = src;
  if (typeof src === 'string' && src.includes('/') && !src.startsWith('<')) {
    try { body = await readFile(path.resolve(root, src)); } catch { res.writeHead(404).end(); return; }
  }
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
});
await new Promise((ok) => server.listen(PORT, '127.0.0.1', ok));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const p = await browser.newPage();
  await p.goto(`http://127.0.0.1:${PORT}/`);
  const bytes = await p.evaluate(() => window.benchReady);
  console.log(`[bench] ${N} records, ${(bytes / 1e6).toFixed(2)} MB of JSON, Chromium ${browser.version()}`);
  const names = ['wasm', 'wasmRecord', 'wasmCompiled', 'handwritten', 'mingo', 'wasmFromObjects', 'jsonParseOnly'];
  const results = {};
  for (const name of names) {
    results[name] = await p.evaluate((n) => window.bench.time(n, window.bytes), name);
  }
  const ref = JSON.stringify(results.handwritten.ids);
  for (const name of names) {
    if (JSON.stringify(results[name].ids) !== ref) {
      console.error(`[bench] ${name} returned different ids than the hand-written JS:`, results[name].ids.slice(0, 5));
      process.exitCode = 1;
    }
  }
  const rate = (r) => N / (r.medianMs / 1000);
  const label = {
    wasm: 'runQuery (wasm, Uint8Array)', wasmRecord: 'runQuery (wasm, Uint8Array, schema record)', wasmCompiled: 'compileQuery().run (wasm, Uint8Array)',
    handwritten: 'hand-written JS (JSON.parse + filter)', mingo: 'mingo 7.2.7 (JSON.parse + Query)',
    wasmFromObjects: 'runQuery (wasm, JSON.parse\'d objects)', jsonParseOnly: 'reference: JSON.parse alone',
  };
  for (const name of names) {
    const r = results[name];
    console.log(`${label[name].padEnd(42)} ${Math.round(rate(r)).toLocaleString('en').padStart(9)} records/s  median ${r.medianMs.toFixed(1).padStart(6)} ms  (${r.runs} runs, min ${r.minMs.toFixed(1)} ms)`);
  }
  const w = results.wasm.medianMs;
  const hw = results.handwritten.medianMs;
  // The two goals of issue #20, from the same run: objects (JSON.parse'd, as pages hold
  // them) and bytes, each against the hand-written JS (JSON.parse + filter + sort).
  console.log(`[bench] objects: runQuery(JSON.parse'd objects) / hand-written: ${(results.wasmFromObjects.medianMs / hw).toFixed(2)}× (goal ≤ 1.0×)`);
  console.log(`[bench] bytes:   runQuery(Uint8Array) / hand-written:            ${(w / hw).toFixed(2)}× (goal ≤ 0.6×); compiled ${(results.wasmCompiled.medianMs / hw).toFixed(2)}×`);
  console.log(`[bench] objects without the shared JSON.parse: runQuery ${(results.wasmFromObjects.medianMs - results.jsonParseOnly.medianMs).toFixed(1)} ms, hand-written filter+sort ${(hw - results.jsonParseOnly.medianMs).toFixed(1)} ms (medians' differences)`);
  console.log(`[bench] wasm time / hand-written time: ${(w / hw).toFixed(2)}× (goal ≤ 1.5×)`);
  console.log(`[bench] mingo time / wasm time:        ${(results.mingo.medianMs / w).toFixed(2)}× (goal > 1×)`);
  const wr = results.wasmRecord.medianMs;
  console.log(`[bench] with schema 'record': wasm / hand-written ${(wr / results.handwritten.medianMs).toFixed(2)}×, mingo / wasm ${(results.mingo.medianMs / wr).toFixed(2)}×`);
  console.log(`[bench] matching ids agree across all variants: ${process.exitCode ? 'NO' : 'yes'} (${results.handwritten.ids.length} on the page)`);
  const median = (name, baseline = null) => ({ name: `browser_median/${name}`, value: results[name].medianMs, unit: 'ms', baseline: baseline && `browser_median/${baseline}` });
  record(
    median('handwritten'), median('jsonParseOnly'), median('mingo', 'wasm'),
    median('wasm', 'handwritten'), median('wasmRecord', 'handwritten'),
    median('wasmCompiled', 'handwritten'), median('wasmFromObjects', 'handwritten'),
  );
} finally {
  await browser.close();
  server.close();
}
