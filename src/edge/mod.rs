//! The Cloudflare Worker entry: the only code that imports `worker`.
