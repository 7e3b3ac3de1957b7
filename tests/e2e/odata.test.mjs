// End-to-end: the OData service at /odata under `wrangler dev`, every source on the mock
// (scripts/e2e.sh). $metadata is checked by OASIS's CSDL converter (npm odata-csdl); the
// Orders set is read by a Python OData client library (python-odata) that builds its
// entity classes from $metadata; answers are compared with the native API's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xml2json } from 'odata-csdl';
import { get, pythonClient, q } from './odata/helpers.mjs';

test('$metadata is CSDL: the OASIS converter reads the XML into our CSDL JSON', async () => {
  const x = await get('/odata/$metadata', { key: null });
  assert.equal(x.status, 200);
  assert.match(x.res.headers.get('content-type'), /^application\/xml/);
  assert.equal(x.res.headers.get('odata-version'), '4.0');
  // xml2json validates as it converts: unknown elements or attributes, missing
  // required ones and misplaced children throw.
  const converted = xml2json(x.text, {});
  const j = await get('/odata/$metadata?$format=json', { key: null });
  assert.equal(j.status, 200);
  assert.deepEqual(converted, j.body);
  assert.deepEqual(converted.flexedge.Record.$Key, ['id']);
  assert.equal(converted.flexedge.Service.Orders.$Type, 'flexedge.Record');
  assert.equal(converted.flexedge.Attributes.$OpenType, true);
  const doc = await get('/odata', { key: null });
  assert.deepEqual(doc.body.value.map((s) => s.name), ['Orders', 'Devices']);
});

test('a client library reads $metadata and lists Orders with $filter, $orderby, $top', async () => {
  const r = await pythonClient('list');
  assert.deepEqual(r.sets, ['Devices', 'Orders']);
  // python-odata parenthesizes each condition it is given.
  assert.match(r.url, /\$filter=\(status eq 'active'\)/);
  assert.match(r.url, /\$orderby=endDate desc,id asc/);
  assert.match(r.url, /\$top=5/);
  const native = await get(`/v1/orders?filter=${q("status eq 'active'")}&sort=${q('endDate desc, id asc')}&limit=5`);
  assert.equal(native.status, 200);
  assert.deepEqual(r.ids, native.body.items.map((i) => i.id));
  assert.equal(r.endDateType, 'datetime');
  assert.equal(r.customerType, 'dict');
});

test('$count equals the native total', async () => {
  for (const f of [null, "status eq 'active'", "source in ('hpe_flex', 'fno_orders') and endDate ge 2026-01-01"]) {
    const filter = f ? `&$filter=${q(f)}` : '';
    const o = await get(`/odata/Orders?$count=true&$top=0${filter}`);
    assert.equal(o.status, 200, o.text);
    const n = await get(`/v1/orders?limit=0${f ? `&filter=${q(f)}` : ''}`);
    assert.equal(o.body['@odata.count'], n.body.total, f);
    const c = await get(`/odata/Orders/$count${f ? `?$filter=${q(f)}` : ''}`);
    assert.equal(Number(c.text), n.body.total);
  }
});

test('next links carry the native token and walk the answer once', async () => {
  const prefer = { prefer: 'odata.maxpagesize=100' };
  const total = (await get('/v1/orders?limit=0')).body.total;
  const seen = new Set();
  let url = '/odata/Orders?$orderby=id';
  // The same walk on the native API, page by page: each next link's $skiptoken is a
  // native `next` token (the native API follows it to the same page). The tokens are not
  // compared as text: they carry their issue time, which may tick between two requests.
  let native = await get('/v1/orders?sort=id&limit=100');
  let pages = 0;
  while (url && pages < 50) {
    const r = await get(url, { headers: prefer });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.value.map((i) => i.id), native.body.items.map((i) => i.id));
    for (const it of r.body.value) {
      assert.ok(!seen.has(it.id), `twice: ${it.id}`);
      seen.add(it.id);
    }
    url = r.body['@odata.nextLink'];
    const token = url ? new URL(url).searchParams.get('$skiptoken') : undefined;
    assert.equal(token !== undefined, native.body.next !== undefined, 'both pages have a next, or neither');
    if (token) native = await get(`/v1/orders?sort=id&limit=100&next=${q(token)}`);
    pages += 1;
  }
  assert.equal(seen.size, total);
  assert.equal(pages, Math.ceil(total / 100));
});

test('errors are OData errors with the stable code, the option and the position', async () => {
  const r = await get(`/odata/Orders?$filter=${q("custmerName eq 'x'")}`);
  assert.equal(r.status, 400);
  assert.equal(r.res.headers.get('odata-version'), '4.0');
  assert.equal(r.body.error.code, 'filter.field.unknown');
  assert.equal(r.body.error.target, '$filter');
  assert.equal(r.body.error.details[0].target, '$filter');
  assert.deepEqual([r.body.error.innererror.span.start, r.body.error.innererror.span.end], [0, 11]);
  const e = await get(`/odata/Orders?$filter=${q('FirstName in (FirstName,LastName)')}`);
  assert.equal(e.body.error.innererror.span.start, 23);
  const u = await get('/odata/Orders', { key: null });
  assert.equal(u.status, 401);
  assert.equal(u.body.error.code, 'auth.unauthorized');
  assert.match(u.res.headers.get('www-authenticate'), /^Bearer/);
  const g = await get(`/odata/Orders?$apply=${q('groupby((status),aggregate($count as count))')}`);
  const t = await get('/v1/orders/transform?group-by=status&limit=1000');
  assert.deepEqual(g.body.value, t.body.items);
});

test('the native API takes the OData spellings, one spelling per parameter', async () => {
  const a = await get(`/v1/orders?$filter=${q("status eq 'active'")}&$top=3&$orderby=id&$count=true`);
  const b = await get(`/v1/orders?filter=${q("status eq 'active'")}&limit=3&sort=id`);
  assert.deepEqual(a.body.items, b.body.items);
  const both = await get(`/v1/orders?filter=${q("status eq 'active'")}&$filter=${q("status eq 'draft'")}`);
  assert.equal(both.status, 400);
  assert.match(both.body.detail, /same parameter/);
});
