// The runtime floor of the gateway benchmark: a plain JavaScript Worker that makes the
// same six upstream calls as the four-source `/v1/orders?limit=100` (GreenLake's page,
// FNO orders pages 1 and 2, FNO Entitlements pages 0 and 1, TelecomX's page), all at
// once, reads every body, and answers with their total size. No parsing, no merging: what
// `wrangler dev`'s workerd and its local proxy cost before flexedge does any work.
// MOCK (a var) is the mock's base URL; the credentials are the simulator's fake ones
// (src/sim/creds.rs), which unlock only the local mock.
let tokens = null;

async function ok(res) {
  if (!res.ok) throw new Error(`${res.status} ${res.url}`);
  return res;
}

async function login(m) {
  const gl = await ok(await fetch(`${m}/as/token.oauth2`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=sim-greenlake-client&client_secret=sim-greenlake-secret',
  }));
  const tx = await ok(await fetch(`${m}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin@sim.telecomx.test', password: 'sim-telecomx-admin' }),
  }));
  return { gl: (await gl.json()).access_token, tx: (await tx.json()).token };
}

function calls(m, t) {
  const basic = `Basic ${btoa('sim-fno-user:sim-fno-password')}`;
  const fno = (page) => [`${m}/flexnet/operations/entitlementOrders`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/json' },
    body: `{"activatableItemSearchCriteria":{},"batchSize":100,"pageNumber":${page}}`,
  }];
  const ent = (page) => [`${m}/entitlements-api/v1/entitlements?page=${page}&limit=100`,
    { headers: { authorization: 'Bearer rna_51d0c0ffee5eed0000000000000000000000000000000000' } }];
  return [
    [`${m}/flex/v1beta1/orders?sort=orderEndDate%20asc%2Cid%20asc&offset=0&limit=100`,
      { headers: { authorization: `Bearer ${t.gl}` } }],
    fno(1), fno(2), ent(0), ent(1),
    [`${m}/iptv/flexcareorder?offset=0&limit=100`, { headers: { authorization: `Bearer ${t.tx}` } }],
  ];
}

export default {
  async fetch(_req, env) {
    for (let attempt = 0; attempt < 2; attempt++) {
      tokens ??= await login(env.MOCK);
      try {
        const sizes = await Promise.all(calls(env.MOCK, tokens).map(async ([url, init]) =>
          (await (await ok(await fetch(url, init))).arrayBuffer()).byteLength));
        return new Response(String(sizes.reduce((a, b) => a + b, 0)));
      } catch (e) {
        if (attempt > 0 || !String(e.message).startsWith('401')) throw e;
        tokens = null; // the mock restarted: log in again, once
      }
    }
    throw new Error('unreachable');
  },
};
