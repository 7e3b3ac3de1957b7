// The playground never sends the API key to another origin without asking: a page opened
// with ?base=<another origin> asks first (Playwright answers the dialog), sends nothing
// when told no, and sends the key once told yes. Loopback only: the "other origin" is the
// mock server's, and its answers are faked by page.route.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
const other = process.env.FLEXEDGE_MOCK_URL ?? 'http://127.0.0.1:8791';

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await browser?.close(); });

async function open(answer) {
  const page = await browser.newPage();
  const seen = { dialogs: [], auth: [] };
  page.on('dialog', async (d) => {
    seen.dialogs.push(d.message());
    await (answer ? d.accept() : d.dismiss());
  });
  await page.route(`${other}/**`, async (route) => {
    seen.auth.push(route.request().headers().authorization ?? null);
    await route.fulfill({ status: 200, contentType: 'application/json', body: '{"items":[],"count":0,"offset":0,"sources":{}}' });
  });
  await page.goto(`${base}/?base=${encodeURIComponent(other)}`);
  await page.waitForFunction(() => /records in|not fetched|send the key|failed/.test(document.getElementById('fetchStatus').textContent),
    null, { timeout: 30000 });
  return { page, seen };
}

test('told no: nothing is sent to the other origin', async () => {
  const { page, seen } = await open(false);
  assert.equal(seen.dialogs.length, 1);
  assert.match(seen.dialogs[0], new RegExp(other.replace(/[.]/g, '\\.')));
  assert.deepEqual(seen.auth, []);
  assert.match(await page.textContent('#fetchStatus'), /send the key to that API/);
  await page.close();
});

test('told yes: the key goes, and the page asks once per origin', async () => {
  const { page, seen } = await open(true);
  assert.deepEqual(seen.auth, ['Bearer flexedge-dev']);
  await page.click('#fetch');
  await page.waitForFunction(() => /records in/.test(document.getElementById('fetchStatus').textContent));
  assert.equal(seen.dialogs.length, 1);
  assert.equal(seen.auth.length, 2);
  await page.close();
});
