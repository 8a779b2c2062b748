//! A plugin error in words, for a person at a terminal: what failed and
//! where, the plugin's own message, then what to do about it, one sentence
//! each, joined by the guest's own rule ([`sentences`]).

use extractor_jira::error::sentences;

use super::types;

/// A plugin error in words, with what to do about it next: what failed and
/// where, the plugin's own message, then the advice, one sentence each.
pub fn describe(error: &types::Error) -> String {
    use types::Error as E;
    // What failed and where, then the request's own message.
    let at = |what: &str, r: &types::RequestFailure| {
        vec![
            format!("{what}: {} ({})", r.step, r.endpoint),
            r.message.clone(),
        ]
    };
    let with = |mut parts: Vec<String>, advice: &[&str]| {
        parts.extend(advice.iter().map(|s| (*s).to_owned()));
        sentences(parts)
    };
    // The organization admin API has its own key and its own advice.
    let is_admin_api = |r: &types::RequestFailure| r.endpoint.contains("/admin/");
    match error {
        E::InvalidConfig(f) if f.field == "config" => sentences([
            format!("Invalid configuration: the config {}", f.reason),
            "The config must be the vendor's JSON: \
             {\"appConfig\": {\"token\": \"EMAIL:API_TOKEN\", \"siteName\": \"acme\"}}"
                .to_owned(),
        ]),
        E::InvalidConfig(f) => sentences([
            format!("Invalid configuration: {}: {}", f.field, f.reason),
            format!("Fix {} in the config and run again", f.field),
        ]),
        E::NotConfigured => sentences([
            "The plugin was not configured",
            "Call configure with the vendor config first",
        ]),
        E::Unauthorized(r) if is_admin_api(r) => with(
            at("Unauthorized", r),
            &["Fix appConfig.adminApiKey in the config and run again"],
        ),
        E::Forbidden(f) if is_admin_api(&f.request) => with(
            at("Forbidden", &f.request),
            &[
                "Use an organization API key of the organization appConfig.orgId that can read \
                 its user directory (a key made with scopes needs read:directories:admin)",
            ],
        ),
        E::Unauthorized(r) => with(
            at("Unauthorized", r),
            &[
                "Check the e-mail and API token in appConfig.token",
                "Create a token at https://id.atlassian.com/manage-profile/security/api-tokens \
                 for the account whose e-mail comes before the ':'",
            ],
        ),
        E::Forbidden(f) => {
            let mut parts = at("Forbidden", &f.request);
            if let Some(p) = &f.permission {
                parts.push(format!("Grant the account the Jira permission: {p}"));
            }
            if !f.scopes.is_empty() {
                parts.push(format!(
                    "If the token is scoped, give it these scopes: {}",
                    f.scopes.join(", ")
                ));
            }
            sentences(parts)
        }
        E::NotFound(r) => with(
            at("Not found", r),
            &["Check that the id exists in this site (use the ids extract reports)"],
        ),
        E::RateLimited(r) => {
            let mut parts = at(
                &format!("Rate limited after {} attempts", r.attempts),
                &r.request,
            );
            if let Some(s) = r.retry_after_seconds {
                parts.push(format!("Jira last asked to wait {s} s"));
            }
            with(
                parts,
                &[
                    "Jira is throttling this account",
                    "Run again later, or lower appConfig.maxConcurrency",
                ],
            )
        }
        E::Network(r) => with(
            at("Network failure", r),
            &[
                "Check that this machine can reach the site over HTTPS (through --upstream if \
                 you use a proxy), or raise appConfig.requestTimeoutSeconds",
            ],
        ),
        E::InvalidResponse(r) => with(
            at("Invalid response from Jira", r),
            &[
                "Jira answered outside its documented API",
                "Run again, and report the step and endpoint if it persists",
            ],
        ),
        E::Upstream(u) if u.status >= 500 => with(
            at(&format!("Jira answered HTTP {}", u.status), &u.request),
            &["Jira failed on its side", "Run again later"],
        ),
        E::Upstream(u) => with(
            at(&format!("Jira answered HTTP {}", u.status), &u.request),
            if u.messages.is_empty() {
                &[
                    "Jira gave no reason",
                    "Check the step and endpoint against Jira's REST API documentation",
                ]
            } else {
                &["Jira's message says what it refused"]
            },
        ),
        E::InvalidAction(f) => sentences([
            format!("Invalid action: {}: {}", f.field, f.reason),
            format!("Fix {} in the action and apply it again", f.field),
        ]),
        E::Rejected(u) => with(
            at(
                &format!("Jira refused the change (HTTP {})", u.status),
                &u.request,
            ),
            &[
                "Resolve the cause Jira gives (for example, reactivate the user) and apply the \
                 action again",
            ],
        ),
        E::InvalidCursor(m) => sentences([
            format!("Invalid resume cursor: {m}"),
            "Start a fresh extraction without the cursor".to_owned(),
        ]),
        E::Unsupported(m) => sentences([format!("Unsupported: {m}")]),
        E::Other(m) => sentences([m]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::CallError;

    /// Asserts that `text` reads as clean sentences (see
    /// [`extractor_jira::error::sentence_fault`]).
    fn assert_clean_sentences(text: &str) {
        if let Some(fault) = extractor_jira::error::sentence_fault(text) {
            panic!("{fault}: {text:?}");
        }
    }

    /// Every WIT error variant with realistic values: the component's own
    /// messages (which end in a full stop), Jira's (which may or may not), and
    /// values a component that does not follow that convention could send.
    /// With the advice each one must end with.
    fn every_error() -> Vec<(types::Error, &'static str)> {
        use types::{
            Error as E, FieldError, Forbidden, RateLimited, RequestFailure, UpstreamError,
        };
        let request = |step: &str, endpoint: &str, message: &str| RequestFailure {
            step: step.into(),
            endpoint: endpoint.into(),
            message: message.into(),
        };
        let users = |message: &str| {
            request(
                "list users",
                "GET /rest/api/3/users/search?startAt=0&maxResults=1000",
                message,
            )
        };
        let field = |field: &str, reason: &str| FieldError {
            field: field.into(),
            reason: reason.into(),
        };
        let upstream = |status, message: &str, messages: &[&str]| UpstreamError {
            request: request(
                "add a project role actor",
                "POST /rest/api/3/project/10001/role/10000",
                message,
            ),
            status,
            messages: messages.iter().map(|m| (*m).to_owned()).collect(),
        };
        let mut cases = vec![
            (
                E::InvalidConfig(field(
                    "config",
                    "is not valid JSON (EOF while parsing an object at line 1 column 1)",
                )),
                "The config must be the vendor's JSON",
            ),
            (
                E::InvalidConfig(field("config", "must be a JSON object.")),
                "The config must be the vendor's JSON",
            ),
            (
                E::InvalidConfig(field(
                    "appConfig.siteName",
                    "is not an atlassian.net site (got \"acme.evil.com\"). Give the site's \
                     name: \"acme\" for https://acme.atlassian.net",
                )),
                "Fix appConfig.siteName in the config and run again.",
            ),
            (
                E::InvalidConfig(field("appConfig.token", "is missing.")),
                "Fix appConfig.token in the config and run again.",
            ),
            (
                E::NotConfigured,
                "Call configure with the vendor config first.",
            ),
            (
                E::InvalidAction(field("project-id", "must be a number, as Jira's ids are")),
                "Fix project-id in the action and apply it again.",
            ),
            (
                E::InvalidAction(field("permission", "must be a permission key.")),
                "Fix permission in the action and apply it again.",
            ),
            (
                E::InvalidCursor(
                    "it belongs to https://other.atlassian.net, not to https://acme.atlassian.net"
                        .into(),
                ),
                "Start a fresh extraction without the cursor.",
            ),
            (
                E::InvalidCursor("too large.".into()),
                "Start a fresh extraction without the cursor.",
            ),
            (
                E::Unsupported("Jira Cloud has no endpoint for this action.".into()),
                "Unsupported: Jira Cloud has no endpoint for this action.",
            ),
            (
                E::Other("The request to list users was lost.".into()),
                "The request to list users was lost.",
            ),
            (
                E::Other("phase users ended before every page was read".into()),
                "Phase users ended before every page was read.",
            ),
        ];
        for message in [
            "You do not have permission to view this resource.",
            "You do not have permission to view this resource",
            "HTTP 403.",
            "The group does not exist. Try again. groupId: is not valid.",
            "Unauthorized; scope does not match",
            "",
        ] {
            cases.extend([
                (
                    E::Unauthorized(users(message)),
                    "for the account whose e-mail comes before the ':'.",
                ),
                (
                    E::Forbidden(Forbidden {
                        request: users(message),
                        permission: Some("Browse users and groups (global permission)".into()),
                        scopes: vec!["read:jira-user".into(), "read:user:jira".into()],
                    }),
                    "If the token is scoped, give it these scopes: read:jira-user, \
                     read:user:jira.",
                ),
                (
                    E::Forbidden(Forbidden {
                        request: users(message),
                        permission: Some(
                            "Browse Projects or Administer Projects (project permission), or \
                             Administer Jira (global permission). Projects without them are \
                             not listed"
                                .into(),
                        ),
                        scopes: vec![],
                    }),
                    "Projects without them are not listed.",
                ),
                (
                    E::Forbidden(Forbidden {
                        request: users(message),
                        permission: None,
                        scopes: vec![],
                    }),
                    "Forbidden: list users",
                ),
                (
                    E::NotFound(users(message)),
                    "Check that the id exists in this site (use the ids extract reports).",
                ),
                (
                    E::RateLimited(RateLimited {
                        request: users(message),
                        retry_after_seconds: Some(30),
                        attempts: 6,
                    }),
                    "Jira last asked to wait 30 s. Jira is throttling this account. Run again \
                     later, or lower appConfig.maxConcurrency.",
                ),
                (
                    E::RateLimited(RateLimited {
                        request: users(message),
                        retry_after_seconds: None,
                        attempts: 6,
                    }),
                    "Run again later, or lower appConfig.maxConcurrency.",
                ),
                (
                    E::Network(users(message)),
                    "or raise appConfig.requestTimeoutSeconds.",
                ),
                (
                    E::InvalidResponse(users(message)),
                    "Run again, and report the step and endpoint if it persists.",
                ),
                (
                    E::Upstream(upstream(502, message, &[message])),
                    "Jira failed on its side. Run again later.",
                ),
                (
                    E::Upstream(upstream(409, message, &[message])),
                    "Jira's message says what it refused.",
                ),
                (
                    E::Upstream(upstream(409, "HTTP 409.", &[])),
                    "Jira gave no reason. Check the step and endpoint against Jira's REST API \
                     documentation.",
                ),
                (
                    E::Rejected(upstream(400, message, &[message])),
                    "and apply the action again.",
                ),
            ]);
        }
        cases
    }

    /// The variant's name, so that the test can show it covered each one;
    /// a new variant fails to compile here until the test covers it.
    fn variant(e: &types::Error) -> &'static str {
        use types::Error as E;
        match e {
            E::InvalidConfig(_) => "invalid-config",
            E::NotConfigured => "not-configured",
            E::Unauthorized(_) => "unauthorized",
            E::Forbidden(_) => "forbidden",
            E::NotFound(_) => "not-found",
            E::RateLimited(_) => "rate-limited",
            E::Network(_) => "network",
            E::InvalidResponse(_) => "invalid-response",
            E::Upstream(_) => "upstream",
            E::InvalidAction(_) => "invalid-action",
            E::Rejected(_) => "rejected",
            E::InvalidCursor(_) => "invalid-cursor",
            E::Unsupported(_) => "unsupported",
            E::Other(_) => "other",
        }
    }

    #[test]
    fn describe_every_variant_reads_as_clean_sentences() {
        let cases = every_error();
        for (error, advice) in &cases {
            // What the command line prints after "error: ".
            let text = format!(
                "{:#}",
                anyhow::Error::from(CallError::Plugin(error.clone()))
            );
            assert_eq!(text, describe(error));
            assert_clean_sentences(&text);
            assert!(text.contains(advice), "{advice:?} not in {text:?}");
            use types::Error as E;
            if let E::Unauthorized(r)
            | E::NotFound(r)
            | E::Network(r)
            | E::InvalidResponse(r)
            | E::Forbidden(types::Forbidden { request: r, .. })
            | E::RateLimited(types::RateLimited { request: r, .. })
            | E::Upstream(types::UpstreamError { request: r, .. })
            | E::Rejected(types::UpstreamError { request: r, .. }) = error
            {
                assert!(
                    text.contains(&format!("{} ({})", r.step, r.endpoint)),
                    "{text}"
                );
            }
        }
        let covered: std::collections::BTreeSet<&str> =
            cases.iter().map(|(e, _)| variant(e)).collect();
        assert_eq!(covered.len(), 14, "{covered:?}");
    }

    #[test]
    fn describe_puts_one_full_stop_between_jira_and_the_advice() {
        let error = types::Error::Forbidden(types::Forbidden {
            request: types::RequestFailure {
                step: "list users".into(),
                endpoint: "GET /rest/api/3/users/search".into(),
                message: "You do not have permission to view this resource.".into(),
            },
            permission: Some("Browse users and groups (global permission)".into()),
            scopes: vec!["read:jira-user".into()],
        });
        assert_eq!(
            describe(&error),
            "Forbidden: list users (GET /rest/api/3/users/search). You do not have permission \
             to view this resource. Grant the account the Jira permission: Browse users and \
             groups (global permission). If the token is scoped, give it these scopes: \
             read:jira-user."
        );
    }
}
