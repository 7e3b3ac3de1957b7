// The playground's views in headless Chromium (playwright-core driving Debian's chromium),
// loaded from `wrangler dev` (FLEXEDGE_URL; scripts/e2e.sh runs it against the mock):
// state in the URL (filter, sort, select, group-by, view), the group-by bar chart, the
// explain view, the CSV and NDJSON downloads, one date format, the keyboard, light and
// dark. Without FLEXEDGE_LIVE=1 `/v1/orders` lists come from tests/e2e/fixtures/orders.json
// (explain requests always reach the Worker). Screenshots go to tests/e2e/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
const live = process.env.FLEXEDGE_LIVE === '1';
const out = new URL('./out/', import.meta.url);
mkdirSync(out, { recursive: true });
const fixture = JSON.parse(readFileSync(new URL('./fixtures/orders.json', import.meta.url), 'utf8'));
const shot = (name) => new URL(name, out).pathname;

let browser;
let page;
const errors = [];

async function open(query) {
  await page.goto(`${base}/?${new URLSearchParams(query)}`);
  await page.waitForFunction(() => /records in/.test(document.getElementById('fetchStatus').textContent), null, { timeout: 30000 });
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => errors.push(e.message));
  if (!live) {
    await page.route('**/v1/orders**', async (route) => {
      if (new URL(route.request().url()).searchParams.has('explain')) return route.continue();
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(fixture) });
    });
  }
});

after(async () => { await browser?.close(); });

const bars = () => page.$$eval('#chart .bar-row', (rows) => rows.map((r) => ({
  label: r.querySelector('.bar-label').textContent,
  count: Number(r.querySelector('.bar-count').textContent),
  width: r.querySelector('.bar').getBoundingClientRect().width,
})));
const matchingTotal = async () => Number(/of (\d+) matching/.exec(await page.textContent('#summary'))[1]);

test('state in the URL opens the group-by view with a bar chart from the engine', async () => {
  await open({ filter: "status ne 'draft'", sort: 'endDate desc', group: 'source', view: 'groups' });
  assert.equal(await page.getAttribute('#tab-groups', 'aria-selected'), 'true');
  assert.equal(await page.isVisible('#view-table'), false);
  assert.equal(await page.inputValue('#groupBy'), 'source');
  await page.waitForSelector('#chart .bar-row');
  const b = await bars();
  assert.ok(b.length >= 2, JSON.stringify(b));
  assert.ok(b.every((x) => ['hpe_flex', 'fno_orders', 'fno_entitlements', 'telecomx_flexcare'].includes(x.label)));
  assert.equal(b.reduce((n, x) => n + x.count, 0), await matchingTotal());
  // Bars are drawn to scale: the largest group has the longest bar.
  const top = b.reduce((m, x) => (x.count > m.count ? x : m));
  assert.ok(b.every((x) => x.width <= top.width + 0.5 && x.width > 0), JSON.stringify(b));
  if (!live) assert.equal(b.reduce((n, x) => n + x.count, 0), fixture.items.filter((r) => r.status !== 'draft').length);
  await page.screenshot({ path: shot('page-chart-light.png'), fullPage: true });
});

test('group by status, customer and month of end date; the choice goes into the URL', async () => {
  for (const [value, check] of [
    ['status', (l) => ['active', 'inactive', 'expired', 'obsolete', 'unknown'].includes(l)],
    ['customer/name', (l) => l.length > 0],
    ['endDate:month', (l) => /^\d{4}-\d{2}$/.test(l) || l === '(none)'],
  ]) {
    await page.selectOption('#groupBy', value);
    await page.waitForFunction((v) => new URL(location.href).searchParams.get('group') === (v === 'status' ? null : v) || (v === 'status' && !new URL(location.href).searchParams.has('group')), value);
    const b = await bars();
    assert.ok(b.length > 0 && b.every((x) => check(x.label)), `${value}: ${JSON.stringify(b)}`);
    assert.equal(b.reduce((n, x) => n + x.count, 0), await matchingTotal(), value);
  }
  const months = (await bars()).map((x) => x.label).filter((l) => l !== '(none)');
  assert.deepEqual(months, [...months].sort(), 'months in order');
  await page.emulateMedia({ colorScheme: 'dark' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(18, 21, 27)');
  await page.screenshot({ path: shot('page-chart-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('the keyboard moves between the views, with a visible focus ring', async () => {
  await page.focus('#tab-groups');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-table');
  assert.equal(await page.getAttribute('#tab-table', 'aria-selected'), 'true');
  assert.ok(await page.isVisible('#results'));
  // Keyboard focus shows an outline.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  assert.equal(new URL(page.url()).searchParams.get('view'), null);
});

test('one date format across sources in the table', async () => {
  await page.fill('#select', 'id, source, endDate, createdAt');
  await page.waitForFunction(() => document.querySelectorAll('#results thead th').length === 4);
  const dates = await page.$$eval('#results tbody tr', (rows) => rows.flatMap((r) => [r.children[2].textContent, r.children[3].textContent]));
  const nonEmpty = dates.filter(Boolean);
  assert.ok(nonEmpty.length > 0);
  assert.ok(nonEmpty.every((d) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/.test(d)), nonEmpty.slice(0, 5).join(' | '));
});

test('CSV and NDJSON downloads hold every matching record', async () => {
  await page.fill('#limit', '5');
  await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length <= 5);
  const total = await matchingTotal();
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#downloadCsv')]);
  assert.equal(csv.suggestedFilename(), 'flexedge-orders.csv');
  const lines = readFileSync(await csv.path(), 'utf8').trimEnd().split('\r\n');
  assert.equal(lines[0], 'id,source,endDate,createdAt');
  assert.equal(lines.length - 1, total);
  for (const l of lines.slice(1)) {
    const cells = l.split(',');
    assert.ok(cells.slice(2).every((d) => d === '' || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(d)), l);
  }
  const [nd] = await Promise.all([page.waitForEvent('download'), page.click('#downloadNdjson')]);
  const rows = readFileSync(await nd.path(), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, total);
  assert.ok(rows.every((r) => Object.keys(r).every((k) => ['id', 'source', 'endDate', 'createdAt'].includes(k))));
  assert.deepEqual(rows.map((r) => r.id), lines.slice(1).map((l) => l.split(',')[0]));
});

test('explain: per source, the native request and what stays at the edge', async () => {
  await open({ filter: "status eq 'active' and contains(customer/name, 'a')", view: 'explain' });
  await page.waitForSelector('#explain .explain-card', { timeout: 30000 });
  const cards = await page.$$eval('#explain .explain-card', (cs) => cs.map((c) => ({
    source: c.dataset.source,
    text: c.textContent,
    requests: [...c.querySelectorAll('dd.requests li')].map((li) => li.textContent),
    residual: c.querySelector('dd.residual')?.textContent,
  })));
  assert.deepEqual(cards.map((c) => c.source).sort(), ['fno_entitlements', 'fno_orders', 'hpe_flex', 'telecomx_flexcare']);
  for (const c of cards) {
    // Each source either was asked (its native request and what stays at the edge) or
    // was pruned by the filter (no request at all).
    assert.ok(/native request/.test(c.text) ? c.residual : /no request/.test(c.text), `${c.source}: ${c.text}`);
  }
  // contains() on a customer name is not something GreenLake's filter can do: it stays.
  const hpe = cards.find((c) => c.source === 'hpe_flex');
  assert.ok(hpe.requests.length >= 1 && hpe.requests.every((r) => r.includes('/flex/v1beta1/orders')), JSON.stringify(hpe));
  assert.match(hpe.residual, /contains\(customer\/name, 'a'\)/);
  assert.equal(await page.getAttribute('#tab-explain', 'aria-selected'), 'true');
  await page.screenshot({ path: shot('page-explain.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: shot('page-explain-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(errors, []);
});
