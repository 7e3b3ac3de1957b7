//! Fixed simulated credentials. They are fake and only unlock the simulator (in-process or
//! `flexedge-mock` on 127.0.0.1); no real service accepts them. [`config_var`] gives them
//! as flexedge's own configuration variables, which is how the embedded default, the
//! mock server's scripts and the tests point a source at a simulator.
//!
//! Imports nothing.

/// The base URL the embedded simulator answers on (never resolved: the edge's HTTP client
/// routes it in process).
pub const EMBEDDED_BASE_URL: &str = "http://sim.flexedge.internal";

/// GreenLake personal API client id with View permission on Orders and Devices.
pub const HPE_FLEX_CLIENT_ID: &str = "sim-greenlake-client";
/// Secret of [`HPE_FLEX_CLIENT_ID`].
pub const HPE_FLEX_CLIENT_SECRET: &str = "sim-greenlake-secret";
/// A GreenLake API client whose tokens lack the View permission (every data call → 403).
pub const HPE_FLEX_NOPERM_CLIENT_ID: &str = "sim-greenlake-noperm";
/// Secret of [`HPE_FLEX_NOPERM_CLIENT_ID`].
pub const HPE_FLEX_NOPERM_CLIENT_SECRET: &str = "sim-greenlake-noperm-secret";

/// FNO web-services user for HTTP Basic auth (both FNO APIs' entitlementOrders accepts it).
pub const FNO_USER: &str = "sim-fno-user";
/// Password of [`FNO_USER`].
pub const FNO_PASSWORD: &str = "sim-fno-password";
/// FNO access token (`Authorization: Bearer …`), accepted by entitlementOrders and the
/// Entitlements API (Beta).
pub const FNO_TOKEN: &str = "rna_51d0c0ffee5eed0000000000000000000000000000000000";

/// TelecomX login with access level RESELLER_ADMIN (may list FlexCare orders).
pub const TELECOMX_ADMIN_USER: &str = "admin@sim.telecomx.test";
/// Password of [`TELECOMX_ADMIN_USER`].
pub const TELECOMX_ADMIN_PASSWORD: &str = "sim-telecomx-admin";
/// TelecomX login with access level VIEWER (listing FlexCare orders → 403 `access_denied`).
pub const TELECOMX_VIEWER_USER: &str = "viewer@sim.telecomx.test";
/// Password of [`TELECOMX_VIEWER_USER`].
pub const TELECOMX_VIEWER_PASSWORD: &str = "sim-telecomx-viewer";
/// A simulated TelecomX user with the document's `ADMIN` access level (above
/// `RESELLER_ADMIN`; the global FlexCare list allows both).
pub const TELECOMX_SUPERADMIN_USER: &str = "superadmin@sim.telecomx.test";
/// Password of [`TELECOMX_SUPERADMIN_USER`].
pub const TELECOMX_SUPERADMIN_PASSWORD: &str = "sim-telecomx-superadmin";

/// The flexedge configuration variable `name` that points every source at a simulator at
/// `base` (no trailing slash) with the credentials above: the four base URLs, the
/// GreenLake token endpoint and each source's credentials (as `scripts/procs.sh` passes
/// them to `wrangler dev`); `None` for any other name.
pub fn config_var(base: &str, name: &str) -> Option<String> {
    // (variable, value; a value that is empty or starts with `/` is `base` followed by
    // it). A table rather than a `match`: it is read a dozen times at start-up only.
    const VARS: &[(&str, &str)] = &[
        ("HPE_FLEX_BASE_URL", ""),
        ("FNO_ORDERS_BASE_URL", ""),
        ("FNO_ENTITLEMENTS_BASE_URL", ""),
        ("TELECOMX_BASE_URL", ""),
        ("HPE_FLEX_TOKEN_URL", "/as/token.oauth2"),
        ("HPE_FLEX_CLIENT_ID", HPE_FLEX_CLIENT_ID),
        ("HPE_FLEX_CLIENT_SECRET", HPE_FLEX_CLIENT_SECRET),
        ("FNO_USERNAME", FNO_USER),
        ("FNO_PASSWORD", FNO_PASSWORD),
        ("FNO_ENTITLEMENTS_TOKEN", FNO_TOKEN),
        ("TELECOMX_USERNAME", TELECOMX_ADMIN_USER),
        ("TELECOMX_PASSWORD", TELECOMX_ADMIN_PASSWORD),
    ];
    let (_, value) = VARS.iter().find(|(n, _)| *n == name)?;
    Some(if value.is_empty() || value.starts_with('/') {
        format!("{base}{value}")
    } else {
        (*value).to_owned()
    })
}

/// [`config_var`] for the embedded simulator ([`EMBEDDED_BASE_URL`]).
pub fn embedded_var(name: &str) -> Option<String> {
    config_var(EMBEDDED_BASE_URL, name)
}
