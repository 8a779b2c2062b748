//! The connector's error type: one variant per cause, each carrying what a
//! person needs to act on it. `lib.rs` converts it to the WIT `error` variant.

use std::fmt;

/// Identifies the request a failure came from: what the connector was doing
/// and which endpoint it called. Never holds a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFailure {
    /// What the connector was doing, e.g. `list group members`.
    pub step: String,
    /// Method plus path and query, e.g. `GET /rest/api/3/myself`.
    pub endpoint: String,
    /// What went wrong: one or more sentences, each ending in one full stop
    /// (see [`sentences`]), so that a renderer can add its own after them.
    pub message: String,
}

impl RequestFailure {
    /// `message` may or may not end in a full stop; it is stored as
    /// [`sentences`] makes it.
    pub fn new(step: &str, endpoint: &str, message: impl Into<String>) -> Self {
        Self {
            step: step.to_owned(),
            endpoint: endpoint.to_owned(),
            message: sentences([message.into()]),
        }
    }
}

impl fmt::Display for RequestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&sentences([
            format!("{} ({})", self.step, self.endpoint),
            self.message.clone(),
        ]))
    }
}

/// Joins sentences into one text, so that no part's own punctuation is
/// doubled: each part is trimmed, a trailing `.`, `,`, `;` or `:` is replaced
/// by one full stop (a part ending in `?`, `!` or `…` keeps its own), and a
/// first word in plain lower case is capitalised. Empty parts are skipped.
///
/// A part may end in a full stop or not, as Jira's messages do or do not:
/// `["Forbidden: list users (GET /x)", "You do not have permission."]` gives
/// `Forbidden: list users (GET /x). You do not have permission.`
pub fn sentences<I>(parts: I) -> String
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let mut out = String::new();
    for part in parts {
        let part = part
            .as_ref()
            .trim()
            .trim_end_matches(|c: char| matches!(c, '.' | ',' | ';' | ':') || c.is_whitespace());
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let first_word = part
            .split(char::is_whitespace)
            .next()
            .unwrap_or_default()
            .trim_end_matches([',', ':', ';']);
        let mut chars = part.chars();
        match chars.next() {
            Some(first)
                if first_word
                    .chars()
                    .all(|c| c.is_lowercase() || c == '-' || c == '\'') =>
            {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
            _ => out.push_str(part),
        }
        if !part.ends_with(['?', '!', '…']) {
            out.push('.');
        }
    }
    out
}

/// The marks that end a sentence.
const TERMINAL: [char; 4] = ['.', '?', '!', '…'];

/// The first way `text` fails to read as clean sentences, as [`sentences`]
/// writes them: no doubled or stray punctuation, every sentence starting
/// with a capital letter or a code or quoted token, and the whole ending in
/// exactly one terminal mark. `None` when it reads cleanly. The component's
/// and the host's tests hold every message to it.
pub fn sentence_fault(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return Some("an empty message".into());
    }
    if text != text.trim() {
        return Some("space around the message".into());
    }
    let bad = [
        "..", ". .", ",.", " .", ";.", ":.", ".,", ".;", ".:", "?.", "!.", "….", "  ",
    ];
    if let Some(bad) = bad.iter().find(|b| text.contains(*b)) {
        return Some(format!("{bad:?} in the message"));
    }
    let mut ending = text.chars().rev();
    if !ending.next().is_some_and(|c| TERMINAL.contains(&c)) {
        return Some("no terminal mark".into());
    }
    let before = ending.next().unwrap_or_default();
    if TERMINAL.contains(&before) || matches!(before, ',' | ';' | ':' | ' ') {
        return Some("more than one terminal mark".into());
    }
    let mut previous = None;
    let mut starts = vec![0];
    for (i, c) in text.char_indices() {
        if c == ' ' && previous.is_some_and(|p| TERMINAL.contains(&p)) {
            starts.push(i + 1);
        }
        previous = Some(c);
    }
    starts
        .into_iter()
        .map(|start| text[start..].split(' ').next().unwrap_or_default())
        .find(|word| !starts_a_sentence(word))
        .map(|word| format!("a sentence starts with {word:?}"))
}

/// Whether a sentence may start with `word`: a capital letter, a quote, or a
/// code token such as `appConfig.siteName` or `read:jira-user`.
fn starts_a_sentence(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_uppercase()
        || matches!(first, '"' | '\'' | '`' | '{')
        || word.contains(['.', ':', '_', '/', '=', '@'])
        || chars.any(char::is_uppercase)
}

/// Renders a caller-supplied string safely inside an error message: short,
/// ASCII-printable, with anything else escaped. A cut is marked with one `…`,
/// not "...", so that a full stop after it is not doubled.
pub fn printable(s: &str) -> String {
    let mut out: String = s.chars().take(64).flat_map(char::escape_default).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

/// Every message is one or more sentences (see [`sentences`]), starting with
/// what failed and where, then Jira's or the connector's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    InvalidConfig {
        field: String,
        reason: String,
    },
    NotConfigured,
    Unauthorized(RequestFailure),
    Forbidden {
        request: RequestFailure,
        permission: Option<String>,
        scopes: Vec<String>,
    },
    NotFound(RequestFailure),
    RateLimited {
        request: RequestFailure,
        retry_after_seconds: Option<u32>,
        attempts: u32,
    },
    Network(RequestFailure),
    InvalidResponse(RequestFailure),
    Upstream {
        request: RequestFailure,
        status: u16,
        messages: Vec<String>,
    },
    InvalidAction {
        field: String,
        reason: String,
    },
    Rejected {
        request: RequestFailure,
        status: u16,
        messages: Vec<String>,
    },
    InvalidCursor(String),
    Unsupported(String),
    Other(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What failed and where, as the first sentence; the request's own
        // message after it.
        let at = |what: &str, r: &RequestFailure| {
            [
                format!("{what}: {} ({})", r.step, r.endpoint),
                r.message.clone(),
            ]
        };
        let text = match self {
            Error::InvalidConfig { field, reason } => {
                sentences([format!("Invalid configuration: {field}: {reason}")])
            }
            Error::NotConfigured => sentences(["Not configured", "Call configure first"]),
            Error::Unauthorized(r) => sentences(at("Unauthorized", r)),
            Error::Forbidden {
                request,
                permission,
                scopes,
            } => {
                let mut parts = at("Forbidden", request).to_vec();
                if let Some(p) = permission {
                    parts.push(format!("It needs the Jira permission: {p}"));
                }
                if !scopes.is_empty() {
                    parts.push(format!(
                        "A scoped token needs the scopes: {}",
                        scopes.join(", ")
                    ));
                }
                sentences(parts)
            }
            Error::NotFound(r) => sentences(at("Not found", r)),
            Error::RateLimited {
                request,
                retry_after_seconds,
                attempts,
            } => {
                let mut parts =
                    at(&format!("Rate limited after {attempts} attempts"), request).to_vec();
                if let Some(s) = retry_after_seconds {
                    parts.push(format!("Jira last asked to wait {s} s"));
                }
                sentences(parts)
            }
            Error::Network(r) => sentences(at("Network failure", r)),
            Error::InvalidResponse(r) => sentences(at("Invalid response", r)),
            Error::Upstream {
                request, status, ..
            } => sentences(at(&format!("Jira answered HTTP {status}"), request)),
            Error::InvalidAction { field, reason } => {
                sentences([format!("Invalid action: {field}: {reason}")])
            }
            Error::Rejected {
                request, status, ..
            } => sentences(at(
                &format!("Jira refused the change (HTTP {status})"),
                request,
            )),
            Error::InvalidCursor(m) => sentences([format!("Invalid resume cursor: {m}")]),
            Error::Unsupported(m) => sentences([format!("Unsupported: {m}")]),
            Error::Other(m) => sentences([m]),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for Error {}

impl Error {
    pub fn invalid_config(field: &str, reason: impl Into<String>) -> Self {
        Error::InvalidConfig {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    pub fn invalid_action(field: &str, reason: impl Into<String>) -> Self {
        Error::InvalidAction {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Config;
    use crate::jira::call::{Reply, Untyped};
    use crate::jira::client::test_api;
    use crate::jira::endpoints::Endpoint;
    use crate::jira::failure::network_error;
    use crate::jira::transport::{HttpResponse, TransportError};

    /// Asserts that `text` reads as clean sentences (see
    /// [`crate::error::sentence_fault`]).
    pub(crate) fn assert_clean_sentences(text: &str) {
        if let Some(fault) = crate::error::sentence_fault(text) {
            panic!("{fault}: {text:?}");
        }
    }

    fn request_failure(step: &str, endpoint: &str, message: &str) -> RequestFailure {
        RequestFailure::new(step, endpoint, message)
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("retry-after".into(), "30".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// The variant's name, so that the test can show it covered each one;
    /// a new variant fails to compile here until the test covers it.
    fn variant(e: &Error) -> &'static str {
        match e {
            Error::InvalidConfig { .. } => "invalid-config",
            Error::NotConfigured => "not-configured",
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden { .. } => "forbidden",
            Error::NotFound(_) => "not-found",
            Error::RateLimited { .. } => "rate-limited",
            Error::Network(_) => "network",
            Error::InvalidResponse(_) => "invalid-response",
            Error::Upstream { .. } => "upstream",
            Error::InvalidAction { .. } => "invalid-action",
            Error::Rejected { .. } => "rejected",
            Error::InvalidCursor(_) => "invalid-cursor",
            Error::Unsupported(_) => "unsupported",
            Error::Other(_) => "other",
        }
    }

    /// Errors of every variant, built the way the connector builds them:
    /// from bad configs, from Jira's answers (whose messages often end in a
    /// full stop, or come as several), and from transport failures.
    fn every_error() -> Vec<Error> {
        let mut errors = Vec::new();
        for config in [
            "{",
            "[]",
            r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme.evil.com"}}"#,
            r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme."}}"#,
            r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "http://acme.atlassian.net"}}"#,
            r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme", "orgName": "other"}}"#,
            r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme", "maxconcurrency": 4}}"#,
            r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme", "maxConcurrency": 99}}"#,
            r#"{"appConfig": {"token": "TOKEN-WITHOUT-COLON", "siteName": "acme"}}"#,
            r#"{"appConfig": {"token": "me@acme.com:TOKEN"}}"#,
        ] {
            errors.push(Config::parse(config).expect_err(config));
        }
        errors.push(Error::invalid_config(
            "appConfig.siteName",
            "is not an atlassian.net site.",
        ));
        errors.push(Error::NotConfigured);

        let api = test_api();
        let members = api.get("/rest/api/3/group/member", &[("groupId", "g1")]);
        let actors = api.get("/rest/api/3/project/10001/role/10000", &[]);
        let bodies = [
            r#"{"errorMessages": ["You do not have permission to view this resource."], "errors": {}}"#,
            r#"{"errorMessages": ["The group does not exist.", "Try again."], "errors": {"groupId": "is not valid."}}"#,
            r#"{"errorMessages": ["Rate limit exceeded"]}"#,
            r#"{"code": 401, "message": "Unauthorized; scope does not match"}"#,
            "",
            "<html>Service Unavailable.</html>",
        ];
        for status in [401, 403, 404, 429, 409, 500, 503] {
            for body in bodies {
                for (endpoint, request) in [
                    (Endpoint::GroupMembers, &members),
                    (Endpoint::ProjectRoleActors, &actors),
                ] {
                    let reply =
                        Reply::<Untyped>::new(endpoint, request.clone(), response(status, body), 6);
                    errors.push(reply.success().unwrap_err());
                }
            }
        }
        for (error, attempts) in [
            (TransportError::Timeout("ConnectionReadTimeout".into()), 6),
            (TransportError::Connection("reset.".into()), 1),
            (TransportError::TooLarge(64 << 20), 1),
            (
                TransportError::Request(
                    "the host refused to send it (not an allowed destination)".into(),
                ),
                1,
            ),
        ] {
            errors.push(network_error(Endpoint::Myself, &members, &error, attempts));
        }
        for body in ["", "{", r#"{"not": "an array"}"#] {
            errors.push(
                Reply::<Vec<u32>>::new(Endpoint::Users, members.clone(), response(200, body), 1)
                    .decode()
                    .unwrap_err(),
            );
        }

        let rejected = request_failure(
            "add a project role actor",
            "POST /rest/api/3/project/10001/role/10000",
            &sentences(["The user is not active.", "Reactivate the user first."]),
        );
        errors.push(Error::Rejected {
            request: rejected,
            status: 400,
            messages: vec![
                "The user is not active.".into(),
                "Reactivate the user first.".into(),
            ],
        });
        errors.push(Error::invalid_action(
            "project-id",
            "must be a number, as Jira's ids are",
        ));
        errors.push(Error::invalid_action(
            "permission",
            "must be a permission key.",
        ));
        errors.push(Error::InvalidCursor(
            "not a cursor of this connector: expected value at line 1 column 1".into(),
        ));
        errors.push(Error::InvalidCursor(
            "it belongs to https://other.atlassian.net, not to https://acme.atlassian.net.".into(),
        ));
        errors.push(Error::Unsupported(
            "Jira Cloud has no endpoint for this action.".into(),
        ));
        errors.push(Error::Other(
            "The request to list group members was lost".into(),
        ));
        let failed = errors
            .iter()
            .find(|e| matches!(e, Error::Forbidden { .. }))
            .cloned()
            .expect("a forbidden error");
        errors.push(Error::Other(sentences([
            "This extraction already failed and cannot continue".to_owned(),
            format!("It failed with: {failed}"),
            "Resume it from its cursor".to_owned(),
        ])));
        errors
    }

    #[test]
    fn display_every_variant_reads_as_clean_sentences() {
        let errors = every_error();
        for error in &errors {
            let text = error.to_string();
            assert_clean_sentences(&text);
            if let Error::Unauthorized(r)
            | Error::Forbidden { request: r, .. }
            | Error::NotFound(r)
            | Error::RateLimited { request: r, .. }
            | Error::Network(r)
            | Error::InvalidResponse(r)
            | Error::Upstream { request: r, .. }
            | Error::Rejected { request: r, .. } = error
            {
                assert!(text.contains(&r.step), "{text}");
                assert!(text.contains(&r.endpoint), "{text}");
                assert_clean_sentences(&r.message);
            }
        }
        let covered: std::collections::BTreeSet<&str> = errors.iter().map(variant).collect();
        assert_eq!(covered.len(), 14, "{covered:?}");
    }

    #[test]
    fn display_keeps_one_full_stop_after_a_message_that_has_one() {
        let error = Error::Forbidden {
            request: request_failure(
                "list users",
                "GET /rest/api/3/users/search?startAt=0&maxResults=1000",
                "You do not have permission to view this resource.",
            ),
            permission: Some("Browse users and groups (global permission)".into()),
            scopes: vec!["read:jira-user".into(), "read:user:jira".into()],
        };
        assert_eq!(
            error.to_string(),
            "Forbidden: list users (GET /rest/api/3/users/search?startAt=0&maxResults=1000). \
             You do not have permission to view this resource. It needs the Jira permission: \
             Browse users and groups (global permission). A scoped token needs the scopes: \
             read:jira-user, read:user:jira."
        );
    }

    #[test]
    fn sentence_fault_names_each_fault() {
        assert_eq!(
            sentence_fault("A fact. `appConfig.token` is missing."),
            None
        );
        for (text, fault) in [
            ("", "an empty message"),
            (" A fact.", "space around the message"),
            ("A fact.. Another.", "\"..\" in the message"),
            ("A fact", "no terminal mark"),
            ("A fact?.", "\"?.\" in the message"),
            (
                "A fact. another fact.",
                "a sentence starts with \"another\"",
            ),
        ] {
            assert_eq!(sentence_fault(text).as_deref(), Some(fault), "{text:?}");
        }
    }

    #[test]
    fn sentences_ends_each_part_with_exactly_one_full_stop() {
        assert_eq!(
            sentences(["a fact.", "Another", "", "  "]),
            "A fact. Another."
        );
        assert_eq!(
            sentences(["Ends in a colon:", "or a semicolon;"]),
            "Ends in a colon. Or a semicolon."
        );
        assert_eq!(sentences(["Is it?", "Cut short…"]), "Is it? Cut short…");
        assert_eq!(
            sentences(["appConfig.token is missing"]),
            "appConfig.token is missing."
        );
        assert_eq!(sentences(["e-mail refused.."]), "E-mail refused.");
        assert_eq!(sentences(Vec::<String>::new()), "");
    }
}
