//! The shared state and the router: which handler answers which route, and
//! the layers every response goes through.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};

use crate::row_cache::RowCache;
use axum::http::HeaderValue;
use axum::middleware;
use axum::routing::{get, post};
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::extract::{Accounts, Authenticator, TokenSource};
use crate::auth::throttle::LoginThrottle;
use crate::auth::token::{TokenError, TokenKeys};
use crate::auth::users::User;
use crate::chat::stream::ChatSettings;
use crate::chat::writer::MessageWriter;
use crate::config::Config;
use crate::db::DbError;
use crate::faults::{Fault, FaultSet};
use crate::redis_client::RedisClient;
use crate::request_log::{self, RequestLog};
use crate::{auth, chat, cors, documents, error, health};

/// Request bodies above this size get `413` (REG-5).
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// What handlers share. Every field is cheap to clone; handlers take only
/// the parts they need through `State<Part>`.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// The Postgres pool.
    pub db: PgPool,
    /// Token keys and where tokens are looked for.
    pub auth: Arc<Authenticator>,
    /// The login failure counter.
    pub throttle: LoginThrottle,
    /// The Redis connection, for health.
    pub redis: RedisClient,
    /// How chat streams behave.
    pub chat: ChatSettings,
    /// The fault switches, for the checks that happen per request.
    pub faults: FaultSet,
    /// Copies of users and documents (rows that never change).
    pub rows: RowCache,
    /// Stores chat messages in batches.
    pub messages: MessageWriter,
}

impl AppState {
    /// The state for `config`, with connections already made. Fails only
    /// when the secret cannot be an HMAC key (empty).
    pub fn new(config: &Config, db: PgPool, redis: RedisClient) -> Result<Self, TokenError> {
        let faults = config.faults;
        let keys = TokenKeys::new(&config.jwt_secret, config.jwt_expires_in_secs, faults)?;
        Ok(AppState {
            messages: MessageWriter::start(db.clone()),
            db,
            auth: Arc::new(Authenticator::new(
                keys,
                TokenSource::for_faults(faults),
                faults,
            )),
            throttle: LoginThrottle::new(
                redis.clone(),
                config.login_throttle_max,
                config.login_throttle_window,
                faults,
            ),
            redis,
            chat: ChatSettings::new(config.stream_delay, faults),
            faults,
            rows: RowCache::default(),
        })
    }
}

impl Accounts for AppState {
    /// From the row cache, else from the `users` table.
    fn account(&self, id: Uuid) -> impl Future<Output = Result<Option<Arc<User>>, DbError>> + Send {
        self.rows.user(&self.db, id)
    }
}

/// The whole HTTP surface. From the outside in: the request log, CORS,
/// the body limit, then the routes and the `404` fallback.
pub fn router(state: AppState, cors_origins: &[HeaderValue]) -> Router {
    let faults = state.faults;
    let routes = Router::new()
        .route("/auth/register", post(auth::routes::register))
        .route("/auth/login", post(auth::routes::login))
        .route("/auth/me", get(auth::routes::me))
        .route(
            "/documents",
            get(documents::routes::list).post(documents::routes::create),
        )
        .route("/documents/{id}", get(documents::routes::get))
        .route("/documents/{id}/chat/stream", post(chat::stream::stream))
        .route("/health", get(health::health))
        .fallback(error::route_not_found)
        .method_not_allowed_fallback(error::route_not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(state);
    let routes = if faults.contains(Fault::UnauthorizedWithoutShape) {
        routes.layer(middleware::from_fn(error::unauthorized_without_shape))
    } else {
        routes
    };
    cors::apply(routes, cors_origins, faults).layer(middleware::from_fn_with_state(
        RequestLog::new(faults),
        request_log::log_request,
    ))
}
