//! The Redis connection: one multiplexed connection that reconnects by
//! itself, with short timeouts so that a dead Redis costs a request at most
//! half a second. Redis is optional at runtime: callers degrade when it
//! fails (health reports it, login throttling is skipped).

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, Pipeline, RedisError};

use crate::config::RedisAddress;

/// How long one Redis round trip may take, reconnection included.
const DEADLINE: Duration = Duration::from_millis(500);

/// A cheap-to-clone handle on the shared connection.
#[derive(Clone)]
pub struct RedisClient {
    manager: ConnectionManager,
}

/// A Redis call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum RedisFailure {
    /// Redis answered with an error, or the connection failed.
    #[error("redis error: {0}")]
    Redis(#[from] RedisError),
    /// Redis did not answer within the deadline.
    #[error("redis did not answer within {0:?}")]
    TimedOut(Duration),
}

impl RedisClient {
    /// A client for `address`. It connects lazily, so the server starts
    /// even while Redis is still coming up; only an unusable address fails.
    pub fn new(address: &RedisAddress) -> Result<Self, RedisError> {
        let client = redis::Client::open(address.url())?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(300)))
            .set_response_timeout(Some(DEADLINE))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(100));
        let manager = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(RedisClient { manager })
    }

    /// Runs a pipeline under the deadline.
    pub async fn query<T: FromRedisValue>(&self, pipeline: &Pipeline) -> Result<T, RedisFailure> {
        let mut connection = self.manager.clone();
        match tokio::time::timeout(DEADLINE, pipeline.query_async(&mut connection)).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(RedisFailure::TimedOut(DEADLINE)),
        }
    }

    /// `PING`, for the health check.
    pub async fn ping(&self) -> Result<(), RedisFailure> {
        let (pong,): (String,) = self.query(redis::pipe().cmd("PING")).await?;
        if pong == "PONG" {
            Ok(())
        } else {
            Err(RedisFailure::Redis(RedisError::from((
                redis::ErrorKind::Client,
                "unexpected answer to PING",
            ))))
        }
    }
}
