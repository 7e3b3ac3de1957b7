// The JavaScript half of `runQuery(arrayOfObjects, …)` (src/browser/objects.rs): walks the
// records in place and writes only the members the query names into a compact "tape" that
// the wasm side reads in one go. No per-record copies, no JSON text, one call across the
// boundary. The values are what JSON.stringify would write for those members (toJSON,
// non-finite numbers as null, undefined/functions/symbols left out, -0 as 0).
//
// The spec is `[[id, name, sub], …]`: `sub` null takes the member whole, else descends.
// Tape words (Uint32): the kind in the low 3 bits, a count or a UTF-8 length above them;
// strings are UTF-8 in one byte buffer, numbers in a Float64Array.
//
// The writer's state lives at module level (functions made once stay optimized across
// calls); the buffers are reused, and the wasm side copies them before anything else runs.
const NULL = 0, FALSE = 1, TRUE = 2, NUM = 3, STR = 4, OBJ = 5, ARR = 6, KEY = 7;
// KEY words: (id << 4) | 8 | KEY names a spec member; (len << 4) | KEY a member whose
// name follows in the strings (inside members read whole).
const MAX_DEPTH = 128;
const objectProto = Object.prototype;
const isEnumerable = Object.prototype.propertyIsEnumerable;
const encoder = new TextEncoder();

let tags = new Uint32Array(1 << 16);
let t = 0;
let nums = new Float64Array(1 << 12);
let n = 0;
let bytes = new Uint8Array(1 << 18);
let b = 0;
let busy = false;

function word(w) {
  if (t === tags.length) {
    const bigger = new Uint32Array(tags.length * 2);
    bigger.set(tags);
    tags = bigger;
  }
  tags[t++] = w;
}

function num(v) {
  if (n === nums.length) {
    const bigger = new Float64Array(nums.length * 2);
    bigger.set(nums);
    nums = bigger;
  }
  nums[n++] = v + 0;
}

// Appends `s` as UTF-8 and returns its byte length.
function utf8(s) {
  const len = s.length;
  if (b + len * 3 > bytes.length) {
    const bigger = new Uint8Array(Math.max(bytes.length * 2, b + len * 3));
    bigger.set(bytes.subarray(0, b));
    bytes = bigger;
  }
  let p = b;
  for (let j = 0; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c >= 128) {
      p = b + encoder.encodeInto(s, bytes.subarray(b)).written;
      break;
    }
    bytes[p++] = c;
  }
  const w = p - b;
  b = p;
  return w;
}

// Writes the members of `v` that `sub` names.
function members(v, sub, plain, depth) {
  const at = t;
  word(OBJ);
  let count = 0;
  for (let i = 0; i < sub.length; i++) {
    const s = sub[i];
    const name = s[1];
    // Own enumerable members only, as JSON.stringify; a plain object (JSON.parse's)
    // inherits nothing but functions and the __proto__ accessor.
    const x = plain && name !== '__proto__' ? v[name] : (isEnumerable.call(v, name) ? v[name] : undefined);
    if (x === undefined) continue;
    const mark = t;
    word((s[0] * 16) | 8 | KEY);
    // The common cases inline.
    if (typeof x === 'string') word((utf8(x) * 8) | STR);
    else if (typeof x === 'number' && Number.isFinite(x)) { word(NUM); num(x); }
    else if (!value(x, name, s[2], depth + 1)) { t = mark; continue; }
    count++;
  }
  tags[at] = (count * 8) | OBJ;
}

// Writes `v` (the value of `key`); false when it is left out (undefined, function, symbol).
function value(v, key, sub, depth) {
  switch (typeof v) {
    case 'string': word((utf8(v) * 8) | STR); return true;
    case 'number':
      if (Number.isFinite(v)) { word(NUM); num(v); } else word(NULL);
      return true;
    case 'boolean': word(v ? TRUE : FALSE); return true;
    case 'bigint': throw new TypeError('a BigInt is not JSON');
    case 'object': break;
    default: return false;
  }
  if (v === null) { word(NULL); return true; }
  if (depth > MAX_DEPTH) throw new RangeError(`records nest deeper than ${MAX_DEPTH} levels (or are cyclic)`);
  // A plain object (what JSON.parse makes) has no toJSON and is no boxed primitive.
  const plain = Object.getPrototypeOf(v) === objectProto;
  if (!plain) {
    if (typeof v.toJSON === 'function') return value(v.toJSON(String(key)), key, sub, depth);
    if (v instanceof String || v instanceof Number || v instanceof Boolean) return value(v.valueOf(), key, sub, depth);
    if (Array.isArray(v)) {
      word((v.length * 8) | ARR);
      for (let i = 0; i < v.length; i++) {
        if (!value(v[i], i, null, depth + 1)) word(NULL);
      }
      return true;
    }
  }
  if (sub !== null) {
    members(v, sub, plain, depth);
    return true;
  }
  const at = t;
  word(OBJ);
  let count = 0;
  for (const k of Object.keys(v)) {
    const mark = t;
    const markB = b;
    word(0);
    tags[mark] = (utf8(k) * 16) | KEY;
    if (value(v[k], k, null, depth + 1)) count++;
    else { t = mark; b = markB; }
  }
  tags[at] = (count * 8) | OBJ;
  return true;
}

export function project(records, specText) {
  if (busy) throw new TypeError('runQuery was called again from inside a toJSON of its records');
  busy = true;
  try {
    const spec = JSON.parse(specText);
    t = 0; n = 0; b = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r !== null && typeof r === 'object' && Object.getPrototypeOf(r) === objectProto) {
        members(r, spec, true, 1);
      } else if (!value(r, i, spec, 1)) {
        word(NULL);
      }
    }
    return [tags.subarray(0, t), nums.subarray(0, n), bytes.subarray(0, b)];
  } finally {
    busy = false;
  }
}
