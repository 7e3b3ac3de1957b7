// Shared by the OData e2e tests: the Worker's URL, the dev key, and the Python client
// (tests/e2e/odata/client.py, python-odata from .venv-e2e/, set up by scripts/setup.sh test).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

export const base = process.env.FLEXEDGE_URL ?? 'http://127.0.0.1:8788';
export const KEY = 'flexedge-dev';
export const q = (s) => encodeURIComponent(s);

export async function get(path, { key = KEY, headers = {} } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  const res = await fetch(path.startsWith('http') ? path : `${base}${path}`, { headers: h });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  return { res, status: res.status, body, text };
}

const python = process.env.FLEXEDGE_PYTHON ?? fileURLToPath(new URL('../../../.venv-e2e/bin/python', import.meta.url));
const client = fileURLToPath(new URL('./client.py', import.meta.url));

/** Runs the python-odata client with `check` against /odata; its JSON report. */
export async function pythonClient(check, { timeout = 600_000 } = {}) {
  const { stdout } = await promisify(execFile)(python, [client, `${base}/odata/`, KEY, check], {
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}
