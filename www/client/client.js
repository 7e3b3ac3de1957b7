// A typed client for the flexedge edge API (the routes of /openapi.json): one page, every
// page by following `next`, one record, group-by counts, the sources. Errors are thrown as
// FlexedgeProblem, carrying the problem+json fields. No dependencies: any `fetch` works
// (browsers, Node ≥ 18, Workers). The `next` token is opaque: it is sent back as it came.
import { readyEngine } from './engine.js';

/** Pages `pages()`/`all()` read at most, unless told otherwise. */
const DEFAULT_MAX_PAGES = 100;

const utf8Length = (s) => new TextEncoder().encode(s).length;

/**
 * An error answer of the API (`application/problem+json`, RFC 9457), or a failure of the
 * client itself (`code` starting with `client.`; `status` 0 when there was no answer).
 */
export class FlexedgeProblem extends Error {
  constructor(problem, { status = 0, text } = {}) {
    const p = problem && typeof problem === 'object' ? problem : {};
    super(p.detail || p.title || `HTTP ${status}`);
    this.name = 'FlexedgeProblem';
    this.status = typeof p.status === 'number' ? p.status : status;
    this.type = p.type ?? 'about:blank';
    this.title = p.title ?? '';
    this.detail = p.detail ?? this.message;
    this.code = p.code ?? (status ? `client.http_${status}` : 'client.error');
    if (p.requestId) this.requestId = p.requestId;
    if (p.parameter) this.parameter = p.parameter;
    if (p.span) {
      // `span` holds byte offsets (and UTF-16 ones) into the parameter's text; `start`
      // and `end` are the UTF-16 offsets, for `text.slice(start, end)`.
      this.span = { ...p.span };
      const startUtf16 = p.span.startUtf16 ?? p.span.start;
      const endUtf16 = p.span.endUtf16 ?? p.span.end;
      this.start = startUtf16;
      this.end = endUtf16;
    }
    if (p.suggestion) this.suggestion = p.suggestion;
    if (p.caret) this.caret = p.caret;
    if (text !== undefined) this.text = text;
    // Per-source errors: a strict-mode 502 names the failed source; its detail reads
    // "<source> failed (<code>): <message>".
    this.errors = {};
    if (p.source) {
      const m = /^\S+ failed \(([\w.]+)\): ([\s\S]*)$/.exec(p.detail ?? '');
      this.source = p.source;
      this.errors[p.source] = m ? { code: m[1], message: m[2] } : { code: this.code, message: this.detail };
    }
    if (p.errors && typeof p.errors === 'object') Object.assign(this.errors, p.errors);
    this.problem = p;
  }
}

function clientProblem(code, title, detail, extra = {}) {
  return new FlexedgeProblem({ type: `/problems/${code}`, title, detail, code, ...extra });
}

/** The engine's error for `text` (param `param`) as a FlexedgeProblem with byte and UTF-16 spans. */
function localProblem(e, param, text) {
  if (!e || typeof e.code !== 'string') throw e;
  const start = e.start ?? 0;
  const end = e.end ?? text.length;
  const span = {
    start: utf8Length(text.slice(0, start)),
    end: utf8Length(text.slice(0, end)),
    startUtf16: start,
    endUtf16: end,
  };
  return new FlexedgeProblem({
    type: `/problems/${e.code}`, title: 'Invalid query', status: 400,
    detail: `${param}: ${e.message}`, code: e.code, parameter: param, span,
    ...(e.suggestion ? { suggestion: e.suggestion } : {}),
  }, { status: 400, text });
}

/**
 * A client for one flexedge deployment.
 *
 *   const api = createClient({ baseUrl: 'https://edge.example', key: 'sk-…' });
 *   const page = await api.orders.list({ filter: "status eq 'active'", limit: 50 });
 *   for await (const r of api.orders.all({ sort: 'endDate desc' }, { signal })) …
 */
export function createClient(options = {}) {
  const { baseUrl, key, validate = false, headers: extraHeaders = {} } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function') throw new TypeError('createClient: no fetch function (pass options.fetch)');
  if (!baseUrl) throw new TypeError('createClient: baseUrl is required');
  const base = new URL(String(baseUrl), globalThis.location?.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';

  async function check(filter) {
    if (!validate || filter == null || filter === '') return;
    const engine = await readyEngine();
    if (!engine) throw clientProblem('client.no_engine', 'No engine', 'validate: true needs the package entry (flexedge), which loads the engine');
    try {
      engine.parseFilter(String(filter));
    } catch (e) {
      throw localProblem(e, 'filter', String(filter));
    }
  }

  async function request(path, params = {}, { signal, auth = true } = {}) {
    const url = new URL(path.replace(/^\//, ''), base);
    for (const [name, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== '') url.searchParams.set(name, String(v));
    }
    const headers = { accept: 'application/json', ...extraHeaders };
    if (auth && key) headers.authorization = `Bearer ${key}`;
    let res;
    try {
      res = await doFetch(url, { headers, signal });
    } catch (e) {
      if (signal?.aborted || e?.name === 'AbortError') throw e;
      throw clientProblem('client.network', 'Network error', `${url.origin}: ${e?.message ?? e}`);
    }
    const body = await res.text();
    let json = null;
    try {
      json = body ? JSON.parse(body) : null;
    } catch {
      throw new FlexedgeProblem({
        code: 'client.invalid_response', title: 'Invalid response',
        detail: `${res.status} ${url.pathname}: the answer is not JSON`,
      }, { status: res.status });
    }
    if (!res.ok) {
      const param = json?.parameter;
      throw new FlexedgeProblem(json, { status: res.status, text: param ? params[param] : undefined });
    }
    return json;
  }

  const listParams = (q = {}) => ({
    filter: q.filter, sort: q.sort, select: q.select, offset: q.offset, limit: q.limit,
    include: q.include, explain: q.explain, pushdown: q.pushdown, strict: q.strict,
  });

  /** list / pages / all over one list route. */
  function collection(path) {
    async function list(query = {}, { signal } = {}) {
      await check(query.filter);
      return request(path, { ...listParams(query), next: query.next }, { signal });
    }
    async function* pages(query = {}, { signal, maxPages = DEFAULT_MAX_PAGES } = {}) {
      await check(query.filter);
      let params = listParams(query);
      for (let n = 1; ; n++) {
        signal?.throwIfAborted();
        const page = await request(path, params, { signal });
        yield page;
        if (!page.next) return;
        if (n >= maxPages) {
          throw clientProblem('client.page_limit', 'Page limit reached',
            `stopped after ${maxPages} pages; more records follow (raise maxPages to read them)`);
        }
        // The token stands for the position; the query goes with it unchanged (without
        // the offset, which the token already carries).
        params = { ...listParams(query), offset: undefined, next: page.next };
      }
    }
    async function* all(query = {}, opts = {}) {
      for await (const page of pages(query, opts)) yield* page.items;
    }
    return { list, pages, all };
  }

  const orders = collection('/v1/orders');
  return {
    orders: {
      ...orders,
      async get(id, { include, signal } = {}) {
        return request(`/v1/orders/${encodeURIComponent(id)}`, { include }, { signal });
      },
      async transform(groupBy, query = {}, { signal } = {}) {
        await check(query.filter);
        const g = Array.isArray(groupBy) ? groupBy.join(',') : groupBy;
        return request('/v1/orders/transform', {
          'group-by': g, filter: query.filter, sort: query.sort, offset: query.offset,
          limit: query.limit, strict: query.strict,
        }, { signal });
      },
    },
    devices: collection('/v1/devices'),
    /** The unified search restricted to one source: `api.source('hpe_flex').list(…)`. */
    source: (id) => collection(`/v1/sources/${encodeURIComponent(id)}/orders`),
    async sources({ signal } = {}) {
      return (await request('/v1/sources', {}, { signal })).items;
    },
    async health({ signal } = {}) {
      return request('/health', {}, { signal, auth: false });
    },
  };
}
