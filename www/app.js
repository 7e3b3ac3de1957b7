// The flexedge playground: fetch normalized records from /v1/orders once, then refine them
// locally with the same WebAssembly filter engine the edge runs (no round trip per keystroke).
// No framework, no build step; state lives in the URL (except the API key). The engine and
// the API client are the npm package's (www/pkg/, built by `make pkg`).
import {
  init, parseFilter, runQuery, groupBy, version, createClient,
} from './pkg/index.js';

const $ = (id) => document.getElementById(id);
const el = {
  engine: $('engine'), connection: $('connection'), base: $('base'), key: $('key'),
  fetchLimit: $('fetchLimit'), fetchBtn: $('fetch'), sources: $('sources'), fetchStatus: $('fetchStatus'),
  filter: $('filter'), sort: $('sort'), select: $('select'), limit: $('limit'),
  summary: $('summary'), table: $('results'),
  groupBy: $('groupBy'), chart: $('chart'), groupSummary: $('groupSummary'),
  explain: $('explain'), explainBtn: $('explainBtn'),
  downloadCsv: $('downloadCsv'), downloadNdjson: $('downloadNdjson'),
};
const VIEWS = ['table', 'groups', 'explain'];
const tabs = VIEWS.map((v) => $(`tab-${v}`));
let view = 'table';
const fields = {
  filter: { input: el.filter, mirror: $('filterMirror'), message: $('filterMessage') },
  sort: { input: el.sort, mirror: $('sortMirror'), message: $('sortMessage') },
  select: { input: el.select, mirror: $('selectMirror'), message: $('selectMessage') },
};
const DEFAULT_COLUMNS = ['id', 'kind', 'name', 'customer/name', 'status', 'startDate', 'endDate'];
const isLocal = ['127.0.0.1', 'localhost', '[::1]'].includes(location.hostname);

let records = null;      // the fetched records as JSON bytes (the engine's fast path)
let schema = 'record';   // flexedge's normalized records; 'json' if the items are other JSON
let loadedCount = 0;
let sourceTotal = null;
let ready = false;
let lastOptions = null;  // the options of the last good query (for groups and downloads)

// ---- state in the URL -------------------------------------------------------------------

function readUrlState() {
  const p = new URLSearchParams(location.search);
  el.filter.value = p.get('filter') ?? '';
  el.sort.value = p.get('sort') ?? '';
  el.select.value = p.get('select') ?? '';
  if (p.has('limit')) el.limit.value = p.get('limit');
  if (p.has('fetch')) el.fetchLimit.value = p.get('fetch');
  if (p.has('group') && [...el.groupBy.options].some((o) => o.value === p.get('group'))) el.groupBy.value = p.get('group');
  if (VIEWS.includes(p.get('view'))) view = p.get('view');
  el.base.value = p.get('base') ?? localStorage.getItem('flexedge.base') ?? '';
  el.key.value = sessionStorage.getItem('flexedge.key') ?? (isLocal ? 'flexedge-dev' : '');
}

function writeUrlState() {
  const p = new URLSearchParams();
  for (const name of ['filter', 'sort', 'select']) {
    if (el[name].value.trim()) p.set(name, el[name].value);
  }
  if (el.limit.value !== '50') p.set('limit', el.limit.value);
  if (el.fetchLimit.value !== '1000') p.set('fetch', el.fetchLimit.value);
  if (el.groupBy.value !== 'status') p.set('group', el.groupBy.value);
  if (view !== 'table') p.set('view', view);
  if (el.base.value.trim()) p.set('base', el.base.value.trim());
  const qs = p.toString();
  history.replaceState(null, '', qs ? `?${qs}` : location.pathname);
}

// ---- error display: the span underlined in a mirror behind the input -------------------

function renderMirror(field, text, start, end) {
  const m = field.mirror;
  m.replaceChildren();
  if (start == null) return;
  const mark = document.createElement('mark');
  mark.className = 'error-mark';
  mark.dataset.start = start;
  mark.dataset.end = end;
  const slice = text.slice(start, end);
  if (slice.length === 0) {
    mark.classList.add('empty');
    mark.textContent = '\u00a0';
  } else {
    mark.textContent = slice;
  }
  m.append(text.slice(0, start), mark, text.slice(end));
  m.scrollLeft = field.input.scrollLeft;
}

function showError(name, err) {
  const field = fields[name];
  const text = field.input.value;
  field.input.setAttribute('aria-invalid', 'true');
  renderMirror(field, text, err.start ?? 0, err.end ?? text.length);
  const msg = field.message;
  msg.replaceChildren();
  msg.className = 'message error';
  const code = document.createElement('code');
  code.textContent = err.code ?? 'error';
  msg.append(code, ' ', err.message);
  if (err.suggestion) {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'suggestion';
    btn.textContent = `use “${err.suggestion}”`;
    btn.title = 'replace the underlined text (Alt+Enter in the field)';
    btn.addEventListener('click', () => applySuggestion(name, err));
    msg.append(' ', btn);
  }
  field.lastError = err;
}

function clearError(name, note = '') {
  const field = fields[name];
  field.input.removeAttribute('aria-invalid');
  renderMirror(field, '', null, null);
  field.message.className = 'message';
  field.message.textContent = note;
  field.lastError = null;
}

function applySuggestion(name, err) {
  const input = fields[name].input;
  const t = input.value;
  input.value = t.slice(0, err.start) + err.suggestion + t.slice(err.end);
  input.focus();
  const at = err.start + err.suggestion.length;
  input.setSelectionRange(at, at);
  update();
}

// ---- running the query locally ----------------------------------------------------------

function update() {
  writeUrlState();
  if (!ready) return;
  const filter = el.filter.value;
  // Live syntax check of the filter, even before any records are loaded.
  let canonical = '';
  if (filter.trim()) {
    try {
      canonical = parseFilter(filter).canonical;
    } catch (e) {
      showError('filter', e);
      clearError('sort'); clearError('select');
      el.summary.textContent = 'fix the filter to see results';
      setStale(true);
      return;
    }
  }
  clearError('filter', canonical && canonical !== filter.trim() ? `canonical: ${canonical}` : '');
  clearError('sort');
  clearError('select');
  if (!records) return;
  const t0 = performance.now();
  let result;
  const options = {
    filter, sort: el.sort.value, select: el.select.value,
    offset: 0, limit: Number(el.limit.value || 0), schema,
  };
  try {
    try {
      result = runQuery(records, options);
    } catch (e) {
      if (e.code !== 'records.invalid' || schema !== 'record') throw e;
      schema = 'json'; // not normalized records: type them from their values instead
      result = runQuery(records, { ...options, schema });
    }
  } catch (e) {
    const name = e.param === 'group_by' ? 'filter' : (fields[e.param] ? e.param : 'filter');
    if (e.param === 'limit' || e.param === 'offset') {
      el.summary.textContent = `${e.param}: ${e.message}`;
    } else {
      showError(name, e);
      el.summary.textContent = 'fix the query to see results';
    }
    setStale(true);
    return;
  }
  const ms = performance.now() - t0;
  setStale(false);
  renderTable(result.items);
  const shown = result.items.length;
  const parts = [`${shown ? `${result.offset + 1}–${result.offset + shown}` : '0'} of ${result.total ?? result.count} matching`,
    `${loadedCount} loaded`];
  if (sourceTotal != null && sourceTotal !== loadedCount) parts.push(`${sourceTotal} at the sources`);
  el.summary.textContent = `${parts.join(' · ')} · ${ms.toFixed(1)} ms in wasm`;
  lastOptions = options;
  renderGroups(options);
}

// While the query has an error the last good table stays, dimmed.
function setStale(stale) {
  el.table.closest('.results').classList.toggle('stale', stale);
}

function columns() {
  const s = el.select.value.split(',').map((c) => c.trim()).filter(Boolean);
  return s.length ? s : DEFAULT_COLUMNS;
}

function pick(obj, path) {
  let v = obj;
  for (const seg of path.split('/')) {
    if (v == null) return undefined;
    v = Array.isArray(v) ? v.map((x) => x?.[seg]).filter((x) => x !== undefined) : v[seg];
  }
  return v;
}

// One date format whatever the source wrote: `2026-03-01 14:05 UTC` on the page, RFC 3339
// in UTC (`2026-03-01T14:05:00Z`) in the downloads.
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
function asDate(v) {
  if (typeof v !== 'string' || !DATE_TEXT.test(v)) return null;
  const d = new Date(v.length === 10 ? `${v}T00:00:00Z` : v);
  return Number.isNaN(d.getTime()) ? null : d;
}
function isoUtc(d) {
  return d.toISOString().replace(/\.000Z$/, 'Z');
}
function format(v) {
  if (v == null) return '';
  const d = asDate(v);
  if (d) return `${isoUtc(d).slice(0, 16).replace('T', ' ')} UTC`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function renderTable(items) {
  const cols = columns();
  const head = document.createElement('tr');
  for (const c of cols) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = c;
    head.append(th);
  }
  el.table.tHead.replaceChildren(head);
  const rows = items.map((item) => {
    const tr = document.createElement('tr');
    for (const c of cols) {
      const td = document.createElement('td');
      const v = pick(item, c);
      td.textContent = format(v);
      if (c === 'status' && typeof v === 'string') td.className = `status-${v}`;
      if (c === 'source' || c === 'id') td.classList.add('mono');
      tr.append(td);
    }
    return tr;
  });
  if (!rows.length) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = cols.length;
    td.className = 'empty';
    td.textContent = records ? 'no record matches' : 'no records loaded';
    tr.append(td);
    rows.push(tr);
  }
  el.table.tBodies[0].replaceChildren(...rows);
}

// ---- groups: a bar chart from the engine's groupBy -------------------------------------

// `endDate:month` groups by endDate in the engine and sums its groups per UTC month here.
function groupCounts(options) {
  const choice = el.groupBy.value;
  const [path, bucket] = choice.split(':');
  const base = { filter: options.filter, schema, groupBy: path, sort: bucket ? path : 'count desc', limit: 1000 };
  const groups = [];
  let rows = 0;
  for (let offset = 0; offset < 100000; offset += 1000) {
    const g = groupBy(records, { ...base, offset });
    rows = g.rows;
    groups.push(...g.items);
    if (offset + g.count >= g.total) break;
  }
  let out = groups.map((g) => ({ label: g.key[path], count: g.count }));
  if (bucket === 'month') {
    const by = new Map();
    for (const g of out) {
      const d = asDate(g.label);
      const m = d ? isoUtc(d).slice(0, 7) : null;
      by.set(m, (by.get(m) ?? 0) + g.count);
    }
    out = [...by].map(([label, count]) => ({ label, count }))
      .sort((a, b) => (a.label === null) - (b.label === null) || String(a.label).localeCompare(String(b.label)));
  }
  return { items: out, rows };
}

function renderGroups(options) {
  if (view !== 'groups' || !records || !options) return;
  let res;
  try {
    res = groupCounts(options);
  } catch (e) {
    el.groupSummary.textContent = `${e.code ?? 'error'}: ${e.message}`;
    return;
  }
  const max = Math.max(1, ...res.items.map((g) => g.count));
  const label = el.groupBy.selectedOptions[0]?.textContent ?? el.groupBy.value;
  el.groupSummary.textContent = `${res.items.length} groups of ${res.rows} matching records by ${label}`;
  el.chart.replaceChildren(...res.items.map((g) => {
    const li = document.createElement('li');
    li.className = 'bar-row';
    const name = document.createElement('span');
    name.className = 'bar-label';
    name.textContent = g.label == null ? '(none)' : String(g.label);
    name.title = name.textContent;
    const track = document.createElement('span');
    track.className = 'bar-track';
    const bar = document.createElement('span');
    bar.className = `bar${el.groupBy.value === 'status' ? ` status-bg-${g.label}` : ''}`;
    bar.style.width = `${(g.count / max) * 100}%`;
    track.append(bar);
    const n = document.createElement('span');
    n.className = 'bar-count';
    n.textContent = String(g.count);
    li.append(name, track, n);
    li.setAttribute('aria-label', `${name.textContent}: ${g.count}`);
    return li;
  }));
}

// ---- views: Table, Groups, Explain (a tab list: arrow keys move between tabs) ------------

function showView(next, focus = false, { ask = true } = {}) {
  view = next;
  VIEWS.forEach((v, i) => {
    const on = v === view;
    tabs[i].setAttribute('aria-selected', String(on));
    tabs[i].tabIndex = on ? 0 : -1;
    $(`view-${v}`).hidden = !on;
  });
  if (focus) tabs[VIEWS.indexOf(view)].focus();
  writeUrlState();
  if (view === 'groups') renderGroups(lastOptions);
  if (view === 'explain' && ask && !el.explain.childElementCount) explain();
}

tabs.forEach((tab, i) => {
  tab.addEventListener('click', () => showView(VIEWS[i]));
  tab.addEventListener('keydown', (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (step) { e.preventDefault(); showView(VIEWS[(i + step + VIEWS.length) % VIEWS.length], true); }
    if (e.key === 'Home') { e.preventDefault(); showView(VIEWS[0], true); }
    if (e.key === 'End') { e.preventDefault(); showView(VIEWS[VIEWS.length - 1], true); }
  });
});
el.groupBy.addEventListener('change', () => { writeUrlState(); renderGroups(lastOptions); });

// ---- explain: what the edge pushes down per source ---------------------------------------

function client() {
  const base = el.base.value.trim() || location.origin;
  return createClient({ baseUrl: base, key: el.key.value || undefined });
}

// The key goes to another origin only when asked (a shared link may name any base URL).
function keyMayGo() {
  const base = el.base.value.trim();
  if (!base || !el.key.value) return true;
  try {
    if (new URL(base, location.href).origin === location.origin) return true;
  } catch {
    return false;
  }
  return window.confirm(`Send the API key to ${new URL(base, location.href).origin}?`);
}

async function explain() {
  el.explain.replaceChildren();
  const note = document.createElement('p');
  note.className = 'status';
  note.textContent = 'asking the edge…';
  el.explain.append(note);
  const query = { filter: el.filter.value.trim() || undefined, sort: el.sort.value.trim() || undefined, explain: true, limit: 0 };
  try {
    const page = await client().orders.list(query);
    el.explain.replaceChildren(...Object.entries(page.sources ?? {}).map(([id, s]) => explainCard(id, s)));
  } catch (e) {
    note.className = 'status error';
    note.textContent = `explain failed: ${e.code ? `${e.code}: ` : ''}${e.message}`;
  }
}

function explainCard(id, s) {
  const card = document.createElement('article');
  card.className = `explain-card ${s.status}`;
  card.dataset.source = id;
  const h = document.createElement('h3');
  h.textContent = id;
  const badge = document.createElement('span');
  badge.className = `badge ${s.status}`;
  badge.textContent = s.status;
  h.append(' ', badge);
  const dl = document.createElement('dl');
  const row = (name, value, cls) => {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    if (Array.isArray(value)) {
      const ul = document.createElement('ul');
      ul.append(...value.map((v) => { const li = document.createElement('li'); li.textContent = v; return li; }));
      dd.append(ul);
    } else {
      dd.textContent = value;
    }
    if (cls) dd.className = cls;
    dl.append(dt, dd);
  };
  const e = s.explain;
  // The planner's lines: `[exact|inexact|unsupported] <conjunct>  =>  <native form>`.
  const parts = (e?.plan ?? '').split('\n')
    .map((l) => /^\s*\[(exact|inexact|unsupported)\] (.*?)(?:\s+=>\s+(.*))?$/.exec(l))
    .filter(Boolean);
  const pruned = /pruned \((.*)\): no request/.exec(e?.plan ?? '');
  if (pruned || s.status === 'skipped') {
    row('no request', pruned ? `pruned: ${pruned[1]}` : (s.reason ?? 'skipped'));
  } else if (e) {
    row('native request', e.requests?.length ? e.requests : ['(none: limit=0 needed no page)'], 'mono requests');
    if (parts.length) {
      row('filter parts', parts.map(([, kind, text, native]) => (kind === 'unsupported'
        ? `${text} — at the edge`
        : `${text} — pushed${kind === 'inexact' ? ' (superset: re-checked at the edge)' : ''}${native ? ` as ${native}` : ''}`)), 'mono parts');
    }
    row('stays at the edge', e.residual ?? 'nothing: the source answers the filter exactly', 'mono residual');
    row('sort', e.sortPushed ? 'by the source' : 'at the edge');
  } else {
    row('why', s.reason ?? s.error?.message ?? 'no explain details');
  }
  if (e?.plan) {
    const more = document.createElement('details');
    const sum = document.createElement('summary');
    sum.textContent = 'planner’s notes';
    const pre = document.createElement('pre');
    pre.textContent = e.plan.trim();
    more.append(sum, pre);
    card.append(h, dl, more);
    return card;
  }
  card.append(h, dl);
  return card;
}
el.explainBtn.addEventListener('click', explain);

// ---- downloads: every matching record of the current query -------------------------------

function matching() {
  const out = [];
  const opts = { ...lastOptions, offset: 0, limit: 1000 };
  for (;;) {
    const r = runQuery(records, opts);
    out.push(...r.items);
    opts.offset += r.count;
    if (!r.count || opts.offset >= r.total) return out;
  }
}

const csvCell = (v) => {
  if (v == null) return '';
  const d = asDate(v);
  const t = d ? isoUtc(d) : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
};

function download(name, type, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

el.downloadCsv.addEventListener('click', () => {
  if (!records || !lastOptions) return;
  const cols = columns();
  const lines = [cols.join(','), ...matching().map((r) => cols.map((c) => csvCell(pick(r, c))).join(','))];
  download('flexedge-orders.csv', 'text/csv', `${lines.join('\r\n')}\r\n`);
});
el.downloadNdjson.addEventListener('click', () => {
  if (!records || !lastOptions) return;
  // Whole records (or the selected paths), dates in one format.
  const norm = (v) => (Array.isArray(v) ? v.map(norm)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]))
      : asDate(v) ? isoUtc(asDate(v)) : v);
  download('flexedge-orders.ndjson', 'application/x-ndjson', matching().map((r) => `${JSON.stringify(norm(r))}\n`).join(''));
});

// ---- fetching from the API ---------------------------------------------------------------

function renderSources(sources) {
  const items = Object.entries(sources ?? {}).map(([id, s]) => {
    const li = document.createElement('li');
    li.className = `badge ${s.status}`;
    li.dataset.source = id;
    const name = document.createElement('strong');
    name.textContent = id;
    const detail = [s.status];
    if (s.total != null) detail.push(`${s.total} total`);
    if (s.requests != null) detail.push(`${s.requests} req`);
    if (s.ms != null) detail.push(`${s.ms} ms`);
    li.append(name, ` ${detail.join(' · ')}`);
    if (s.error) li.title = typeof s.error === 'string' ? s.error : (s.error.code ?? JSON.stringify(s.error));
    return li;
  });
  if (!items.length) {
    const li = document.createElement('li');
    li.className = 'badge idle';
    li.textContent = 'no source status';
    items.push(li);
  }
  el.sources.replaceChildren(...items);
}

async function fetchOrders({ auto = false } = {}) {
  localStorage.setItem('flexedge.base', el.base.value.trim());
  sessionStorage.setItem('flexedge.key', el.key.value);
  writeUrlState();
  if (!keyMayGo()) {
    el.fetchStatus.className = 'status';
    el.fetchStatus.textContent = auto ? 'press “Fetch orders” to send the key to that API' : 'not fetched';
    return;
  }
  const limit = Number(el.fetchLimit.value || 1000);
  el.fetchBtn.disabled = true;
  el.fetchStatus.className = 'status';
  el.fetchStatus.textContent = `fetching /v1/orders?limit=${limit}…`;
  const t0 = performance.now();
  try {
    const body = await client().orders.list({ limit });
    // Keep the items as JSON bytes: the engine parses them straight from the buffer.
    records = new TextEncoder().encode(JSON.stringify(body.items ?? []));
    schema = 'record';
    loadedCount = body.items?.length ?? 0;
    sourceTotal = body.total ?? null;
    renderSources(body.sources);
    el.explain.replaceChildren();
    if (view === 'explain') explain();
    const more = body.next ? ' (more available at the API)' : '';
    el.fetchStatus.textContent = `${loadedCount} records in ${Math.round(performance.now() - t0)} ms${more}`;
  } catch (e) {
    el.fetchStatus.className = 'status error';
    el.fetchStatus.textContent = `fetch failed: ${e.status ? `${e.status} ` : ''}${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' ');
  } finally {
    el.fetchBtn.disabled = false;
  }
  update();
}

// ---- wiring -----------------------------------------------------------------------------

function syncScroll(field) {
  field.mirror.scrollLeft = field.input.scrollLeft;
}

for (const [name, field] of Object.entries(fields)) {
  field.input.addEventListener('input', update);
  field.input.addEventListener('scroll', () => syncScroll(field));
  field.input.addEventListener('keyup', () => syncScroll(field));
  field.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.altKey && field.lastError?.suggestion) {
      e.preventDefault();
      applySuggestion(name, field.lastError);
    } else if (e.key === 'Escape' && field.input.value) {
      field.input.value = '';
      update();
    }
  });
}
el.limit.addEventListener('input', update);
el.connection.addEventListener('submit', (e) => { e.preventDefault(); fetchOrders(); });
document.addEventListener('keydown', (e) => {
  const typing = ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName);
  if (e.key === '/' && !typing) { e.preventDefault(); el.filter.focus(); }
});

readUrlState();
renderTable([]);
try {
  await init();
  ready = true;
  el.engine.textContent = `engine ${version()} · WebAssembly`;
} catch (e) {
  el.engine.textContent = `the engine failed to load: ${e.message}`;
  el.engine.classList.add('error');
}
update();
showView(view, false, { ask: false });
if (location.protocol.startsWith('http') || el.base.value) fetchOrders({ auto: true });
