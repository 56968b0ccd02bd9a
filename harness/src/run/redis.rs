//! The `redis` step: cuts or restores the subject's link to Redis
//! (through the harness's proxy), for INF-1.

use super::scene::{Ran, Scene, StepError};
use crate::scenario::model::{RedisState, RedisStep};

/// Cuts or restores the Redis link.
pub(crate) async fn run(scene: &mut Scene, step: &RedisStep) -> Result<Ran, StepError> {
    if step.state == RedisState::Down {
        scene.watch.dependency_cut();
    }
    let subject = scene.own_subject()?;
    match step.state {
        RedisState::Down => subject.redis_proxy().cut().await,
        RedisState::Up => subject.redis_proxy().restore(),
    }
    Ok(Ran::default())
}
