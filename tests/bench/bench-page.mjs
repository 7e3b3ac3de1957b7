// Runs inside the bench page (served by browser-bench.mjs): the same query three ways over
// the same JSON bytes. Each function takes the bytes and returns the ids of the page, so the
// driver can check that all three agree before it trusts any timing.
import init, { runQuery, compileQuery } from '/pkg/flexedge.js';

// The query: status eq 'active' and endDate gt 2026-01-01T00:00:00Z and contains(customer/name,'a'),
// sorted by endDate desc, first 20.
const FILTER = "status eq 'active' and endDate gt 2026-01-01T00:00:00Z and contains(customer/name, 'a')";
const SORT = 'endDate desc';
const LIMIT = 20;
const CUTOFF = '2026-01-01T00:00:00Z';
const decoder = new TextDecoder();

export const variants = {
  // The wasm engine, straight from the bytes (its fast path).
  wasm(bytes) {
    return runQuery(bytes, { filter: FILTER, sort: SORT, limit: LIMIT }).items.map((r) => r.id);
  },
  // The wasm engine reading flexedge's normalized records with the fixed Record schema.
  wasmRecord(bytes) {
    return runQuery(bytes, { filter: FILTER, sort: SORT, limit: LIMIT, schema: 'record' }).items.map((r) => r.id);
  },
  // The wasm engine with the query compiled once.
  wasmCompiled(bytes, state) {
    state.q ??= compileQuery({ filter: FILTER, sort: SORT, limit: LIMIT });
    return state.q.run(bytes).items.map((r) => r.id);
  },
  // Hand-written JavaScript: JSON.parse + Array.filter with the same predicate, then the
  // same sort and page. ISO strings of one format compare correctly as strings.
  handwritten(bytes) {
    const rows = JSON.parse(decoder.decode(bytes));
    const hits = rows.filter((r) => r.status === 'active' && typeof r.endDate === 'string'
      && r.endDate > CUTOFF && typeof r.customer?.name === 'string' && r.customer.name.includes('a'));
    hits.sort((a, b) => (a.endDate < b.endDate ? 1 : a.endDate > b.endDate ? -1 : 0));
    return hits.slice(0, LIMIT).map((r) => r.id);
  },
  // A generic JS query library (mingo) given the equivalent MongoDB-style query.
  mingo(bytes) {
    const rows = JSON.parse(decoder.decode(bytes));
    const q = new globalThis.mingo.Query({
      status: 'active', endDate: { $gt: CUTOFF }, 'customer.name': { $regex: 'a' },
    });
    return q.find(rows).sort({ endDate: -1 }).limit(LIMIT).all().map((r) => r.id);
  },
  // Reference: JSON.parse alone (the floor of any JavaScript variant); returns the same
  // ids only so the driver's check is uniform.
  jsonParseOnly(bytes, state) {
    JSON.parse(decoder.decode(bytes));
    state.ids ??= variants.handwritten(bytes);
    return state.ids;
  },
  // The wasm engine given already-parsed objects (JSON.parse first, as a page might hold them).
  wasmFromObjects(bytes) {
    const rows = JSON.parse(decoder.decode(bytes));
    return runQuery(rows, { filter: FILTER, sort: SORT, limit: LIMIT }).items.map((r) => r.id);
  },
};

/** Times `name` over `bytes`: warm-up, then up to `maxIter` runs or `budgetMs`; median ms. */
export function time(name, bytes, { warmup = 3, maxIter = 30, budgetMs = 4000 } = {}) {
  const f = variants[name];
  const state = {};
  let ids;
  for (let i = 0; i < warmup; i++) ids = f(bytes, state);
  const samples = [];
  const t0 = performance.now();
  while (samples.length < maxIter && performance.now() - t0 < budgetMs) {
    const s = performance.now();
    ids = f(bytes, state);
    samples.push(performance.now() - s);
  }
  state.q?.free();
  samples.sort((a, b) => a - b);
  return { name, ids, runs: samples.length, medianMs: samples[Math.floor(samples.length / 2)], minMs: samples[0] };
}

export async function ready() {
  await init();
  const res = await fetch('/records.json');
  return new Uint8Array(await res.arrayBuffer());
}
