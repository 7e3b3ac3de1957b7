// The playground page in headless Chromium (playwright-core driving Debian's chromium),
// loaded from `wrangler dev` (FLEXEDGE_URL, started by scripts/e2e.sh). By default the
// `/v1/orders` request is answered from tests/e2e/fixtures/orders.json by page.route;
// FLEXEDGE_LIVE=1 lets it reach the Worker's real endpoint instead.
// Screenshots go to tests/e2e/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
const live = process.env.FLEXEDGE_LIVE === '1';
const out = new URL('./out/', import.meta.url);
mkdirSync(out, { recursive: true });
const fixture = JSON.parse(readFileSync(new URL('./fixtures/orders.json', import.meta.url), 'utf8'));

let browser;
let page;
const seen = { auth: [] };

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => { seen.pageError = e; });
  if (!live) {
    await page.route('**/v1/orders**', async (route) => {
      seen.auth.push(route.request().headers().authorization);
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(fixture) });
    });
  }
  await page.goto(`${base}/`);
  await page.waitForFunction(() => /records in/.test(document.getElementById('fetchStatus').textContent)
    || /failed/.test(document.getElementById('fetchStatus').textContent), null, { timeout: 30000 });
});

after(async () => { await browser?.close(); });

const cells = (col) => page.$$eval('#results tbody tr', (rows, c) => {
  const heads = [...document.querySelectorAll('#results thead th')].map((th) => th.textContent);
  const i = heads.indexOf(c);
  return rows.map((r) => r.children[i]?.textContent);
}, col);

async function typeInto(selector, text) {
  await page.fill(selector, '');
  await page.locator(selector).pressSequentially(text);
}

test('the page loads the engine and fetches the orders with the dev key', async () => {
  assert.match(await page.textContent('#engine'), /^engine \d+\.\d+\.\d+/);
  assert.match(await page.textContent('#fetchStatus'), /^\d+ records in/);
  assert.equal(seen.pageError, undefined);
  const badges = await page.$$eval('#sources .badge', (b) => b.map((x) => [x.dataset.source, x.className]));
  if (!live) {
    assert.deepEqual(seen.auth, ['Bearer flexedge-dev']);
    assert.deepEqual(badges.map(([s]) => s), Object.keys(fixture.sources));
    assert.deepEqual(badges.find(([s]) => s === 'telecomx_flexcare')[1], 'badge error');
    assert.equal((await cells('id')).length, fixture.items.length);
  } else {
    assert.ok(badges.length >= 1);
  }
});

test('typing a filter refines the table locally', async () => {
  await typeInto('#filter', "status eq 'active' and endDate gt 2024-06-01");
  await page.waitForFunction(() => /matching/.test(document.getElementById('summary').textContent));
  const statuses = await cells('status');
  assert.ok(statuses.length > 0, 'some record matches');
  assert.ok(statuses.every((s) => s === 'active'), statuses.join());
  const ends = await cells('endDate');
  assert.ok(ends.every((d) => d >= '2024-06-01'), ends.join());
  if (!live) {
    const expected = fixture.items.filter((r) => r.status === 'active' && r.endDate > '2024-06-01T00:00:00Z');
    assert.equal(statuses.length, expected.length);
    assert.match(await page.textContent('#summary'), new RegExp(`of ${expected.length} matching`));
  }
  assert.equal(new URL(page.url()).searchParams.get('filter'), "status eq 'active' and endDate gt 2024-06-01");
  assert.equal(await page.getAttribute('#filter', 'aria-invalid'), null);
  await page.screenshot({ path: new URL('page-results.png', out).pathname, fullPage: true });
});

test('sort and select shape the table', async () => {
  await typeInto('#sort', 'endDate desc');
  await typeInto('#select', 'id, customer/name, endDate');
  await page.waitForFunction(() => document.querySelectorAll('#results thead th').length === 3);
  const heads = await page.$$eval('#results thead th', (t) => t.map((x) => x.textContent));
  assert.deepEqual(heads, ['id', 'customer/name', 'endDate']);
  const ends = await cells('endDate');
  assert.deepEqual(ends, [...ends].sort().reverse());
});

test('a broken filter is underlined at its position with the message', async () => {
  const text = "status eq 'active' xor kind eq 'order'";
  await typeInto('#filter', text);
  const mark = page.locator('#filterMirror .error-mark');
  await mark.waitFor();
  assert.equal(await mark.textContent(), 'xor');
  assert.equal(Number(await mark.getAttribute('data-start')), text.indexOf('xor'));
  assert.equal(await page.getAttribute('#filter', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#filterMessage'), /filter\.syntax\.unexpected_token/);
  // The underline sits under the text it marks: inside the input, not at its left edge.
  const box = await mark.boundingBox();
  const input = await page.locator('#filter').boundingBox();
  assert.ok(box.width > 0 && box.x > input.x + 50 && box.x + box.width < input.x + input.width, JSON.stringify({ box, input }));
  await page.screenshot({ path: new URL('page-error.png', out).pathname, fullPage: false });
});

let customerFilter;

test('an unknown field offers its suggestion, applied with Alt+Enter', async () => {
  await page.fill('#select', '');
  await typeInto('#filter', 'customer/name ne null');
  await page.waitForFunction(() => /matching/.test(document.getElementById('summary').textContent));
  const who = (await cells('customer/name'))[0];
  assert.ok(who, 'a record with a customer name');
  customerFilter = `customer/name eq '${who.replaceAll("'", "''")}'`;
  await typeInto('#filter', `custmer/name eq '${who.replaceAll("'", "''")}'`);
  await page.locator('#filterMessage .suggestion').waitFor();
  assert.match(await page.textContent('#filterMessage'), /customer\/name/);
  assert.equal(await page.textContent('#filterMirror .error-mark'), 'custmer/name');
  await page.screenshot({ path: new URL('page-suggestion.png', out).pathname, fullPage: false });
  await page.focus('#filter');
  await page.keyboard.press('Alt+Enter');
  assert.equal(await page.inputValue('#filter'), customerFilter);
  await page.waitForFunction(() => !document.querySelector('#filterMirror .error-mark'));
  const names = await cells('customer/name');
  assert.ok(names.length > 0 && names.every((n) => n === who), names.join());
});

test('the state survives a reload through the URL, and / focuses the filter', async () => {
  await page.reload();
  await page.waitForFunction(() => /records in/.test(document.getElementById('fetchStatus').textContent));
  assert.equal(await page.inputValue('#filter'), customerFilter);
  assert.equal(await page.inputValue('#sort'), 'endDate desc');
  await page.click('h1');
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'filter');
});
