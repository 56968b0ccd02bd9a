//! Deadlines from waits a user can set (profile timeouts, scenario windows):
//! a wait too large for the clock to add means "a day", never an overflow panic.

use std::time::{Duration, Instant};

/// The longest wait a deadline stands for.
const LONGEST: Duration = Duration::from_secs(86_400);

/// `now + wait`, or a day from now when the clock cannot add `wait`.
pub(crate) fn after(wait: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(wait).unwrap_or(now + LONGEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_wait_is_a_day_and_a_small_one_is_itself() {
        let before = Instant::now();
        let far = after(Duration::from_millis(u64::MAX));
        assert!(far >= before + LONGEST);
        let near = after(Duration::from_millis(5));
        assert!(near >= before + Duration::from_millis(5) && near < before + LONGEST);
    }
}
