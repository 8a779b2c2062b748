//! A Jira Cloud site's name and the hosts the connector may talk to.
//!
//! The site name decides where the API token is sent, so it is validated as
//! strictly as a hostname can be: anything that is not a bare Atlassian site
//! label (optionally written as `label.atlassian.net` or
//! `https://label.atlassian.net/`) is refused before any request exists.
//!
//! Public so that the host reads a config's site by the same rules when it
//! decides which destinations the guest may reach.

use crate::error::{Error, Result, printable};

/// The suffix every Jira Cloud site's hostname ends with.
pub const SITE_DOMAIN: &str = "atlassian.net";
/// Atlassian's API gateway, used by scoped tokens.
pub const GATEWAY_HOST: &str = "api.atlassian.com";

/// The label of a Jira Cloud site: `acme` for `https://acme.atlassian.net`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteName(String);

impl SiteName {
    /// Accepts `acme`, `acme.atlassian.net` and `https://acme.atlassian.net/`
    /// (any letter case); refuses everything else.
    pub fn parse(raw: &str, field: &str) -> Result<Self> {
        let reject = |why: &str| {
            Error::invalid_config(
                field,
                format!(
                    "{why} (got \"{}\"). Give the site's name: \"acme\" for https://acme.atlassian.net",
                    printable(raw)
                ),
            )
        };
        if raw.is_empty() {
            return Err(reject("is empty"));
        }
        if raw.len() > 253 {
            return Err(reject("is too long"));
        }
        // Checked on the raw text, before any stripping, so that nothing can
        // hide behind a prefix or suffix we remove.
        if let Some(c) = raw.chars().find(|c| !c.is_ascii() || c.is_ascii_control()) {
            return Err(reject(if c.is_ascii_control() {
                "contains a control character"
            } else {
                "contains a non-ASCII character"
            }));
        }
        if raw.chars().any(|c| c.is_ascii_whitespace()) {
            return Err(reject("contains whitespace"));
        }
        for (c, what) in [
            ('@', "user information ('@')"),
            ('%', "percent-encoding"),
            ('\\', "a backslash"),
            ('?', "a query ('?')"),
            ('#', "a fragment ('#')"),
        ] {
            if raw.contains(c) {
                return Err(reject(&format!("contains {what}")));
            }
        }

        let lower = raw.to_ascii_lowercase();
        let host = if let Some(rest) = lower.strip_prefix("https://") {
            rest.strip_suffix('/').unwrap_or(rest)
        } else if lower.contains("://") {
            return Err(reject("must use https"));
        } else {
            lower.as_str()
        };
        if host.contains('/') {
            return Err(reject("contains a path"));
        }
        if host.contains(':') {
            return Err(reject("contains a port"));
        }
        let label = match host.strip_suffix(SITE_DOMAIN) {
            Some(prefix) => prefix
                .strip_suffix('.')
                .ok_or_else(|| reject("is not an atlassian.net site"))?,
            None if host.contains('.') => {
                return Err(reject("is not an atlassian.net site"));
            }
            None => host,
        };
        if label.is_empty() || label.len() > 63 {
            return Err(reject("must be 1 to 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(reject("may hold only letters, digits and '-'"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(reject("may not start or end with '-'"));
        }
        Ok(Self(label.to_owned()))
    }

    pub fn label(&self) -> &str {
        &self.0
    }

    /// The site's hostname, e.g. `acme.atlassian.net`.
    pub fn host(&self) -> String {
        format!("{}.{SITE_DOMAIN}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELD_SITE: &str = "appConfig.siteName";

    fn field_of(err: Error) -> String {
        match err {
            Error::InvalidConfig { field, .. } => field,
            other => panic!("expected invalid-config, got {other:?}"),
        }
    }

    #[test]
    fn site_name_accepts_documented_forms() {
        for ok in [
            "acme",
            "acme.atlassian.net",
            "https://acme.atlassian.net",
            "https://acme.atlassian.net/",
            "ACME",
            "HTTPS://Acme.Atlassian.Net/",
            "my-site-2",
        ] {
            let site = SiteName::parse(ok, FIELD_SITE).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(
                site.label() == "acme" || site.label() == "my-site-2",
                "{ok}"
            );
        }
    }

    #[test]
    fn site_name_rejects_everything_else() {
        for bad in [
            "",
            "acme.evil.com",
            "evil.com",
            "acme.atlassian.net.evil.com",
            "evilatlassian.net",
            "acme.atlassian.net.",
            "http://acme.atlassian.net",
            "ftp://acme.atlassian.net",
            "https://acme.atlassian.net/path",
            "https://acme.atlassian.net//",
            "https://user@acme.atlassian.net",
            "acme@evil.com",
            "acme:443",
            "acme.atlassian.net:8443",
            "acme#",
            "acme?x=1",
            "acme%2eevil.com",
            "acme\\evil",
            " acme",
            "acme\r\nHost: evil.com",
            "acme\t",
            "аcme", // Cyrillic a
            "acme\u{200b}",
            "-acme",
            "acme-",
            "a_b",
            "127.0.0.1",
            "[::1]",
            "a.b.atlassian.net",
            "api.atlassian.com",
            &"a".repeat(64),
        ] {
            let err = SiteName::parse(bad, FIELD_SITE).expect_err(bad);
            assert_eq!(field_of(err), FIELD_SITE, "{bad:?}");
        }
    }
}
