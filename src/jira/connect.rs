//! Detecting the kind of token and where to send requests.
//!
//! A classic (unscoped) API token works on the site itself. A scoped token is
//! refused there with 401 and must go through the gateway at
//! `api.atlassian.com/ex/jira/{cloudId}`, with the cloud id read from the
//! site's anonymous `/_edge/tenant_info`. The cloud id is read in both modes:
//! it is the site's id in what the connector reports.

use super::api::{site, users};
use super::client::{Api, Client, CloudId};
use super::endpoints::Endpoint;
use super::executor::RetryPolicy;
use super::models::User;
use super::transport::Transport;
use crate::config::{Config, SiteName};
use crate::error::{Error, RequestFailure, Result, sentences};
use crate::extract::SiteFacts;

/// Which kind of token was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    Unscoped,
    Scoped,
}

/// A checked connection to one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub api: Api,
    pub mode: AuthMode,
    pub site_url: String,
    pub cloud_id: CloudId,
    pub account_id: String,
    pub display_name: String,
}

impl Connection {
    /// The site as an extraction reports it.
    pub fn site(&self) -> SiteFacts {
        SiteFacts {
            cloud_id: self.cloud_id.as_str().to_owned(),
            host: self
                .site_url
                .strip_prefix("https://")
                .unwrap_or(&self.site_url)
                .to_owned(),
        }
    }
}

/// Probes `/myself` on the site, then through the gateway if the site says 401.
pub fn connect<T: Transport>(
    transport: T,
    config: &Config,
    policy: RetryPolicy,
) -> Result<Connection> {
    let site = config.site();
    let site_url = format!("https://{}", site.host());
    let mut client = Client::new(Api::site(site, config.credentials()), transport, policy);

    let site_error = match client.fetch(users::myself(client.api())) {
        Ok(me) => {
            let cloud_id = cloud_id(&mut client, site)?;
            return Ok(connection(
                client.api(),
                AuthMode::Unscoped,
                site_url,
                cloud_id,
                me,
            ));
        }
        Err(Error::Unauthorized(failure)) => failure,
        Err(other) => return Err(other),
    };

    let cloud_id = cloud_id(&mut client, site)?;

    client.set_api(Api::gateway(&cloud_id, config.credentials()));
    match client.fetch(users::myself(client.api())) {
        Ok(me) => Ok(connection(
            client.api(),
            AuthMode::Scoped,
            site_url,
            cloud_id,
            me,
        )),
        Err(Error::Unauthorized(gateway)) => Err(Error::Unauthorized(RequestFailure::new(
            Endpoint::Myself.step(),
            &format!("{} and {}", site_error.endpoint, gateway.endpoint),
            sentences([
                "The token was refused both on the site as a classic token and on the gateway \
                 as a scoped token",
                &format!("The site said: {}", site_error.message),
                &format!("The gateway said: {}", gateway.message),
                "Check the e-mail and token, and that the token has not expired or been revoked",
            ]),
        ))),
        Err(other) => Err(other),
    }
}

/// The site's cloud id, from its anonymous `/_edge/tenant_info`.
fn cloud_id<T: Transport>(client: &mut Client<T>, site: &SiteName) -> Result<CloudId> {
    let reply = client.send(site::tenant_info(site))?.success()?;
    CloudId::parse(&reply.decode()?.cloud_id)
        .ok_or_else(|| reply.invalid("cloudId is not a plain identifier"))
}

fn connection(
    api: &Api,
    mode: AuthMode,
    site_url: String,
    cloud_id: CloudId,
    me: User,
) -> Connection {
    Connection {
        api: api.clone(),
        mode,
        site_url,
        cloud_id,
        account_id: me.account_id,
        display_name: me.display_name.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::transport::fake::{FakeTransport, json};
    use crate::jira::transport::{HttpResponse, TransportError};

    fn config() -> Config {
        Config::parse(r#"{"appConfig": {"token": "me@acme.com:TOKEN", "siteName": "acme"}}"#)
            .unwrap()
    }

    fn unauthorized() -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status: 401,
            headers: vec![],
            body: b"Client must be authenticated to access this resource.".to_vec(),
        })
    }

    fn me() -> Result<HttpResponse, TransportError> {
        json(
            200,
            serde_json::json!({"accountId": "557058:abc", "displayName": "Svc Bot", "accountType": "atlassian", "active": true}),
        )
    }

    #[test]
    fn connect_detects_unscoped_token() {
        let transport = FakeTransport::new(|req| {
            assert_eq!(req.authority, "acme.atlassian.net");
            match req.line().as_str() {
                "GET /rest/api/3/myself" => me(),
                "GET /_edge/tenant_info" => {
                    json(200, serde_json::json!({"cloudId": "c0ffee-1234"}))
                }
                other => panic!("unexpected request {other}"),
            }
        });
        let conn = connect(transport, &config(), RetryPolicy::default()).unwrap();
        assert_eq!(conn.mode, AuthMode::Unscoped);
        assert_eq!(conn.account_id, "557058:abc");
        assert_eq!(conn.display_name, "Svc Bot");
        assert_eq!(conn.api.base_url(), "https://acme.atlassian.net");
        assert_eq!(conn.cloud_id.as_str(), "c0ffee-1234");
        assert_eq!(
            conn.site(),
            SiteFacts {
                cloud_id: "c0ffee-1234".into(),
                host: "acme.atlassian.net".into()
            }
        );
    }

    #[test]
    fn connect_falls_back_to_gateway_for_scoped_token() {
        let transport =
            FakeTransport::new(
                |req| match (req.authority.as_str(), req.path_and_query.as_str()) {
                    ("acme.atlassian.net", "/rest/api/3/myself") => unauthorized(),
                    ("acme.atlassian.net", "/_edge/tenant_info") => {
                        assert!(
                            !req.headers.iter().any(|(k, _)| k == "authorization"),
                            "tenant_info is anonymous: the token must not be sent"
                        );
                        json(200, serde_json::json!({"cloudId": "c0ffee-1234"}))
                    }
                    ("api.atlassian.com", "/ex/jira/c0ffee-1234/rest/api/3/myself") => me(),
                    other => panic!("unexpected request {other:?}"),
                },
            );
        let conn = connect(transport, &config(), RetryPolicy::default()).unwrap();
        assert_eq!(conn.mode, AuthMode::Scoped);
        assert_eq!(conn.cloud_id.as_str(), "c0ffee-1234");
        assert_eq!(
            conn.api.base_url(),
            "https://api.atlassian.com/ex/jira/c0ffee-1234"
        );
    }

    #[test]
    fn connect_reports_unauthorized_when_both_modes_refuse() {
        let transport = FakeTransport::new(|req| match req.path_and_query.as_str() {
            "/_edge/tenant_info" => json(200, serde_json::json!({"cloudId": "c1"})),
            "/rest/api/3/myself" => unauthorized(),
            _ => json(
                401,
                serde_json::json!({"errorMessages": ["Client must be authenticated to access this resource."]}),
            ),
        });
        let err = connect(transport, &config(), RetryPolicy::default()).unwrap_err();
        match &err {
            Error::Unauthorized(f) => {
                assert!(
                    f.endpoint.contains("/ex/jira/c1/rest/api/3/myself"),
                    "{f:?}"
                );
                assert!(f.message.contains("both on the site"), "{f:?}");
            }
            other => panic!("{other:?}"),
        }
        crate::error::tests::assert_clean_sentences(&err.to_string());
        assert!(!format!("{err} {err:?}").contains("TOKEN"));
    }

    #[test]
    fn connect_refuses_a_hostile_cloud_id() {
        let transport = FakeTransport::new(|req| match req.path_and_query.as_str() {
            "/_edge/tenant_info" => json(200, serde_json::json!({"cloudId": "../../evil"})),
            _ => unauthorized(),
        });
        let err = connect(transport, &config(), RetryPolicy::default()).unwrap_err();
        assert!(matches!(err, Error::InvalidResponse(_)), "{err:?}");
    }

    #[test]
    fn connect_passes_through_forbidden() {
        let transport = FakeTransport::new(|_| {
            json(
                403,
                serde_json::json!({"errorMessages": ["no licence"], "errors": {}}),
            )
        });
        let err = connect(transport, &config(), RetryPolicy::default()).unwrap_err();
        assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    }
}
