//! A typed call and its reply. A [`Call`] is one request to one endpoint and
//! the wire type its answer decodes to; a [`Reply`] is that request with the
//! answer it got, of any status, and the checks every caller makes of it:
//! the typed error a status means, the body decoded, Jira's own messages.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use super::endpoints::Endpoint;
use super::executor::Completed;
use super::failure::{check, decode_body, error_messages, network_error};
use super::transport::{HttpRequest, HttpResponse, Method};
use crate::error::{Error, RequestFailure, Result, sentences};

/// One request to one endpoint, and the type `T` its answer decodes to.
pub struct Call<T> {
    endpoint: Endpoint,
    request: HttpRequest,
    // `fn() -> T`: a call produces a `T`, it does not own one.
    answer: PhantomData<fn() -> T>,
}

/// The answer of a write whose body the connector does not read. It has no
/// decoder, so such a call can be sent and its status read, but never decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoBody;

/// The answer type of a reply taken from a queue of calls with different
/// answer types: whoever knows which call it answers decodes it with
/// [`Reply::decode_as`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Untyped;

impl<T> Call<T> {
    pub fn new(endpoint: Endpoint, request: HttpRequest) -> Self {
        Self {
            endpoint,
            request,
            answer: PhantomData,
        }
    }

    pub fn endpoint(&self) -> Endpoint {
        self.endpoint
    }

    pub fn request(&self) -> &HttpRequest {
        &self.request
    }

    pub fn into_request(self) -> HttpRequest {
        self.request
    }

    pub fn into_parts(self) -> (Endpoint, HttpRequest) {
        (self.endpoint, self.request)
    }

    /// The same call, for a queue of calls with different answer types:
    /// whoever handles its reply decodes it with [`Reply::decode_as`].
    pub fn untyped(self) -> Call<Untyped> {
        Call::new(self.endpoint, self.request)
    }
}

// By hand: derived impls would require `T: Clone` and `T: Debug`.
impl<T> Clone for Call<T> {
    fn clone(&self) -> Self {
        Self::new(self.endpoint, self.request.clone())
    }
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("endpoint", &self.endpoint)
            .field("request", &self.request)
            .finish()
    }
}

/// A call's request and the HTTP answer it got, of any status, after any
/// retries.
pub struct Reply<T> {
    endpoint: Endpoint,
    request: HttpRequest,
    response: HttpResponse,
    attempts: u32,
    answer: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("endpoint", &self.endpoint)
            .field("request", &self.request)
            .field("status", &self.response.status)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl<T> Reply<T> {
    pub fn new(
        endpoint: Endpoint,
        request: HttpRequest,
        response: HttpResponse,
        attempts: u32,
    ) -> Self {
        Self {
            endpoint,
            request,
            response,
            attempts,
            answer: PhantomData,
        }
    }

    /// What the executor handed back for a request to `endpoint`: its job,
    /// and the reply, or the network error when no answer came at all.
    pub fn receive<J>(endpoint: Endpoint, done: Completed<J>) -> (J, Result<Self>) {
        let Completed {
            job,
            request,
            result,
            attempts,
        } = done;
        let reply = match result {
            Ok(response) => Ok(Self::new(endpoint, request, response, attempts)),
            Err(e) => {
                let mut error = network_error(endpoint, &request, &e, attempts);
                // The executor never retries a write without an answer: it
                // may have been made.
                if request.method != Method::Get
                    && let Error::Network(f) = &mut error
                {
                    f.message = sentences([
                        f.message.as_str(),
                        "The change may or may not have been made",
                        "Apply the action again to find out (it is idempotent)",
                    ]);
                }
                Err(error)
            }
        };
        (job, reply)
    }

    pub fn endpoint(&self) -> Endpoint {
        self.endpoint
    }

    pub fn request(&self) -> &HttpRequest {
        &self.request
    }

    pub fn response(&self) -> &HttpResponse {
        &self.response
    }

    pub fn status(&self) -> u16 {
        self.response.status
    }

    /// How many times the request was sent.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The reply, if its status is a success and its body arrived whole;
    /// otherwise the typed error its status means.
    pub fn success(self) -> Result<Self> {
        check(self.endpoint, &self.request, &self.response, self.attempts)?;
        Ok(self)
    }

    /// The typed error this reply's status means: for a success status, an
    /// upstream error saying it was not expected.
    pub fn error(&self) -> Error {
        match check(self.endpoint, &self.request, &self.response, self.attempts) {
            Err(e) => e,
            Ok(()) => Error::Upstream {
                request: self.failure(format!("Unexpected HTTP {}", self.response.status)),
                status: self.response.status,
                messages: self.messages(),
            },
        }
    }

    /// Jira refused the change for a reason no retry can fix.
    pub fn rejected(&self) -> Error {
        let messages = self.messages();
        Error::Rejected {
            request: self.failure(sentences(&messages)),
            status: self.response.status,
            messages,
        }
    }

    /// Jira's error messages in the body, if any.
    pub fn messages(&self) -> Vec<String> {
        error_messages(&self.response.body)
    }

    /// Whether Jira's error messages say `needle` (case-insensitive).
    pub fn mentions(&self, needle: &str) -> bool {
        let needle = needle.to_ascii_lowercase();
        self.messages()
            .iter()
            .any(|m| m.to_ascii_lowercase().contains(&needle))
    }

    /// This request, named in an error with `message`.
    pub fn failure(&self, message: impl Into<String>) -> RequestFailure {
        RequestFailure::new(self.endpoint.step(), &self.request.line(), message)
    }

    /// An `invalid-response` error: the answer is not what Jira promises.
    pub fn invalid(&self, message: impl Into<String>) -> Error {
        Error::InvalidResponse(self.failure(message))
    }
}

impl<T: DeserializeOwned> Reply<T> {
    /// The body as the endpoint's wire type.
    pub fn decode(&self) -> Result<T> {
        decode_body(self.endpoint, &self.request, &self.response)
    }
}

impl Reply<Untyped> {
    /// The body as `U`, the answer type of the call this reply answers.
    pub fn decode_as<U: DeserializeOwned>(&self) -> Result<U> {
        decode_body(self.endpoint, &self.request, &self.response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::client::test_api;
    use crate::jira::transport::TransportError;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("retry-after".into(), "9".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    fn reply(
        endpoint: Endpoint,
        request: &HttpRequest,
        response: HttpResponse,
        attempts: u32,
    ) -> Reply<NoBody> {
        Reply::new(endpoint, request.clone(), response, attempts)
    }

    fn no_answer(request: &HttpRequest, attempts: u32) -> Completed<()> {
        Completed {
            job: (),
            request: request.clone(),
            result: Err(TransportError::Timeout("first byte".into())),
            attempts,
        }
    }

    #[test]
    fn success_maps_statuses_to_typed_errors() {
        let req = test_api().get("/rest/api/3/group/member", &[("groupId", "g1")]);
        let body =
            r#"{"errorMessages": ["You do not have permission"], "errors": {"groupId": "bad"}}"#;
        type Check = fn(&Error) -> bool;
        let cases: Vec<(u16, Check)> = vec![
            (401, |e| matches!(e, Error::Unauthorized(_))),
            (
                403,
                |e| matches!(e, Error::Forbidden { permission: Some(_), scopes, .. } if scopes.contains(&"read:group:jira".to_string())),
            ),
            (404, |e| matches!(e, Error::NotFound(_))),
            (429, |e| {
                matches!(
                    e,
                    Error::RateLimited {
                        retry_after_seconds: Some(9),
                        attempts: 3,
                        ..
                    }
                )
            }),
            (
                500,
                |e| matches!(e, Error::Upstream { status: 500, messages, .. } if messages.len() == 2),
            ),
        ];
        for (status, check) in cases {
            let err = reply(Endpoint::GroupMembers, &req, response(status, body), 3)
                .success()
                .unwrap_err();
            assert!(check(&err), "{status}: {err:?}");
            let text = err.to_string();
            assert!(text.contains("list group members"), "{text}");
            assert!(
                text.contains("/rest/api/3/group/member?groupId=g1"),
                "{text}"
            );
        }
    }

    #[test]
    fn receive_reports_transport_failures_as_network() {
        let req = test_api().get("/rest/api/3/myself", &[]);
        let err = Reply::<NoBody>::receive(Endpoint::Myself, no_answer(&req, 6))
            .1
            .unwrap_err();
        assert!(
            matches!(&err, Error::Network(f) if f.message.contains("6 attempts")),
            "{err:?}"
        );
    }

    #[test]
    fn receive_says_a_write_without_an_answer_may_have_been_made() {
        let mut post = test_api().get("/rest/api/3/group", &[]);
        post.method = Method::Post;
        let err = Reply::<NoBody>::receive(Endpoint::CreateGroup, no_answer(&post, 1))
            .1
            .unwrap_err();
        match &err {
            Error::Network(f) => assert!(
                f.message.ends_with(
                    "The change may or may not have been made. Apply the action again to find \
                     out (it is idempotent)."
                ),
                "{f:?}"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn success_reports_a_read_still_not_json_after_retries_as_invalid_response() {
        let req = test_api().get("/rest/api/3/group/bulk", &[("startAt", "0")]);
        for body in [
            "",
            "<html><body>502 Bad Gateway</body></html>",
            "{\"values\": [",
        ] {
            let err = reply(Endpoint::Groups, &req, response(200, body), 6)
                .success()
                .unwrap_err();
            match &err {
                Error::InvalidResponse(f) => {
                    assert_eq!(f.step, "list groups");
                    assert_eq!(f.endpoint, "GET /rest/api/3/group/bulk?startAt=0");
                    assert!(f.message.ends_with("Gave up after 6 attempts."), "{f:?}");
                    assert!(!f.message.contains("Bad Gateway"), "no body content: {f:?}");
                }
                other => panic!("{other:?}"),
            }
        }
        // JSON, of whatever shape, is for decoding to judge.
        let ok = reply(Endpoint::Groups, &req, response(200, "{\"x\": 1}"), 6).success();
        assert!(ok.is_ok());
        // A write is never retried on this ground: its body is decoding's business.
        let mut post = req.clone();
        post.method = Method::Post;
        let created = reply(Endpoint::CreateGroup, &post, response(201, "<html>"), 2);
        assert!(created.success().is_ok());
    }

    #[test]
    fn error_calls_an_unexpected_success_upstream() {
        let req = test_api().get("/rest/api/3/group", &[]);
        let err = reply(Endpoint::CreateGroup, &req, response(200, "{}"), 1).error();
        assert!(
            matches!(&err, Error::Upstream { status: 200, request, .. } if request.message == "Unexpected HTTP 200."),
            "{err:?}"
        );
    }

    #[test]
    fn decode_as_reads_an_untyped_reply_as_its_calls_answer() {
        let req = test_api().get("/rest/api/3/users/search", &[]);
        let body = r#"[{"accountId": "a1"}]"#;
        let (job, reply) = Reply::<Untyped>::receive(
            Endpoint::Users,
            Completed {
                job: 7,
                request: req,
                result: Ok(response(200, body)),
                attempts: 1,
            },
        );
        let users: Vec<crate::jira::models::User> = reply.unwrap().decode_as().unwrap();
        assert_eq!((job, users[0].account_id.as_str()), (7, "a1"));
    }

    #[test]
    fn decode_names_the_step_for_broken_json() {
        let req = test_api().get("/rest/api/3/users/search", &[]);
        for (body, what) in [
            ("", "empty body"),
            ("{", "not JSON"),
            ("{\"not\": \"an array\"}", "unexpected JSON"),
        ] {
            let reply =
                Reply::<Vec<u32>>::new(Endpoint::Users, req.clone(), response(200, body), 1);
            let err = reply.decode().unwrap_err();
            match err {
                Error::InvalidResponse(f) => {
                    assert_eq!(f.step, "list users");
                    assert!(f.endpoint.starts_with("GET /rest/api/3/users/search"));
                    assert!(f.message.starts_with(&format!("HTTP 200: {what}")), "{f:?}");
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
