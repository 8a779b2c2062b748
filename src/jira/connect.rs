//! Detecting the kind of token and where to send requests.
//!
//! A classic (unscoped) API token works on the site itself. A scoped token is
//! refused there with 401 and must go through the gateway at
//! `api.atlassian.com/ex/jira/{cloudId}`, with the cloud id read from the
//! site's anonymous `/_edge/tenant_info`. The cloud id is read in both modes:
//! it is the site's id in what the connector reports.
//!
//! Once the token works, `/mypermissions` says which of the global
//! permissions an extraction needs the account holds. `configure` reads it
//! once and reports it; `extract` refuses at once, before any listing, when
//! one is missing ([`Connection::preflight`]), rather than failing hours in.

use super::api::{permissions, site, users};
use super::call::{Call, Reply, Untyped};
use super::client::{Api, Client, CloudId};
use super::endpoints::Endpoint;
use super::executor::RetryPolicy;
use super::models::{TenantInfo, User};
use super::transport::Transport;
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::domain::GlobalPermissions;
use crate::error::{Error, RequestFailure, Result, sentences};
use crate::extract::SiteFacts;
use crate::mapping;

/// The global permissions an extraction needs, with the names Jira's admin
/// UI gives them: Administer Jira (application roles, global roles) and
/// Browse users and groups (users, groups and their members).
pub const NEEDED_PERMISSIONS: &[(&str, &str)] = &[
    ("ADMINISTER", "Administer Jira"),
    ("USER_PICKER", "Browse users and groups"),
];

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
    /// Which of [`NEEDED_PERMISSIONS`] the account holds.
    pub global_permissions: GlobalPermissions,
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

    /// Fails with `forbidden`, naming every missing global permission, when
    /// the account lacks one an extraction needs.
    pub fn preflight(&self) -> Result<()> {
        let missing = &self.global_permissions.missing;
        if missing.is_empty() {
            return Ok(());
        }
        let endpoint = Endpoint::MyPermissions;
        let facts = endpoint.facts();
        let names = missing.join(", ");
        Err(Error::Forbidden {
            request: RequestFailure::new(
                endpoint.step(),
                &format!(
                    "{} {}{}",
                    facts.method.as_str(),
                    self.api.base_url(),
                    facts.path
                ),
                sentences([
                    format!("The account lacks the global permissions: {names}"),
                    "An extraction would fail on the listings that need them, so none was started"
                        .to_owned(),
                    "Grant them to the account (Jira settings, System, Global permissions) and \
                     configure again"
                        .to_owned(),
                ]),
            ),
            permission: Some(names),
            scopes: Vec::new(),
        })
    }
}

/// Probes `/myself` on the site, then through the gateway if the site says 401.
///
/// The probe, the cloud id and the permissions do not depend on each other's
/// answers, so they are sent together: a classic token is checked in one
/// round trip, a scoped one in two. A scoped token's permissions are refused
/// on the site like its probe, and are read again through the gateway.
pub fn connect<T: Transport>(
    transport: T,
    config: &Config,
    policy: RetryPolicy,
) -> Result<Connection> {
    let site = config.site();
    let site_url = format!("https://{}", site.host());
    let api = Api::site(site, config.credentials());
    let mut client = Client::at_most(api, transport, config.max_concurrency(), policy);

    let [me, tenant, held] = client.send_together([
        users::myself(client.api()).untyped(),
        site::tenant_info(site).untyped(),
        my_permissions(client.api()),
    ]);
    let site_error = match decoded::<User>(me) {
        Ok(me) => {
            let cloud_id = cloud_id(tenant)?;
            let held = global_permissions(held)?;
            return Ok(connection(
                &client.api().clone().with_org(config.org()),
                AuthMode::Unscoped,
                site_url,
                cloud_id,
                (me, held),
            ));
        }
        Err(Error::Unauthorized(failure)) => failure,
        Err(other) => return Err(other),
    };

    let cloud_id = cloud_id(tenant)?;

    client.set_api(Api::gateway(&cloud_id, config.credentials()));
    let [me, held] = client.send_together([
        users::myself(client.api()).untyped(),
        my_permissions(client.api()),
    ]);
    match decoded::<User>(me) {
        Ok(me) => {
            let held = global_permissions(held)?;
            Ok(connection(
                &client.api().clone().with_org(config.org()),
                AuthMode::Scoped,
                site_url,
                cloud_id,
                (me, held),
            ))
        }
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

/// A reply's answer, or the typed error its status means.
fn decoded<R: DeserializeOwned>(reply: Result<Reply<Untyped>>) -> Result<R> {
    reply?.success()?.decode_as()
}

/// The site's cloud id, from its anonymous `/_edge/tenant_info`.
fn cloud_id(reply: Result<Reply<Untyped>>) -> Result<CloudId> {
    let reply = reply?.success()?;
    let info: TenantInfo = reply.decode_as()?;
    CloudId::parse(&info.cloud_id).ok_or_else(|| reply.invalid("cloudId is not a plain identifier"))
}

/// Asks which of the needed global permissions the account holds.
fn my_permissions(api: &Api) -> Call<Untyped> {
    let keys: Vec<&str> = NEEDED_PERMISSIONS.iter().map(|(key, _)| *key).collect();
    permissions::my_permissions(api, &keys).untyped()
}

/// Which of the needed global permissions the account holds.
fn global_permissions(reply: Result<Reply<Untyped>>) -> Result<GlobalPermissions> {
    let answer = decoded(reply)?;
    Ok(mapping::global_permissions(&answer, NEEDED_PERMISSIONS))
}

fn connection(
    api: &Api,
    mode: AuthMode,
    site_url: String,
    cloud_id: CloudId,
    (me, global_permissions): (User, GlobalPermissions),
) -> Connection {
    Connection {
        api: api.clone(),
        mode,
        site_url,
        cloud_id,
        account_id: me.account_id,
        display_name: me.display_name.unwrap_or_default(),
        global_permissions,
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

    /// `/mypermissions` for both needed permissions, `held` saying whether
    /// the account holds them.
    fn my_permissions(held: bool) -> Result<HttpResponse, TransportError> {
        let entry = |key: &str, id: &str, name: &str| {
            serde_json::json!({"id": id, "key": key, "name": name, "type": "GLOBAL",
                "description": "", "havePermission": held})
        };
        json(
            200,
            serde_json::json!({"permissions": {
                "ADMINISTER": entry("ADMINISTER", "0", "Administer Jira"),
                "USER_PICKER": entry("USER_PICKER", "27", "Browse users and groups")}}),
        )
    }

    const MY_PERMISSIONS: &str = "/rest/api/3/mypermissions?permissions=ADMINISTER%2CUSER_PICKER";

    #[test]
    fn connect_detects_unscoped_token() {
        let transport = FakeTransport::new(|req| {
            assert_eq!(req.authority, "acme.atlassian.net");
            match req.line().as_str() {
                "GET /rest/api/3/myself" => me(),
                line if line == format!("GET {MY_PERMISSIONS}") => my_permissions(true),
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
        assert_eq!(conn.global_permissions.held, ["ADMINISTER", "USER_PICKER"]);
        assert!(conn.preflight().is_ok());
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
                    // Sent with the probe; refused like it.
                    ("acme.atlassian.net", MY_PERMISSIONS) => unauthorized(),
                    ("acme.atlassian.net", "/_edge/tenant_info") => {
                        assert!(
                            !req.headers.iter().any(|(k, _)| k == "authorization"),
                            "tenant_info is anonymous: the token must not be sent"
                        );
                        json(200, serde_json::json!({"cloudId": "c0ffee-1234"}))
                    }
                    ("api.atlassian.com", "/ex/jira/c0ffee-1234/rest/api/3/myself") => me(),
                    ("api.atlassian.com", path)
                        if path == format!("/ex/jira/c0ffee-1234{MY_PERMISSIONS}") =>
                    {
                        my_permissions(false)
                    }
                    other => panic!("unexpected request {other:?}"),
                },
            );
        let conn = connect(transport, &config(), RetryPolicy::default()).unwrap();
        assert_eq!(conn.mode, AuthMode::Scoped);
        assert_eq!(conn.cloud_id.as_str(), "c0ffee-1234");
        assert!(conn.global_permissions.held.is_empty());
        match conn.preflight() {
            Err(Error::Forbidden {
                permission,
                request,
                ..
            }) => {
                assert_eq!(
                    permission.as_deref(),
                    Some("Administer Jira, Browse users and groups")
                );
                assert_eq!(request.step, "check the account's global permissions");
            }
            other => panic!("{other:?}"),
        }
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
