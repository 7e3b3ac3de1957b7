// End-to-end, the big corpus (scripts/e2e.sh's third phase: the mock with 2,000 records
// per source): the Python OData client follows @odata.nextLink to the end of all 8,000
// orders and sees every one exactly once; the native total agrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, pythonClient } from '../odata/helpers.mjs';

test('python-odata walks 4 × 2,000 orders through next links, each once', { timeout: 900_000 }, async () => {
  const total = (await get('/v1/orders?limit=0')).body.total;
  assert.equal(total, 8000);
  const r = await pythonClient('walk');
  assert.equal(r.count, 8000);
  assert.equal(r.distinct, 8000);
  // Pages of 1,000: the first request and seven next links.
  assert.equal(r.nextLinks, 7);
  assert.equal(r.requests, 8);
});
