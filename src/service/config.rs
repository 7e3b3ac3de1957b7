//! Configuration from the Worker's `[vars]` and secrets, read through a lookup function so
//! that it is platform-free. Secrets are kept out of `Debug`.

use serde::Serialize;

use crate::model::Source;

/// Where a source's answers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceMode {
    /// The embedded in-process simulator (no network).
    Simulated,
    /// A real (or mock) upstream reached over HTTP.
    Remote,
}

/// One upstream's configuration.
#[derive(Clone)]
pub struct SourceConfig {
    /// Which source.
    pub source: Source,
    /// Simulated or remote.
    pub mode: SourceMode,
    /// Base URL when remote (empty when simulated).
    pub base_url: String,
}

impl std::fmt::Debug for SourceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceConfig")
            .field("source", &self.source)
            .field("mode", &self.mode)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// The whole service configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The configured sources, in canonical order.
    pub sources: Vec<SourceConfig>,
}

/// The `[vars]` name holding a source's base URL.
pub fn base_url_var(source: Source) -> &'static str {
    match source {
        Source::HpeFlex => "HPE_FLEX_BASE_URL",
        Source::FnoOrders => "FNO_ORDERS_BASE_URL",
        Source::FnoEntitlements => "FNO_ENTITLEMENTS_BASE_URL",
        Source::TelecomxFlexcare => "TELECOMX_BASE_URL",
    }
}

impl Config {
    /// Builds the configuration from a variable lookup (Worker `Env`, process env, a map).
    /// A source with no base URL runs on the embedded simulator.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let sources = Source::ALL
            .into_iter()
            .map(
                |source| match lookup(base_url_var(source)).filter(|u| !u.trim().is_empty()) {
                    Some(url) => SourceConfig {
                        source,
                        mode: SourceMode::Remote,
                        base_url: url.trim().trim_end_matches('/').to_owned(),
                    },
                    None => SourceConfig {
                        source,
                        mode: SourceMode::Simulated,
                        base_url: String::new(),
                    },
                },
            )
            .collect();
        Config { sources }
    }
}
