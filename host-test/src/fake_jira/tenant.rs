//! The fake's data: one Jira Cloud site with its accounts, groups and
//! memberships, plus the credentials it accepts.
//!
//! Field values follow the examples in Atlassian's OpenAPI spec for
//! `User`, `GroupDetails` and `PageBean*` (account ids like
//! `5b10a2844c20165700ede21g`, group ids as UUIDs, `self` links on the site).

use std::collections::BTreeMap;

/// Which kind of API token a credential is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A classic token: accepted on the site, refused by the gateway.
    Unscoped,
    /// A scoped token: refused on the site (401), accepted by the gateway.
    Scoped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub email: String,
    pub token: String,
    pub kind: TokenKind,
    /// The account the credential belongs to (returned by `/myself`).
    pub account_id: String,
}

impl Credential {
    /// The `token` value of the vendor config for this credential.
    pub fn config_token(&self) -> String {
        format!("{}:{}", self.email, self.token)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub account_id: String,
    /// `atlassian`, `app` or `customer`.
    pub account_type: String,
    pub active: bool,
    pub display_name: String,
    pub email: Email,
}

/// How a user's e-mail address is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Email {
    Visible(String),
    /// Hidden by the user's privacy settings: sent as `"emailAddress": null`.
    Null,
    /// Hidden and left out of the JSON altogether, as Jira also does.
    Absent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub group_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// The site label: `acme` for `acme.atlassian.net`.
    pub site: String,
    pub cloud_id: String,
    pub credentials: Vec<Credential>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    /// Group id to member account ids, in Jira's order.
    pub members: BTreeMap<String, Vec<String>>,
}

pub const SAMPLE_SITE: &str = "acme";
pub const SAMPLE_CLOUD_ID: &str = "4d2f1b3c-8a6e-4f0d-9b7a-1c2e3f4a5b6c";
pub const SERVICE_ACCOUNT_ID: &str = "5b10a2844c20165700ede21g";

/// A group id with every character that needs encoding in a query.
pub const ODD_GROUP_ID: &str = "legacy/id with?odd=chars&#%+ü";

impl Tenant {
    /// An empty site with the two service credentials (one of each kind).
    pub fn empty(site: &str) -> Self {
        Self {
            site: site.to_owned(),
            cloud_id: SAMPLE_CLOUD_ID.to_owned(),
            credentials: vec![
                Credential {
                    email: "svc-governance@acme.example".into(),
                    token: "ATATT3xFfGF0classic-token-for-tests".into(),
                    kind: TokenKind::Unscoped,
                    account_id: SERVICE_ACCOUNT_ID.into(),
                },
                Credential {
                    email: "svc-governance@acme.example".into(),
                    token: "ATATT3xFfGF0scoped-token-for-tests".into(),
                    kind: TokenKind::Scoped,
                    account_id: SERVICE_ACCOUNT_ID.into(),
                },
            ],
            users: vec![User {
                account_id: SERVICE_ACCOUNT_ID.into(),
                account_type: "atlassian".into(),
                active: true,
                display_name: "Mia Krystof".into(),
                email: Email::Visible("mia@example.com".into()),
            }],
            groups: Vec::new(),
            members: BTreeMap::new(),
        }
    }

    pub fn credential(&self, kind: TokenKind) -> &Credential {
        self.credentials
            .iter()
            .find(|c| c.kind == kind)
            .expect("every tenant has a credential of each kind")
    }

    /// The vendor config JSON for a credential of `kind`.
    pub fn config_json(&self, kind: TokenKind) -> String {
        serde_json::json!({
            "appConfig": {"token": self.credential(kind).config_token(), "siteName": self.site}
        })
        .to_string()
    }

    pub fn host(&self) -> String {
        format!("{}.atlassian.net", self.site)
    }

    pub fn user(&self, account_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.account_id == account_id)
    }

    pub fn add_group(&mut self, group_id: &str, name: &str, members: &[&str]) {
        self.groups.push(Group {
            group_id: group_id.into(),
            name: name.into(),
        });
        self.members.insert(
            group_id.into(),
            members.iter().map(|m| (*m).to_owned()).collect(),
        );
    }

    /// The built-in demo tenant: every account type, inactive users, hidden
    /// e-mails, odd group names and ids, and a group of more than 50 members.
    pub fn sample() -> Self {
        let mut t = Self::empty(SAMPLE_SITE);
        let mut push = |id: String, kind: &str, active: bool, name: String, email: Email| {
            t.users.push(User {
                account_id: id,
                account_type: kind.into(),
                active,
                display_name: name,
                email,
            });
        };
        push(
            "5b10ac8d82e05b22cc7d4ef5".into(),
            "atlassian",
            true,
            "Emma Richards".into(),
            Email::Null,
        );
        for i in 0..58 {
            let email = match i % 10 {
                3 => Email::Null,
                7 => Email::Absent,
                _ => Email::Visible(format!("dev{i:02}@acme.example")),
            };
            push(
                format!("712020:{:08x}-dev{i:02}", 0x5eed_0000u32 + i),
                "atlassian",
                i % 9 != 4,
                format!("Developer {i:02}"),
                email,
            );
        }
        push(
            "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077".into(),
            "app",
            true,
            "Automation for Jira".into(),
            Email::Absent,
        );
        push(
            "5d9f2e8a1b2c3d004e5f6a7b".into(),
            "app",
            false,
            "Legacy Importer".into(),
            Email::Null,
        );
        push(
            "qm:9b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0:0a1b2c3d".into(),
            "customer",
            true,
            "Portal Customer".into(),
            Email::Visible("customer@client.example".into()),
        );
        push(
            "qm:1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718:9a8b7c6d".into(),
            "customer",
            false,
            "Former Customer".into(),
            Email::Null,
        );
        push(
            "6a0b1c2d3e4f5a6b7c8d9e0f".into(),
            "atlassian",
            false,
            "Deactivated Admin".into(),
            Email::Visible("old-admin@acme.example".into()),
        );

        let developers: Vec<String> = t
            .users
            .iter()
            .filter(|u| u.display_name.starts_with("Developer"))
            .map(|u| u.account_id.clone())
            .collect();
        let dev_refs: Vec<&str> = developers.iter().map(String::as_str).collect();

        t.add_group(
            "276f955c-63d7-42c8-9520-92d01dca0625",
            "jira-administrators",
            &[SERVICE_ACCOUNT_ID, "6a0b1c2d3e4f5a6b7c8d9e0f"],
        );
        let mut software = vec![SERVICE_ACCOUNT_ID, "5b10ac8d82e05b22cc7d4ef5"];
        software.extend(&dev_refs);
        t.add_group(
            "6e87dc72-4f1f-421f-9e5c-9b1a1b1d1e1f",
            "jira-software-users",
            &software,
        );
        t.add_group(
            "0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011",
            "R&D / Ops #1",
            &dev_refs[..5],
        );
        t.add_group(
            "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
            "100% café + crème = brûlée? ü",
            &[dev_refs[10], "5d9f2e8a1b2c3d004e5f6a7b"],
        );
        t.add_group(
            "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
            "jira-servicemanagement-customers",
            &[
                "qm:9b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0:0a1b2c3d",
                "qm:1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718:9a8b7c6d",
            ],
        );
        t.add_group(
            ODD_GROUP_ID,
            "legacy imported group",
            &[dev_refs[20], dev_refs[21]],
        );
        t.add_group("c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", "empty-group", &[]);
        t.add_group(
            "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a",
            "automation-apps",
            &[
                "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077",
                "5d9f2e8a1b2c3d004e5f6a7b",
            ],
        );
        t
    }

    /// A synthetic tenant of a given size, for tests and the benchmark. Each
    /// user `i` belongs to groups `i % groups` and `(i * 7 + 3) % groups`.
    pub fn generate(users: usize, groups: usize) -> Self {
        let mut t = Self::empty(SAMPLE_SITE);
        for i in 0..users {
            let kind = match i % 50 {
                0 => "app",
                1 => "customer",
                _ => "atlassian",
            };
            t.users.push(User {
                account_id: format!("712020:{i:08x}-0000-4000-8000-{i:012x}"),
                account_type: kind.into(),
                active: i % 13 != 0,
                display_name: format!("User {i}"),
                email: if i % 5 == 0 {
                    Email::Null
                } else {
                    Email::Visible(format!("user{i}@acme.example"))
                },
            });
        }
        for g in 0..groups {
            t.groups.push(Group {
                group_id: format!("{g:08x}-1111-4222-8333-{g:012x}"),
                name: format!("group-{g}"),
            });
        }
        if groups > 0 {
            let ids: Vec<String> = t.groups.iter().map(|g| g.group_id.clone()).collect();
            for (i, user) in t.users.iter().enumerate().skip(1) {
                let a = i % groups;
                let b = (i * 7 + 3) % groups;
                for g in [a, b] {
                    let list = t.members.entry(ids[g].clone()).or_default();
                    if list.last() != Some(&user.account_id) {
                        list.push(user.account_id.clone());
                    }
                }
            }
            for id in ids {
                t.members.entry(id).or_default();
            }
        }
        t
    }
}
