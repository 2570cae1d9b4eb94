//! What every handler is given: the use cases and the HTTP settings. Kept apart
//! from the crate root, which wires the handlers together, so that handlers
//! never depend on the module that depends on them.

use std::sync::Arc;
use std::time::Duration;

use baocao_app::App;

use crate::server::ConnectionLimits;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (the site is served over HTTPS, maybe behind a proxy).
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Longest time a request may take.
    pub request_timeout: Duration,
    /// Limits on connections, and the trusted reverse proxies.
    pub connections: ConnectionLimits,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            connections: ConnectionLimits::default(),
        }
    }
}

/// What every handler gets.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    /// HTTP settings.
    pub config: Arc<WebConfig>,
}
