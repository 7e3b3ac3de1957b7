//! Fixed simulated credentials. They are fake and only unlock the simulator (in-process or
//! `flexedge-mock` on 127.0.0.1); no real service accepts them.
//!
//! Imports nothing.

/// GreenLake personal API client id with View permission on Orders and Devices.
pub const GREENLAKE_CLIENT_ID: &str = "sim-greenlake-client";
/// Secret of [`GREENLAKE_CLIENT_ID`].
pub const GREENLAKE_CLIENT_SECRET: &str = "sim-greenlake-secret";
/// A GreenLake API client whose tokens lack the View permission (every data call → 403).
pub const GREENLAKE_NOPERM_CLIENT_ID: &str = "sim-greenlake-noperm";
/// Secret of [`GREENLAKE_NOPERM_CLIENT_ID`].
pub const GREENLAKE_NOPERM_CLIENT_SECRET: &str = "sim-greenlake-noperm-secret";

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
