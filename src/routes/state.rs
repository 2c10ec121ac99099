//! What every request handler can reach, built when the server starts.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use super::csrf::Csrf;
use super::rate_limit::RateLimits;
use crate::accounts::sessions::TokenKeys;
use crate::config::Config;
use crate::mail::MailSettings;
use crate::search::SearchIndex;

/// What every request handler can reach.
pub struct AppState {
    pub db: DatabaseConnection,
    pub search: Arc<SearchIndex>,
    pub keys: TokenKeys,
    pub csrf: Csrf,
    pub limits: RateLimits,
    pub mail: MailSettings,
    pub uploads: crate::documents::Uploads,
    pub config: Config,
}
