//! `GET /health` (INF-1): `200` when Postgres and Redis both answer within
//! a second, else `503` naming the dependency that failed.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sqlx::PgPool;

use crate::faults::{Fault, FaultSet};
use crate::redis_client::RedisClient;

const CHECK_DEADLINE: Duration = Duration::from_secs(1);

#[derive(Serialize)]
struct Health {
    status: &'static str,
    info: Dependencies<&'static str>,
    #[serde(skip_serializing_if = "Dependencies::is_empty")]
    error: Dependencies<String>,
}

#[derive(Serialize)]
struct Dependencies<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redis: Option<T>,
}

impl<T> Dependencies<T> {
    fn is_empty(&self) -> bool {
        self.database.is_none() && self.redis.is_none()
    }
}

/// Checks both dependencies at once.
pub async fn health(
    State(db): State<PgPool>,
    State(redis): State<RedisClient>,
    State(faults): State<FaultSet>,
) -> Response {
    let (database, redis) = if faults.contains(Fault::HealthAlwaysOk) {
        (Ok(()), Ok(()))
    } else {
        tokio::join!(check_database(&db), check_redis(&redis))
    };
    let up_or_down = |result: &Result<(), String>| Some(if result.is_ok() { "up" } else { "down" });
    let healthy = database.is_ok() && redis.is_ok();
    let body = Health {
        status: if healthy { "ok" } else { "error" },
        info: Dependencies {
            database: up_or_down(&database),
            redis: up_or_down(&redis),
        },
        error: Dependencies {
            database: database.err(),
            redis: redis.err(),
        },
    };
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

async fn check_database(db: &PgPool) -> Result<(), String> {
    match tokio::time::timeout(CHECK_DEADLINE, sqlx::query("SELECT 1").execute(db)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(err)) => Err(format!("database is unavailable: {err}")),
        Err(_) => Err(format!(
            "database is unavailable: no answer within {CHECK_DEADLINE:?}"
        )),
    }
}

async fn check_redis(redis: &RedisClient) -> Result<(), String> {
    match tokio::time::timeout(CHECK_DEADLINE, redis.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(format!("redis is unavailable: {err}")),
        Err(_) => Err(format!(
            "redis is unavailable: no answer within {CHECK_DEADLINE:?}"
        )),
    }
}
