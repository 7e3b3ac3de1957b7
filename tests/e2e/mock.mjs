// Shared by the e2e suites that drive the native mock (scripts/e2e.sh starts it and sets
// FLEXEDGE_MOCK_URL): setting and clearing a vendor's fault.
import assert from 'node:assert/strict';

export const mock = process.env.FLEXEDGE_MOCK_URL ?? 'http://127.0.0.1:8791';

/// Sets `vendor`'s fault to `f` (a fault name such as "hang" or "oversize(1000)"), or
/// clears it when `f` is empty.
export async function fault(vendor, f) {
  const res = await fetch(`${mock}/__sim/faults`, {
    method: f ? 'POST' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(f ? { vendor, fault: f } : { vendor }),
  });
  assert.equal(res.status, 200, await res.text());
}
