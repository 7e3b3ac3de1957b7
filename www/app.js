// The flexedge playground: fetch normalized records from /v1/orders once, then refine them
// locally with the same WebAssembly filter engine the edge runs (no round trip per keystroke).
// No framework, no build step; state lives in the URL (except the API key).
import init, { parseFilter, runQuery, version } from './pkg/flexedge.js';

const $ = (id) => document.getElementById(id);
const el = {
  engine: $('engine'), connection: $('connection'), base: $('base'), key: $('key'),
  fetchLimit: $('fetchLimit'), fetchBtn: $('fetch'), sources: $('sources'), fetchStatus: $('fetchStatus'),
  filter: $('filter'), sort: $('sort'), select: $('select'), limit: $('limit'),
  summary: $('summary'), table: $('results'),
};
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

// ---- state in the URL -------------------------------------------------------------------

function readUrlState() {
  const p = new URLSearchParams(location.search);
  el.filter.value = p.get('filter') ?? '';
  el.sort.value = p.get('sort') ?? '';
  el.select.value = p.get('select') ?? '';
  if (p.has('limit')) el.limit.value = p.get('limit');
  if (p.has('fetch')) el.fetchLimit.value = p.get('fetch');
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

function format(v) {
  if (v == null) return '';
  if (typeof v === 'string') return v.replace(/T00:00:00(\.000)?Z$/, '');
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

// Origins the key may go to: this page's, and any other only once the user said so (a
// link with ?base=https://elsewhere must not collect the key).
const keyOrigins = new Set([location.origin]);

async function fetchOrders() {
  const base = el.base.value.trim() || location.origin;
  localStorage.setItem('flexedge.base', el.base.value.trim());
  sessionStorage.setItem('flexedge.key', el.key.value);
  writeUrlState();
  const url = new URL('/v1/orders', base);
  if (el.key.value && !keyOrigins.has(url.origin)) {
    if (!confirm(`Send your API key to ${url.origin}?`)) {
      el.fetchStatus.className = 'status error';
      el.fetchStatus.textContent = `not fetched: the API key was not sent to ${url.origin}`;
      return;
    }
    keyOrigins.add(url.origin);
  }
  url.searchParams.set('limit', el.fetchLimit.value || '1000');
  el.fetchBtn.disabled = true;
  el.fetchStatus.className = 'status';
  el.fetchStatus.textContent = `fetching ${url.pathname}${url.search}…`;
  const t0 = performance.now();
  try {
    const headers = { accept: 'application/json' };
    if (el.key.value) headers.authorization = `Bearer ${el.key.value}`;
    const res = await fetch(url, { headers });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const body = JSON.parse(new TextDecoder().decode(bytes));
    if (!res.ok) throw new Error(`${res.status} ${body.code ?? ''} ${body.detail ?? body.title ?? ''}`.trim());
    // Keep the items as JSON bytes: the engine parses them straight from the buffer.
    records = new TextEncoder().encode(JSON.stringify(body.items ?? []));
    schema = 'record';
    loadedCount = body.items?.length ?? 0;
    sourceTotal = body.total ?? null;
    renderSources(body.sources);
    const more = body.next ? ' (more available at the API)' : '';
    el.fetchStatus.textContent = `${loadedCount} records in ${Math.round(performance.now() - t0)} ms${more}`;
  } catch (e) {
    el.fetchStatus.className = 'status error';
    el.fetchStatus.textContent = `fetch failed: ${e.message}`;
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
if (location.protocol.startsWith('http') || el.base.value) fetchOrders();
