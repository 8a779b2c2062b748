//! When the fake answers: each request at the instant its added latency
//! ends, to within a fraction of a millisecond.
//!
//! tokio's timer counts whole milliseconds and fires on the tick after the
//! deadline, and only when a worker thread next looks at it: a 50 ms sleep
//! measured 51.3 to 51.7 ms on average here, and more while the workers were
//! busy. That error is the instrument's, not the connector's, and at 3,500
//! requests it put a few per cent on every benchmark figure. So the latency
//! is kept by a thread of its own that sleeps on the operating system's
//! high-resolution timer until the earliest deadline and wakes the requests
//! that are due.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::mpsc;
use std::time::Instant;

use tokio::sync::oneshot;

/// A request waiting for its deadline.
struct Due {
    at: Instant,
    /// Breaks ties between equal deadlines, so the heap needs no order on
    /// the sender.
    seq: u64,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// The fake's latency clock. Its thread ends once the clock is dropped and
/// every deadline handed to it has passed.
pub(crate) struct Clock {
    requests: mpsc::Sender<(Instant, oneshot::Sender<()>)>,
}

impl Clock {
    pub(crate) fn start() -> Self {
        let (requests, incoming) = mpsc::channel();
        std::thread::Builder::new()
            .name("fake-jira-clock".to_owned())
            .spawn(move || run(&incoming))
            .expect("spawning the fake Jira's clock thread");
        Self { requests }
    }

    /// Returns at `at`, or at once if it has passed.
    pub(crate) async fn sleep_until(&self, at: Instant) {
        if at <= Instant::now() {
            return;
        }
        let (wake, woken) = oneshot::channel();
        match self.requests.send((at, wake)) {
            Ok(()) => {
                let _ = woken.await;
            }
            // The thread is gone (it cannot be while the clock lives, but a
            // wait must not be lost): fall back on tokio's timer.
            Err(_) => tokio::time::sleep_until(at.into()).await,
        }
    }
}

fn run(incoming: &mpsc::Receiver<(Instant, oneshot::Sender<()>)>) {
    let mut waiting: BinaryHeap<Reverse<Due>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut open = true;
    while open || !waiting.is_empty() {
        let now = Instant::now();
        while waiting.peek().is_some_and(|Reverse(due)| due.at <= now) {
            if let Some(Reverse(due)) = waiting.pop() {
                // A request whose client hung up no longer waits.
                let _ = due.wake.send(());
            }
        }
        let next = waiting.peek().map(|Reverse(due)| due.at);
        let received = match (open, next) {
            (true, Some(at)) => incoming.recv_timeout(at.saturating_duration_since(now)),
            (true, None) => incoming
                .recv()
                .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
            (false, Some(at)) => {
                std::thread::sleep(at.saturating_duration_since(now));
                continue;
            }
            (false, None) => break,
        };
        match received {
            Ok((at, wake)) => {
                seq += 1;
                waiting.push(Reverse(Due { at, seq, wake }));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => open = false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sleep_until_wakes_each_request_at_its_deadline() {
        let clock = std::sync::Arc::new(Clock::start());
        let started = Instant::now();
        let waits: Vec<_> = [30u64, 10, 20, 10]
            .into_iter()
            .map(|ms| {
                let clock = clock.clone();
                tokio::spawn(async move {
                    let at = started + Duration::from_millis(ms);
                    clock.sleep_until(at).await;
                    (ms, Instant::now() >= at)
                })
            })
            .collect();
        // Never early; how late is the scheduler's business, not asserted.
        for wait in waits {
            let (ms, on_time) = wait.await.expect("a wait panicked");
            assert!(on_time, "the {ms} ms wait ended early");
        }
    }

    #[tokio::test]
    async fn sleep_until_returns_at_once_for_a_past_instant() {
        let clock = Clock::start();
        let past = Instant::now();
        clock.sleep_until(past).await;
    }
}
