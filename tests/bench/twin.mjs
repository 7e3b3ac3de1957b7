// The hand-written JavaScript twin of flexedge's per-request work for `GET /v1/orders`
// (issue #17: flexedge's wasm CPU per four-source request against the same work written
// plainly in JavaScript). Written as a small JS Worker would do it, with no tricks either way.
//
// What it does, per call (nothing is kept between calls):
// - takes the four vendors' list pages as they come back from `fetch` (`pages`: the
//   `{method, uri, status, body}` rows of `WasmBench.pages()`, bodies as strings) and picks
//   the ones its requests name: per source one page of ceil(limit / 4) records from the
//   start (GreenLake by `id asc`, FNO Beta by `entitlement_id`, TelecomX and FNO as they
//   list), and for the two FNO APIs, which give no total, the one-record page after it
//   that tells whether the list goes on;
// - `JSON.parse`s every body it uses (that parse is part of the measured work) and checks
//   it (HTTP status, FNO's `statusInfo`); a failing source is reported, the others answer;
// - maps each vendor item to the same normalized record flexedge writes (same member
//   names and values, absent members left out, empty lists and maps left out, numbers as
//   numbers, timestamps as RFC 3339 UTC with milliseconds only when non-zero, unzoned FNO
//   date-times as US Pacific, the same status words and expiry rule at `now`), each
//   record carrying the vendor's original object in `raw` with `includeRaw`;
// - merges in flexedge's default "native" order (the k-th record of every source before
//   the (k+1)-th of any, ties hpe_flex, fno_orders, fno_entitlements, telecomx_flexcare),
//   cuts to `limit` and `JSON.stringify`s an envelope like flexedge's: `items`, `count`,
//   `total` (only when every source's size is known), `offset`, `next` (only while some
//   source may have more), `order` and per-source `sources`.
//
// What it deliberately does not do (flexedge does; the default query needs none of it):
// no filter language, `select`, `sort` or `offset` (the default query has none: no
// residual filter to re-apply, the native order needs no sort), no pushdown planning, no
// read-ahead to fill a page when one source runs short (every source is asked for its
// share once), no retries, budget, deadline or circuit breaker, no credentials or token
// calls (flexedge caches its tokens, so a timed request makes none either), no cache,
// ETag or problem+json errors. `next` is this twin's own unsigned base64url position
// (flexedge signs its token with two HMAC-SHA256 tags); `budget` and `ms` are not
// reported. Every item it returns is mapped in full.
//
// One thing the input forces: `WasmBench.pages()` holds no request bodies, and FNO's
// list is a POST to one URL, so its page and its one-record look-ahead have the same
// request line. The twin parses both and takes the longer as the page. So `pages` must be
// those of one query shape (the bench's two paths make the same upstream requests).

export const SOURCES = ['hpe_flex', 'fno_orders', 'fno_entitlements', 'telecomx_flexcare'];

// ---------------------------------------------------------------------------------------
// Values

/** A non-blank string as sent (not trimmed); anything else is "no value". */
function text(v) {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** A JSON number, or undefined. */
function num(v) {
  return typeof v === 'number' ? v : undefined;
}

/** An object with only its defined members, or undefined when it has none. */
function some(obj) {
  for (const k in obj) if (obj[k] !== undefined) return obj;
  return undefined;
}

/** `partnertierone` from `bo.constants.partnertiernames.partnertierone` or `PARTNER_TIER_ONE`. */
function tierOf(vendor) {
  if (typeof vendor !== 'string') return undefined;
  const word = vendor.slice(vendor.lastIndexOf('.') + 1);
  const t = word.replace(/[^\p{Alphabetic}\p{N}]/gu, '').toLowerCase();
  return t === '' ? undefined : t;
}

// ---------------------------------------------------------------------------------------
// Dates: epoch ms (number or all-digit string), yyyy-MM-dd and yyyy/MM/dd (midnight UTC),
// RFC 3339 with Z or an offset, and unzoned date-times (T or space) in the vendor's zone.

const DATE = /^(\d{4})[-/](\d{2})[-/](\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$/;
const MAX_MS = 8.64e15; // the range of a JS Date

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `Date.UTC` without its mapping of years 0–99 to 1900–1999. */
function utc(y, month0, d, h = 0, mi = 0, s = 0, ms = 0) {
  if (y >= 100) return Date.UTC(y, month0, d, h, mi, s, ms);
  const t = new Date(Date.UTC(2000, month0, d, h, mi, s, ms));
  return t.setUTCFullYear(y);
}

function validDay(y, m, d) {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : MONTH_DAYS[m - 1]);
}

/** Midnight of the n-th (1-based) Sunday of a month, or of its last Sunday (n = -1), as UTC ms of the wall time. */
function sunday(y, month, n) {
  if (n > 0) {
    const first = new Date(utc(y, month - 1, 1)).getUTCDay();
    return utc(y, month - 1, 1 + ((7 - first) % 7) + 7 * (n - 1));
  }
  const last = new Date(utc(y, month, 0));
  return utc(y, month - 1, last.getUTCDate() - last.getUTCDay());
}

/** The US Pacific offset in minutes at a wall time (given as if it were UTC). */
function pacificOffset(y, wall) {
  const [start, end] = y >= 2007
    ? [sunday(y, 3, 2), sunday(y, 11, 1)]
    : [sunday(y, 4, 1), sunday(y, 10, -1)];
  const twoAm = 2 * 3600e3;
  return wall >= start + twoAm && wall < end + twoAm ? -7 * 60 : -8 * 60;
}

/** A vendor date as epoch ms, or undefined. `pacific`: unzoned date-times are US Pacific (FNO), else UTC. */
function parseDate(v, pacific) {
  let ms;
  if (typeof v === 'number') {
    ms = Number.isInteger(v) ? v : Number.isFinite(v) && Math.abs(v) < 9e15 ? Math.trunc(v) : undefined;
  } else if (typeof v === 'string') {
    const s = v.trim();
    let m;
    if (s.length >= 9 && /^\d+$/.test(s)) {
      ms = Number(s);
    } else if ((m = DATE.exec(s))) {
      const [y, mo, d] = [+m[1], +m[2], +m[3]];
      if (validDay(y, mo, d)) ms = utc(y, mo - 1, d);
    } else if ((m = DATE_TIME.exec(s))) {
      const [y, mo, d, h, mi, sec] = [+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]];
      if (validDay(y, mo, d) && h <= 23 && mi <= 59 && sec <= 59) {
        const frac = m[7] ? +(m[7] + '00').slice(0, 3) : 0;
        const wall = utc(y, mo - 1, d, h, mi, sec, frac);
        const zone = m[8];
        if (zone === 'Z' || zone === 'z') {
          ms = wall;
        } else if (zone) {
          const sign = zone[0] === '-' ? -1 : 1;
          const oh = +zone.slice(1, 3);
          if (oh <= 23) ms = wall - sign * (oh * 60 + +zone.slice(4, 6)) * 60e3;
        } else if (s[10] !== 't') {
          ms = wall - (pacific ? pacificOffset(y, wall) : 0) * 60e3;
        }
      }
    }
  }
  if (ms === undefined) return undefined;
  // Beyond a JS Date's range there is no date to print (flexedge writes `@<ms>ms` there).
  if (!(Math.abs(ms) <= MAX_MS)) return undefined;
  return ms;
}

/** RFC 3339 UTC: `2017-12-01T07:53:43Z`, `2017-08-26T05:03:07.541Z`. */
function iso(ms) {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
}

function stamp(v, pacific) {
  const ms = parseDate(v, pacific);
  return ms === undefined ? undefined : iso(ms);
}

// ---------------------------------------------------------------------------------------
// Statuses

function fnoStatus(state) {
  switch (state.trim().toUpperCase()) {
    case 'DEPLOYED': case 'ACTIVE': return 'active';
    case 'DRAFT': return 'draft';
    case 'TEST': case 'ON_HOLD': case 'INACTIVE': return 'inactive';
    case 'OBSOLETE': case 'OBSOLETED': return 'obsolete';
    default: return 'unknown';
  }
}

function betaStatus(s) {
  switch (s.trim().toLowerCase()) {
    case 'draft': return 'draft';
    case 'deployed': case 'active': return 'active';
    case 'inactive': return 'inactive';
    case 'obsolete': case 'obsoleted': return 'obsolete';
    default: return 'unknown';
  }
}

/** `expired` when the vendor says active but the end (ms) has passed. */
function withExpiry(status, endMs, now) {
  return status === 'active' && endMs !== undefined && endMs <= now ? 'expired' : status;
}

// ---------------------------------------------------------------------------------------
// Per-vendor mapping to the normalized record

function record(source, sourceId, kind) {
  return { id: `${source}:${sourceId}`, source, sourceId, kind };
}

function done(r, attributes, raw) {
  if (r.partners && r.partners.length === 0) r.partners = undefined;
  if (r.items && r.items.length === 0) r.items = undefined;
  if (r.devices && r.devices.length === 0) r.devices = undefined;
  r.attributes = Object.keys(attributes).length > 0 ? attributes : undefined;
  r.raw = raw;
  return r;
}

/** GreenLake Flex order (`GET /flex/v1beta1/orders`). */
function hpeOrder(o, now, includeRaw) {
  const r = record('hpe_flex', o.id, 'order');
  r.orderRef = text(o.sowId);
  const customer = text(o.customerName);
  r.customer = customer === undefined ? undefined : { name: customer };
  r.billingAccount = some({ id: text(o.billingAccountId), name: text(o.billingAccountName) });
  r.partners = [];
  for (const [role, name] of [['reseller', o.resellerName], ['distributor', o.distributorName], ['partner', o.partnerName]]) {
    if (text(name) !== undefined) r.partners.push({ role, name });
  }
  const start = parseDate(o.orderStartDate, false);
  const end = parseDate(o.orderEndDate, false);
  r.startDate = start === undefined ? undefined : iso(start);
  r.endDate = end === undefined ? undefined : iso(end);
  r.createdAt = stamp(o.createdAt, false);
  r.updatedAt = stamp(o.updatedAt, false);
  r.status = end !== undefined && end <= now ? 'expired'
    : start !== undefined && start <= now ? 'active' : 'unknown';
  const attributes = {};
  if (typeof o.generation === 'number') attributes.generation = o.generation;
  if (typeof o.isFlexPartner === 'boolean') attributes.isFlexPartner = o.isFlexPartner;
  return done(r, attributes, includeRaw ? o : undefined);
}

const END_CUSTOMER = 'bo.constants.partnertiernames.endcustomer';

/** FNO custom attributes `{attribute: [{attributeName, stringValue, booleanValue, integerValue, dateValue}]}`. */
function fnoAttributes(into, attrs) {
  for (const at of attrs?.attribute ?? []) {
    let v = text(at.stringValue);
    if (v === undefined) {
      if (typeof at.booleanValue === 'boolean') v = at.booleanValue;
      else if (typeof at.integerValue === 'number') v = at.integerValue;
      else if (typeof at.dateValue === 'string') v = at.dateValue;
      else if (at.dateValue != null) v = stamp(at.dateValue, true);
      if (v === undefined) continue;
    }
    into[at.attributeName] = v;
  }
}

/** FNO activatable line item (`POST /flexnet/operations/entitlementOrders`). */
function fnoItem(a, now, includeRaw) {
  const d = a.activatableItemData;
  const r = record('fno_orders', d.activationId.id, 'line_item');
  r.orderRef = text(d.orderId);
  r.entitlementId = text(a.entitlementId);
  r.name = text(d.description);
  r.partners = [];
  for (const p of a.channelPartners?.channelPartner ?? []) {
    const id = text(p.account?.uniqueId);
    const name = text(p.account?.primaryKeys?.name);
    if (p.tierName === END_CUSTOMER && r.customer === undefined) {
      if (id !== undefined || name !== undefined) r.customer = { id, name };
      if (p.contact != null) {
        const k = p.contact.primaryKeys ?? {};
        const full = [text(k.firstName), text(k.lastName)].filter((s) => s !== undefined).join(' ');
        const contact = some({ name: text(full), email: text(k.emailAddress), phone: text(k.phoneNumber) });
        if (contact !== undefined) r.contact = contact;
      }
    } else if (id !== undefined || name !== undefined) {
      r.partners.push({ role: 'channel', id, name, tier: tierOf(p.tierName) });
    }
  }
  if (r.customer === undefined) {
    const soldTo = text(a.soldTo);
    if (soldTo !== undefined) r.customer = { name: soldTo };
  }
  if (r.contact === undefined) {
    const email = text(a.shipToEmail);
    if (email !== undefined) r.contact = { email };
  }
  r.isPermanent = typeof d.isPermanent === 'boolean' ? d.isPermanent : undefined;
  r.startDate = stamp(d.startDate, true);
  const end = d.isPermanent === true ? undefined : parseDate(d.expirationDate, true);
  r.endDate = end === undefined ? undefined : iso(end);
  r.createdAt = stamp(d.createdOnDateTime, true);
  r.updatedAt = stamp(d.lastModifiedDateTime, true);
  const state = text(d.state) ?? text(a.entitlementState);
  r.status = withExpiry(state === undefined ? 'unknown' : fnoStatus(state), end, now);

  const pn = d.partNumber;
  const partNumber = typeof pn === 'string' ? text(pn)
    : pn != null ? text(pn.primaryKeys?.name ?? pn.uniqueId) : undefined;
  const products = d.entitledProducts?.entitledProduct ?? [];
  r.items = [];
  if (products.length === 0) {
    if (d.product != null) {
      const k = d.product.primaryKeys ?? {};
      r.items.push({
        productName: text(k.name), productVersion: text(k.version), partNumber,
        quantity: num(d.numberOfCopies), remaining: num(d.numberOfRemainingCopies),
        activationId: r.sourceId,
      });
    }
  } else {
    for (const p of products) {
      const k = p.product?.primaryKeys ?? {};
      r.items.push({
        productName: text(k.name), productVersion: text(k.version), partNumber,
        quantity: num(p.quantity),
        remaining: products.length === 1 ? num(d.numberOfRemainingCopies) : undefined,
        activationId: r.sourceId,
      });
    }
  }

  const attributes = {};
  fnoAttributes(attributes, a.entitlementAttributes);
  fnoAttributes(attributes, d.licenseModelAttributes);
  fnoAttributes(attributes, d.lineItemAttributes); // the line item wins a name clash
  const parent = d.parentLineItem;
  const fixed = {
    entitlementId: text(a.entitlementId),
    parentBulkEntitlementId: text(a.parentBulkEntitlementId),
    orderLineNumber: text(d.orderLineNumber),
    licenseModel: text(d.licenseModel?.primaryKeys?.name),
    licenseTechnology: text(d.licenseTechnology?.primaryKeys?.name),
    activatableItemType: text(a.activatableItemType),
    shipToAddress: text(a.shipToAddress),
    parentLineItem: typeof parent === 'string' ? text(parent) : parent != null ? text(parent.uniqueId) : undefined,
    versionDate: stamp(d.versionDate, true),
  };
  for (const k in fixed) if (fixed[k] !== undefined) attributes[k] = fixed[k];
  if (typeof d.numberOfCopies === 'number') attributes.numberOfCopies = d.numberOfCopies;
  return done(r, attributes, includeRaw ? a : undefined);
}

/** FNO Beta entitlement (`GET /entitlements-api/v1/entitlements`), its line items folded in. */
function betaEntitlement(e, now, includeRaw) {
  const r = record('fno_entitlements', e.entitlementId, 'entitlement');
  r.entitlementId = e.entitlementId;
  r.name = text(e.description);
  const accounts = e.accounts ?? [];
  let cust = accounts.findIndex((a) => (a.partnerTierName ?? '').toUpperCase().startsWith('END_CUSTOMER'));
  if (cust < 0) cust = accounts.findIndex((a) => typeof a.accountType === 'string' && a.accountType.toUpperCase() === 'CUSTOMER');
  r.partners = [];
  accounts.forEach((a, i) => {
    const id = text(a.accountId);
    const name = text(a.accountName);
    if (id === undefined && name === undefined) return;
    if (i === cust) r.customer = { id, name };
    else r.partners.push({ role: 'channel', id, name, tier: tierOf(a.partnerTierName) });
  });
  const email = text(e.shipToEmail) ?? (cust >= 0 ? text(accounts[cust].contactEmail) : undefined);
  r.contact = email === undefined ? undefined : { email };
  r.createdAt = stamp(e.createdOn, true);
  r.updatedAt = stamp(e.updatedOn, true);

  const lines = e.lineItems ?? [];
  const permanent = (l) => (l.isPermanent ?? l.permanent) === true;
  const starts = [];
  const ends = [];
  for (const l of lines) {
    const s = parseDate(l.startDate, false);
    if (s !== undefined) starts.push(s);
    ends.push(permanent(l) ? undefined : parseDate(l.expiryDate, false));
  }
  const start = starts.length > 0 ? Math.min(...starts) : undefined;
  let end;
  if (lines.length > 0) {
    r.isPermanent = lines.every(permanent);
    if (ends.every((t) => t !== undefined)) end = Math.max(...ends);
  }
  r.startDate = start === undefined ? undefined : iso(start);
  r.endDate = end === undefined ? undefined : iso(end);
  r.status = withExpiry(typeof e.status === 'string' ? betaStatus(e.status) : 'unknown', end, now);

  r.items = [];
  lines.forEach((l, i) => {
    const lineStart = parseDate(l.startDate, false);
    const lineEnd = ends[i];
    const state = l.lineItemState ?? l.lineItemStatus;
    const status = typeof state === 'string' ? withExpiry(betaStatus(state), lineEnd, now) : undefined;
    for (const p of l.products ?? l.product ?? []) {
      r.items.push({
        productName: text(p.productName),
        productVersion: text(p.productVersion),
        partNumber: text(p.partNumber) ?? text(l.partNumber),
        quantity: num(l.quantity),
        activationId: text(l.activationId),
        status,
        orderType: text(l.orderType),
        startDate: lineStart === undefined ? undefined : iso(lineStart),
        endDate: lineEnd === undefined ? undefined : iso(lineEnd),
      });
    }
  });

  const attributes = {};
  for (const a of e.attributes ?? []) {
    const v = a.value;
    if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') attributes[a.name] = v;
    else if (Array.isArray(v)) attributes[a.name] = v.join(',');
  }
  const shipTo = text(e.shipToAddress);
  if (shipTo !== undefined) attributes.shipToAddress = shipTo;
  return done(r, attributes, includeRaw ? e : undefined);
}

const MAC = /^[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}$/;

/** TelecomX FlexCare order (`GET /iptv/flexcareorder`). */
function telecomxOrder(o, includeRaw) {
  const r = record('telecomx_flexcare', o._id, 'order');
  r.orderRef = text(o.poNumber);
  r.name = text(o.name);
  const reseller = text(o.reseller);
  r.partners = reseller === undefined ? [] : [{ role: 'reseller', id: reseller }];
  const or = o.orderer;
  r.contact = or == null ? undefined
    : some({ name: text(or.name), email: text(or.email), phone: text(or.phone), department: text(or.department) });
  r.status = 'unknown';
  r.devices = [];
  for (const dev of o.devices ?? []) {
    const t = text(dev);
    if (t !== undefined) r.devices.push(MAC.test(t) ? { mac: t } : { id: t });
  }
  const attributes = {};
  for (const k of ['snowId', 'eanNumber', 'powernetItemNumber', 'serviceAgreement']) {
    const v = text(o[k]);
    if (v !== undefined) attributes[k] = v;
  }
  return done(r, attributes, includeRaw ? o : undefined);
}

// ---------------------------------------------------------------------------------------
// The request

class SourceError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The JSON body of a 200 answer, or a SourceError. */
function parseBody(row) {
  if (row === undefined) throw new SourceError('upstream.transport', 'no answer');
  if (row.status !== 200) throw new SourceError('upstream.server', `HTTP ${row.status}`);
  try {
    return JSON.parse(row.body);
  } catch (e) {
    throw new SourceError('upstream.malformed', e.message);
  }
}

function fnoChecked(body) {
  const st = body.statusInfo?.status;
  if (typeof st === 'string' && st.toUpperCase() !== 'SUCCESS') {
    throw new SourceError('upstream.vendor_failure', `FNO query failed: ${body.statusInfo.reason ?? 'no reason given'}`);
  }
  return body.activatableItem ?? [];
}

/**
 * One `GET /v1/orders?limit=…[&include=raw]` answered from the vendor pages: the response
 * body (JSON text). `now` (epoch ms) is the query time the statuses are derived at.
 */
export function twin(pages, { limit = 100, includeRaw = false, now = Date.now() } = {}) {
  // The answers to this request's upstream calls, by request line (origin dropped).
  const answers = new Map();
  for (const row of pages) {
    const key = `${row.method} ${row.uri.replace(/^https?:\/\/[^/]+/, '')}`;
    const list = answers.get(key);
    if (list) list.push(row);
    else answers.set(key, [row]);
  }
  const get = (path) => answers.get(`GET ${path}`)?.[0];
  const share = Math.max(1, Math.ceil(limit / SOURCES.length));

  // Per source: its records in its own order, whether more may follow, the vendor's total.
  const reads = {
    hpe_flex() {
      const body = parseBody(get(`/flex/v1beta1/orders?sort=id%20asc&offset=0&limit=${share}`));
      const items = body.items;
      const total = num(body.total);
      return {
        records: items.map((o) => hpeOrder(o, now, includeRaw)),
        more: items.length === share && (total === undefined || items.length < total),
        total, subrequests: 1,
      };
    },
    fno_orders() {
      const rows = answers.get('POST /flexnet/operations/entitlementOrders') ?? [];
      // Same request line for the page and its look-ahead: the longer answer is the page.
      const lists = rows.map((row) => fnoChecked(parseBody(row))).sort((a, b) => b.length - a.length);
      const items = lists[0] ?? fnoChecked(parseBody(undefined));
      const ahead = lists.length > 1 ? lists[1].length : 0;
      const more = items.length === share && ahead > 0;
      // The look-ahead's record was read too: it counts as fetched, as in flexedge.
      return { records: items.map((a) => fnoItem(a, now, includeRaw)), more, subrequests: lists.length, fetched: items.length + ahead };
    },
    fno_entitlements() {
      const base = '/entitlements-api/v1/entitlements?sort_by=entitlement_id&sort_order=asc';
      const items = parseBody(get(`${base}&page=0&limit=${share}`)).entitlements;
      let ahead = 0;
      let subrequests = 1;
      if (items.length === share) {
        ahead = parseBody(get(`${base}&page=${share}&limit=1`)).entitlements.length;
        subrequests++;
      }
      const more = ahead > 0;
      return { records: items.map((e) => betaEntitlement(e, now, includeRaw)), more, subrequests, fetched: items.length + ahead };
    },
    telecomx_flexcare() {
      const body = parseBody(get(`/iptv/flexcareorder?offset=0&limit=${share}`));
      const items = body.flexcareOrders;
      const total = num(body.total);
      return {
        records: items.map((o) => telecomxOrder(o, includeRaw)),
        more: items.length === share && (total === undefined || items.length < total),
        total, subrequests: 1,
      };
    },
  };

  const streams = [];
  const sources = {};
  for (const source of SOURCES) {
    try {
      const s = reads[source]();
      streams.push(s.records);
      // A source's size is known from its vendor total, or once it was read to its end.
      s.size = s.total ?? (s.more ? undefined : s.records.length);
      sources[source] = { status: 'ok', total: s.size, requests: 1, subrequests: s.subrequests, fetched: s.fetched ?? s.records.length, given: s.records.length, more: s.more };
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      streams.push([]);
      sources[source] = { status: 'error', requests: 0, fetched: 0, error: { code: e.code, message: e.message }, more: true };
    }
  }

  // The native interleave: the k-th record of every source before the (k+1)-th of any.
  const items = [];
  const given = SOURCES.map(() => 0);
  const longest = Math.max(...streams.map((s) => s.length));
  for (let k = 0; k < longest && items.length < limit; k++) {
    for (let i = 0; i < streams.length && items.length < limit; i++) {
      if (k < streams[i].length) {
        items.push(streams[i][k]);
        given[i]++;
      }
    }
  }

  // More follows when a source holds records not given, or may have more than it read.
  // Per source: records given so far, and 1 once it has nothing left.
  const position = [];
  let more = false;
  SOURCES.forEach((source, i) => {
    const s = sources[source];
    const left = s.more || given[i] < (s.given ?? 0);
    if (left) more = true;
    position.push([given[i], left ? 0 : 1]);
    delete s.more;
    delete s.given;
  });
  const sizes = SOURCES.map((source) => sources[source].total);
  const total = sizes.every((t) => t !== undefined) ? sizes.reduce((a, b) => a + b, 0) : undefined;
  const next = more
    ? btoa(JSON.stringify([1, limit, includeRaw ? 1 : 0, position])).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    : undefined;

  return JSON.stringify({ items, count: items.length, total, offset: 0, next, order: 'native', sources });
}

/** The value helpers, for the twin's own test (date forms the simulated pages never send). */
export const helpers = { parseDate, iso, tierOf, fnoStatus, betaStatus };
