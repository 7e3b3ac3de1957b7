// Deterministic normalized flexedge records (the shape `/v1/orders` answers with), for the
// browser benchmark and the page test's fixture. A small xorshift PRNG keeps runs identical.

const SOURCES = [
  ['hpe_flex', 'order'], ['fno_orders', 'line_item'],
  ['fno_entitlements', 'entitlement'], ['telecomx_flexcare', 'order'],
];
const CUSTOMERS = ['Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Wayne Enterprises',
  'Stark Industries', 'Hooli', 'Müller GmbH', 'Søren & Co', 'Tōkyō Telecom', 'Contoso', 'Northwind'];
const PRODUCTS = ['GreenLake Compute', 'FlexNet Publisher', 'IPTV Premium', 'Storage Flex', 'Edge Router'];
const STATUSES = ['active', 'active', 'active', 'inactive', 'expired', 'draft', 'obsolete'];
const PARTNERS = ['Arrow', 'Ingram Micro', 'TD Synnex', 'Computacenter'];

function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

const day = 86400000;
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** `n` records; the same `seed` gives the same records. */
export function makeRecords(n, seed = 7) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const out = [];
  const t0 = Date.UTC(2023, 0, 1);
  for (let i = 0; i < n; i++) {
    const [source, kind] = SOURCES[i % SOURCES.length];
    const sourceId = (0x3b741a59 + i * 7919).toString(16);
    const start = t0 + Math.floor(r() * 1200) * day;
    const rec = {
      id: `${source}:${sourceId}`, source, sourceId, kind,
      orderRef: `SO-${100000 + i}`,
      name: `${pick(PRODUCTS)} ${1 + (i % 9)}`,
      customer: { id: `C${1000 + (i % 97)}`, name: pick(CUSTOMERS) },
      status: pick(STATUSES),
      startDate: iso(start),
      createdAt: iso(start - Math.floor(r() * 30) * day - 3600000 * 5),
      updatedAt: iso(start + Math.floor(r() * 90) * day),
    };
    if (r() < 0.85) rec.endDate = iso(start + (365 + Math.floor(r() * 1100)) * day);
    else rec.isPermanent = true;
    if (r() < 0.7) rec.partners = [{ role: pick(['reseller', 'distributor', 'channel']), name: pick(PARTNERS) }];
    rec.items = [{ productName: pick(PRODUCTS), partNumber: `P${(i * 31) % 9000 + 1000}`, quantity: 1 + Math.floor(r() * 200) }];
    if (r() < 0.3) rec.items.push({ productName: pick(PRODUCTS), quantity: 1 + Math.floor(r() * 20), remaining: Math.floor(r() * 10) });
    if (r() < 0.4) rec.attributes = { tier: 1 + Math.floor(r() * 3), region: pick(['emea', 'amer', 'apj']) };
    out.push(rec);
  }
  return out;
}
