//! Runs requests on a [`Transport`]: several in flight up to a limit, with
//! retries that are safe for the request's method, `Retry-After` honoured, and
//! concurrency that ramps up from a couple of requests (slow start), backs off
//! under rate limiting and recovers when answers are healthy again.
//!
//! The executor knows nothing of Jira's resources. Callers tag each request
//! with a job value and get it back with the final response.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use super::transport::{HttpRequest, HttpResponse, Ticket, Transport, TransportError};

/// The limit a run opens with, when the cap is higher. A rate limiter counts
/// requests as they arrive, and nothing says how close to its limit a run
/// starts (another client may share the budget): opening at the cap could
/// send a burst that overshoots before the first answer can say so. Two is
/// the least that still overlaps requests; healthy answers double it each
/// round trip, so the cap is reached within a few round trips.
const SLOW_START_LIMIT: u32 = 2;

/// When and how long to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The most time one request may spend waiting between attempts.
    pub max_wait: Duration,
    /// First backoff when the server gives no `Retry-After`; doubles per attempt.
    pub base_backoff: Duration,
    /// The largest single backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            max_wait: Duration::from_secs(120),
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The default policy with a different wait budget per request.
    pub fn with_budget(max_wait: Duration) -> Self {
        Self {
            max_wait,
            ..Self::default()
        }
    }
}

/// What became of a request after any retries.
#[derive(Debug)]
pub struct Completed<J> {
    pub job: J,
    pub request: HttpRequest,
    /// The final answer: a response of any status, or why there was none.
    pub result: Result<HttpResponse, TransportError>,
    /// How many times the request was sent.
    pub attempts: u32,
}

/// Counters for the benchmark and the run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests sent, retries included.
    pub sent: u64,
    /// Of those, retries.
    pub retries: u64,
    /// Answers that asked the connector to slow down (429, or near the limit).
    pub throttled: u64,
    /// The most requests in flight at once.
    pub peak_in_flight: u32,
}

struct Attempt<J> {
    job: J,
    request: HttpRequest,
    attempts: u32,
    waited: Duration,
}

pub struct Executor<T, J> {
    transport: T,
    policy: RetryPolicy,
    /// The configured cap: never exceeded.
    cap: u32,
    /// The current limit, between 1 and `cap`.
    limit: u32,
    /// Whether the run is still ramping up: every healthy answer raises the
    /// limit by one until the first throttling answer, after which it only
    /// ever grows by one per `limit` healthy answers.
    slow_start: bool,
    /// Healthy answers since the limit last changed.
    healthy_streak: u32,
    ready: VecDeque<Attempt<J>>,
    delayed: Vec<(Duration, Attempt<J>)>,
    in_flight: HashMap<Ticket, Attempt<J>>,
    /// No new request starts before this time (set by `Retry-After`).
    paused_until: Duration,
    done: VecDeque<Completed<J>>,
    stats: Stats,
    rng: u64,
}

impl<T: Transport, J> Executor<T, J> {
    pub fn new(transport: T, cap: u32, policy: RetryPolicy) -> Self {
        Self::opening_at(transport, cap, SLOW_START_LIMIT, policy)
    }

    /// Like [`Executor::new`], opening at `opening` requests in flight
    /// instead of [`SLOW_START_LIMIT`]: for a caller that sends a known
    /// handful at once and nothing after, which is no burst.
    pub fn opening_at(transport: T, cap: u32, opening: u32, policy: RetryPolicy) -> Self {
        let cap = cap.max(1);
        let seed = transport.now().as_nanos() as u64 | 1;
        Self {
            transport,
            policy,
            cap,
            limit: cap.min(opening.max(1)),
            slow_start: true,
            healthy_streak: 0,
            ready: VecDeque::new(),
            delayed: Vec::new(),
            in_flight: HashMap::new(),
            paused_until: Duration::ZERO,
            done: VecDeque::new(),
            stats: Stats::default(),
            rng: seed,
        }
    }

    pub fn submit(&mut self, job: J, request: HttpRequest) {
        self.ready.push_back(Attempt {
            job,
            request,
            attempts: 0,
            waited: Duration::ZERO,
        });
    }

    /// Requests submitted and not yet returned by [`Executor::next_completed`].
    pub fn outstanding(&self) -> usize {
        self.ready.len() + self.delayed.len() + self.in_flight.len() + self.done.len()
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Every job submitted and not yet returned, whatever its stage.
    pub fn pending_jobs(&self) -> impl Iterator<Item = &J> {
        self.ready
            .iter()
            .map(|a| &a.job)
            .chain(self.delayed.iter().map(|(_, a)| &a.job))
            .chain(self.in_flight.values().map(|a| &a.job))
            .chain(self.done.iter().map(|c| &c.job))
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Returns the next finished request, waiting for one if need be, or
    /// `None` when nothing is outstanding.
    pub fn next_completed(&mut self) -> Option<Completed<J>> {
        loop {
            if let Some(done) = self.done.pop_front() {
                return Some(done);
            }
            if self.outstanding() == 0 {
                return None;
            }
            self.start_ready();
            let timeout = self
                .next_wake()
                .map(|at| at.saturating_sub(self.transport.now()));
            for (ticket, result) in self.transport.wait(timeout) {
                if let Some(attempt) = self.in_flight.remove(&ticket) {
                    self.finish(attempt, result);
                }
            }
            // Refill the slots just freed before the caller maps the answer:
            // mapping a large page takes a while, and the requests waiting
            // behind it should already be on their way.
            self.start_ready();
        }
    }

    fn start_ready(&mut self) {
        let now = self.transport.now();
        let mut i = 0;
        while i < self.delayed.len() {
            if self.delayed[i].0 <= now {
                let (_, attempt) = self.delayed.swap_remove(i);
                // Retries go first: they are older work.
                self.ready.push_front(attempt);
            } else {
                i += 1;
            }
        }
        if now < self.paused_until {
            return;
        }
        while (self.in_flight.len() as u32) < self.limit {
            let Some(mut attempt) = self.ready.pop_front() else {
                break;
            };
            attempt.attempts += 1;
            self.stats.sent += 1;
            if attempt.attempts > 1 {
                self.stats.retries += 1;
            }
            let ticket = self.transport.start(&attempt.request);
            self.in_flight.insert(ticket, attempt);
            self.stats.peak_in_flight = self.stats.peak_in_flight.max(self.in_flight.len() as u32);
        }
    }

    /// When the executor next has something to do without an answer arriving.
    fn next_wake(&self) -> Option<Duration> {
        let mut wake = self.delayed.iter().map(|(at, _)| *at).min();
        if !self.ready.is_empty() && self.paused_until > self.transport.now() {
            wake = Some(wake.map_or(self.paused_until, |w| w.min(self.paused_until)));
        }
        wake
    }

    fn finish(&mut self, mut attempt: Attempt<J>, result: Result<HttpResponse, TransportError>) {
        let read = attempt.request.method.is_read();
        let decision = match &result {
            Ok(response) => {
                let near_limit = response
                    .header("x-ratelimit-nearlimit")
                    .is_some_and(|v| v.eq_ignore_ascii_case("true"));
                let retry_after = retry_after(response);
                let garbled = read && not_json(response).is_some();
                if response.status == 429 || near_limit {
                    self.throttled();
                } else if response.status < 500 && !garbled {
                    self.healthy();
                }
                match response.status {
                    // The server says it did not process the request: safe for writes too.
                    429 | 503 => Some(retry_after),
                    500 | 502 | 504 if read => Some(None),
                    // Not Jira's answer but a broken delivery of it: like a reset
                    // connection, worth another read. A write may have been made.
                    _ if garbled => Some(None),
                    _ => None,
                }
            }
            // Without an answer a write may or may not have happened.
            Err(TransportError::Timeout(_) | TransportError::Connection(_)) if read => Some(None),
            Err(_) => None,
        };

        if let Some(retry_after) = decision
            && attempt.attempts < self.policy.max_attempts
        {
            let delay = retry_after.unwrap_or_else(|| self.backoff(attempt.attempts));
            if attempt.waited + delay <= self.policy.max_wait {
                attempt.waited += delay;
                let now = self.transport.now();
                if retry_after.is_some() {
                    // Retry-After speaks for the whole client, not one request.
                    self.paused_until = self.paused_until.max(now + delay);
                }
                self.delayed.push((now + delay, attempt));
                return;
            }
        }
        self.done.push_back(Completed {
            job: attempt.job,
            request: attempt.request,
            result,
            attempts: attempt.attempts,
        });
    }

    /// Halves the limit. The first throttling answer also ends slow start for
    /// good: the limit found is near what the server allows, and doubling
    /// past it again would only overshoot again.
    fn throttled(&mut self) {
        self.stats.throttled += 1;
        self.slow_start = false;
        self.limit = (self.limit / 2).max(1);
        self.healthy_streak = 0;
    }

    /// Raises the limit towards the cap: by one per healthy answer in slow
    /// start, which doubles it each round trip (each of the `limit` requests
    /// in flight comes back and adds one), and by one per `limit` healthy
    /// answers after it, about one per round trip.
    fn healthy(&mut self) {
        if self.limit >= self.cap {
            return;
        }
        if self.slow_start {
            self.limit += 1;
            return;
        }
        self.healthy_streak += 1;
        if self.healthy_streak >= self.limit {
            self.limit += 1;
            self.healthy_streak = 0;
        }
    }

    /// Exponential backoff with full jitter, as Atlassian's rate-limiting
    /// guide advises, so that clients throttled together do not return together.
    fn backoff(&mut self, attempts: u32) -> Duration {
        let exp = self
            .policy
            .base_backoff
            .saturating_mul(1u32 << attempts.saturating_sub(1).min(16))
            .min(self.policy.max_backoff);
        // xorshift64: no need for a cryptographic source to spread retries.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let fraction = (self.rng % 1000) as u32;
        exp / 2 + (exp / 2) * fraction / 1000
    }
}

/// Why a successful answer's body is not JSON at all, if it is not: a proxy's
/// error page sent as 200, or a body cut short that the transport could not
/// tell from a whole one. Every read the connector sends is answered with JSON
/// (Atlassian's spec gives each a 200 with `application/json`, and
/// `/_edge/tenant_info` answers JSON too), so such a body is a failed delivery,
/// not Jira's answer. JSON of the wrong shape is Jira's answer, and is not
/// this. 204 and 205 carry no body by definition, so `None` for them.
pub fn not_json(response: &HttpResponse) -> Option<serde_json::Error> {
    if !response.is_success() || matches!(response.status, 204 | 205) {
        return None;
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(&response.body).err()
}

/// `Retry-After` in seconds. Jira sends whole seconds; an HTTP date is not used
/// by Atlassian's APIs and is treated as absent.
fn retry_after(response: &HttpResponse) -> Option<Duration> {
    response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s.min(3600)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::transport::Method;
    use crate::jira::transport::fake::{FakeTransport, json};
    use std::cell::Cell;
    use std::rc::Rc;

    fn get(path: &str) -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            authority: "acme.atlassian.net".into(),
            path_and_query: path.into(),
            headers: vec![],
            body: None,
        }
    }

    fn status(code: u16, headers: &[(&str, &str)]) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status: code,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: vec![],
        })
    }

    #[test]
    fn next_retries_429_after_retry_after() {
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        let transport = FakeTransport::new(move |_| {
            c.set(c.get() + 1);
            if c.get() == 1 {
                status(429, &[("retry-after", "7")])
            } else {
                json(200, serde_json::json!([]))
            }
        });
        let mut ex = Executor::new(transport, 4, RetryPolicy::default());
        ex.submit("a", get("/x"));
        let done = ex.next_completed().unwrap();
        assert_eq!(done.result.unwrap().status, 200);
        assert_eq!(done.attempts, 2);
        assert_eq!(ex.transport().slept, Duration::from_secs(7));
        assert_eq!(ex.stats().retries, 1);
        assert_eq!(ex.stats().throttled, 1);
        assert!(ex.next_completed().is_none());
    }

    #[test]
    fn next_gives_up_when_retry_after_exceeds_budget() {
        let transport = FakeTransport::new(|_| status(429, &[("retry-after", "500")]));
        let mut ex = Executor::new(transport, 4, RetryPolicy::default());
        ex.submit((), get("/x"));
        let done = ex.next_completed().unwrap();
        assert_eq!(done.result.unwrap().status, 429);
        assert_eq!(done.attempts, 1);
    }

    #[test]
    fn next_stops_after_max_attempts() {
        let transport = FakeTransport::new(|_| status(502, &[]));
        let policy = RetryPolicy::default();
        let mut ex = Executor::new(transport, 4, policy);
        ex.submit((), get("/x"));
        let done = ex.next_completed().unwrap();
        assert_eq!(done.result.unwrap().status, 502);
        assert_eq!(done.attempts, policy.max_attempts);
        assert!(ex.transport().slept <= policy.max_wait);
    }

    #[test]
    fn next_never_retries_a_write_after_an_ambiguous_failure() {
        let transport = FakeTransport::new(|_| status(502, &[]));
        let mut ex = Executor::new(transport, 4, RetryPolicy::default());
        let mut post = get("/rest/api/3/group");
        post.method = Method::Post;
        ex.submit((), post.clone());
        assert_eq!(ex.next_completed().unwrap().attempts, 1);

        let transport = FakeTransport::new(|_| Err(TransportError::Connection("reset".into())));
        let mut ex = Executor::new(transport, 4, RetryPolicy::default());
        ex.submit((), post);
        assert_eq!(ex.next_completed().unwrap().attempts, 1);
    }

    #[test]
    fn next_retries_a_write_on_503() {
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        let transport = FakeTransport::new(move |_| {
            c.set(c.get() + 1);
            if c.get() == 1 {
                status(503, &[("retry-after", "1")])
            } else {
                status(201, &[])
            }
        });
        let mut ex = Executor::new(transport, 4, RetryPolicy::default());
        let mut post = get("/rest/api/3/group");
        post.method = Method::Post;
        ex.submit((), post);
        let done = ex.next_completed().unwrap();
        assert_eq!((done.result.unwrap().status, done.attempts), (201, 2));
    }

    #[test]
    fn next_retries_connection_errors_on_reads() {
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        let transport = FakeTransport::new(move |_| {
            c.set(c.get() + 1);
            if c.get() < 3 {
                Err(TransportError::Connection("reset".into()))
            } else {
                json(200, serde_json::json!([]))
            }
        });
        let mut ex = Executor::new(transport, 4, RetryPolicy::default());
        ex.submit((), get("/x"));
        let done = ex.next_completed().unwrap();
        assert_eq!((done.result.unwrap().status, done.attempts), (200, 3));
    }

    fn body(code: u16, body: &str) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status: code,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        })
    }

    /// What a client may get instead of Jira's JSON: nothing, a proxy's page,
    /// a body cut short with a matching `Content-Length`.
    const NOT_JSON: &[&str] = &[
        "",
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        r#"{"values": [{"accountId": "5b10a"#,
        "[] trailing",
    ];

    #[test]
    fn next_retries_a_read_whose_200_is_not_json() {
        for garbage in NOT_JSON {
            let calls = Rc::new(Cell::new(0));
            let c = calls.clone();
            let transport = FakeTransport::new(move |_| {
                c.set(c.get() + 1);
                if c.get() < 3 {
                    body(200, garbage)
                } else {
                    json(200, serde_json::json!([]))
                }
            });
            let mut ex = Executor::new(transport, 4, RetryPolicy::default());
            ex.submit((), get("/x"));
            let done = ex.next_completed().unwrap();
            assert_eq!(done.attempts, 3, "{garbage:?}");
            assert_eq!(done.result.unwrap().body, b"[]");
            assert_eq!(ex.stats().retries, 2);
            assert!(ex.transport().slept > Duration::ZERO, "backed off");
        }
    }

    #[test]
    fn next_never_retries_a_write_whose_200_is_not_json() {
        for method in [Method::Post, Method::Put, Method::Delete] {
            for code in [200, 201] {
                let transport = FakeTransport::new(move |_| body(code, NOT_JSON[1]));
                let mut ex = Executor::new(transport, 4, RetryPolicy::default());
                let mut write = get("/rest/api/3/group");
                write.method = method;
                ex.submit((), write);
                let done = ex.next_completed().unwrap();
                assert_eq!(done.attempts, 1, "{method:?} {code}");
                assert_eq!(done.result.unwrap().status, code);
            }
        }
    }

    #[test]
    fn next_does_not_retry_a_read_whose_json_has_the_wrong_shape() {
        let transport =
            FakeTransport::new(|_| json(200, serde_json::json!({"values": {"not": "a list"}})));
        let mut ex = Executor::new(transport, 4, RetryPolicy::default());
        ex.submit((), get("/x"));
        assert_eq!(ex.next_completed().unwrap().attempts, 1);
    }

    #[test]
    fn next_does_not_retry_a_read_whose_204_is_empty() {
        let transport = FakeTransport::new(|_| body(204, ""));
        let mut ex = Executor::new(transport, 4, RetryPolicy::default());
        ex.submit((), get("/x"));
        assert_eq!(ex.next_completed().unwrap().attempts, 1);
    }

    #[test]
    fn next_does_not_retry_an_error_status_whose_body_is_not_json() {
        let transport = FakeTransport::new(|_| body(404, "<html>Not Found</html>"));
        let mut ex = Executor::new(transport, 4, RetryPolicy::default());
        ex.submit((), get("/x"));
        assert_eq!(ex.next_completed().unwrap().attempts, 1);
    }

    #[test]
    fn next_gives_up_as_invalid_response_when_budget_spent() {
        use crate::error::Error;
        use crate::jira::call::{NoBody, Reply};
        use crate::jira::client::test_api;
        use crate::jira::endpoints::Endpoint;

        let budgets = [
            (RetryPolicy::default(), RetryPolicy::default().max_attempts),
            // 0.5 s of backoff at most: one retry fits, whatever the jitter.
            (
                RetryPolicy {
                    max_wait: Duration::from_millis(500),
                    ..RetryPolicy::default()
                },
                2,
            ),
        ];
        for (policy, attempts) in budgets {
            let transport = FakeTransport::new(|_| body(200, NOT_JSON[1]));
            let mut ex = Executor::new(transport, 4, policy);
            let request = test_api().get("/rest/api/3/group/bulk", &[("startAt", "50")]);
            ex.submit((), request);
            let done = ex.next_completed().unwrap();
            assert_eq!(done.attempts, attempts);
            assert!(ex.transport().slept <= policy.max_wait);
            let reply = Reply::<NoBody>::receive(Endpoint::Groups, done).1;
            let err = reply.and_then(Reply::success).unwrap_err();
            match &err {
                Error::InvalidResponse(f) => {
                    assert_eq!(f.step, "list groups");
                    assert_eq!(f.endpoint, "GET /rest/api/3/group/bulk?startAt=50");
                    assert!(
                        f.message
                            .ends_with(&format!("not JSON: expected value at line 1 column 1. Gave up after {attempts} attempts.")),
                        "{f:?}"
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }

    /// Answers every request with an empty JSON list, and those sent in
    /// the positions `near` (counting from 1) with `X-RateLimit-NearLimit`.
    fn near_limit_at(near: &'static [u32]) -> FakeTransport {
        let calls = Rc::new(Cell::new(0));
        FakeTransport::new(move |_| {
            calls.set(calls.get() + 1);
            let mut answer = json(200, serde_json::json!([]));
            if near.contains(&calls.get())
                && let Ok(r) = &mut answer
            {
                r.headers
                    .push(("x-ratelimit-nearlimit".into(), "true".into()));
            }
            answer
        })
    }

    #[test]
    fn limit_halves_on_throttling_and_recovers() {
        let mut ex = Executor::new(near_limit_at(&[9]), 8, RetryPolicy::default());
        for i in 0..8 {
            ex.submit(i, get("/n"));
        }
        while ex.next_completed().is_some() {}
        assert_eq!(ex.limit(), 8, "slow start reached the cap");
        ex.submit(8, get("/near"));
        ex.next_completed().unwrap();
        assert_eq!(ex.limit(), 4);
        for i in 9..=48 {
            ex.submit(i, get("/n"));
        }
        while ex.next_completed().is_some() {}
        assert_eq!(ex.limit(), 8, "recovers to the cap, never beyond");
        assert!(ex.transport().max_in_flight <= 8);
    }

    #[test]
    fn limit_doubles_each_round_trip_at_the_start() {
        let mut ex = Executor::new(near_limit_at(&[]), 16, RetryPolicy::default());
        assert_eq!(ex.limit(), SLOW_START_LIMIT);
        for i in 0..40 {
            ex.submit(i, get("/n"));
        }
        ex.next_completed().unwrap();
        // The first answer's slot, and the one its answer added, are
        // refilled before it is handed over.
        assert_eq!(
            ex.transport().requests.len(),
            SLOW_START_LIMIT as usize + 2,
            "the opening burst is two requests, not the cap"
        );
        // Each round trip, every request in flight comes back and adds one.
        let mut answered = 1;
        for (round_trip, limit) in [(2, 4), (4, 8), (8, 16)] {
            while answered < round_trip {
                ex.next_completed().unwrap();
                answered += 1;
            }
            assert_eq!(ex.limit(), limit, "after {answered} answers");
            answered = 0;
        }
        while ex.next_completed().is_some() {}
        assert_eq!(ex.limit(), 16, "never beyond the cap");
        assert_eq!(ex.transport().max_in_flight, 16);
    }

    #[test]
    fn limit_starts_at_the_cap_when_it_is_lower() {
        let ex: Executor<_, ()> = Executor::new(near_limit_at(&[]), 1, RetryPolicy::default());
        assert_eq!(ex.limit(), 1);
    }

    #[test]
    fn slow_start_ends_at_the_first_throttle() {
        let mut ex = Executor::new(near_limit_at(&[3]), 16, RetryPolicy::default());
        for i in 0..40 {
            ex.submit(i, get("/n"));
        }
        let mut limits = Vec::new();
        for _ in 0..8 {
            ex.next_completed().unwrap();
            limits.push(ex.limit());
        }
        // Two healthy answers double the opening two; the third answer halves
        // the limit; after it the limit grows by one per `limit` healthy
        // answers, not by one per answer.
        assert_eq!(limits, [3, 4, 2, 2, 3, 3, 3, 4]);
        while ex.next_completed().is_some() {}
        assert!(
            ex.limit() < 16,
            "additive increase is slower: {}",
            ex.limit()
        );
    }

    #[test]
    fn submit_respects_the_cap() {
        let transport = FakeTransport::new(|_| json(200, serde_json::json!([])));
        let mut ex = Executor::new(transport, 3, RetryPolicy::default());
        for i in 0..10 {
            ex.submit(i, get("/n"));
        }
        let mut jobs = Vec::new();
        while let Some(done) = ex.next_completed() {
            jobs.push(done.job);
        }
        assert_eq!(jobs, (0..10).collect::<Vec<_>>());
        assert_eq!(ex.transport().max_in_flight, 3);
        assert_eq!(ex.stats().peak_in_flight, 3);
    }
}
