//! The fake's data: one Jira Cloud site with its accounts, groups and
//! memberships, plus the credentials it accepts.
//!
//! Field values follow the examples in Atlassian's OpenAPI spec for
//! `User`, `GroupDetails` and `PageBean*` (account ids like
//! `5b10a2844c20165700ede21g`, group ids as UUIDs, `self` links on the site).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use extractor_jira::site::SITE_DOMAIN;

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
pub struct Project {
    /// Numeric, as Jira's project ids are.
    pub id: String,
    pub key: String,
    pub name: String,
    /// `classic` (company-managed) or `next-gen` (team-managed).
    pub style: String,
    /// `software`, `service_desk` or `business`.
    pub type_key: String,
    pub is_private: bool,
    pub archived: bool,
    /// Category id and name.
    pub category: Option<(String, String)>,
    pub lead: Option<String>,
    /// The permission scheme the project uses: a global one for a
    /// company-managed project, its own scoped one for a team-managed one.
    pub scheme_id: Option<u64>,
    /// The account may list the project but not administer it: its role and
    /// scheme endpoints answer 403.
    pub restricted: bool,
}

impl Project {
    pub fn team_managed(&self) -> bool {
        self.style == "next-gen"
    }
}

/// A project role: global, or owned by one team-managed project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: u64,
    pub name: String,
    pub description: String,
    /// The team-managed project that owns the role; `None` for a global role.
    pub project: Option<String>,
}

/// Who holds a project role in a project.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Actor {
    User(String),
    Group(String),
}

/// Product access (`ApplicationRole`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRole {
    pub key: String,
    pub name: String,
    /// Group ids that grant the product.
    pub groups: Vec<String>,
    /// Of those, the groups new users are put in.
    pub default_groups: Vec<String>,
    pub seats: i64,
    pub user_count: i64,
    pub unlimited: bool,
    pub platform: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: u64,
    pub permission: String,
    pub holder_type: String,
    pub parameter: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub grants: Vec<Grant>,
    /// The team-managed project the scheme is scoped to (`Scope` of type
    /// `PROJECT`); `None` for a global scheme.
    pub project: Option<String>,
    /// Whether `GET /permissionscheme` lists it. A project-scoped scheme may
    /// be left out; it is still read by id and through its project.
    pub listed: bool,
}

/// An entry of the permission catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionDef {
    pub key: String,
    pub name: String,
    /// `GLOBAL` or `PROJECT`.
    pub scope: String,
    pub description: String,
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
    pub projects: Vec<Project>,
    /// Global roles and team-managed projects' own roles.
    pub roles: Vec<Role>,
    /// (project id, role id) to the role's actors in that project.
    pub actors: BTreeMap<(String, u64), Vec<Actor>>,
    pub app_roles: Vec<AppRole>,
    pub schemes: Vec<Scheme>,
    pub permissions: Vec<PermissionDef>,
    /// (account id, key) to the JSON value of a user property.
    pub properties: BTreeMap<(String, String), serde_json::Value>,
    /// The next id the fake hands out for a created group or grant.
    pub next_id: u64,
    /// The status a remove answers when what it names is not there (a group
    /// member, a group, a role actor, a grant, a user property). `None`: each
    /// endpoint's own, as Jira answers: 404 for a group or a user property,
    /// 400 for the others. Jira's spec documents 404 for some of those and
    /// 400 for others, so tests try both.
    pub not_there: Option<u16>,
    /// Account id to position in `users`, so a large tenant answers fast.
    /// A user pushed without re-indexing is still found, more slowly.
    user_index: HashMap<String, usize>,
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
            projects: Vec::new(),
            roles: global_roles(),
            actors: BTreeMap::new(),
            app_roles: Vec::new(),
            schemes: Vec::new(),
            permissions: catalogue(),
            properties: BTreeMap::new(),
            next_id: 20_000,
            not_there: None,
            user_index: HashMap::new(),
        }
    }

    fn index_users(&mut self) {
        self.user_index = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.account_id.clone(), i))
            .collect();
    }

    /// Deletes a group and everything that refers to it, as Jira does:
    /// memberships, role actors, product access and permission grants.
    pub fn delete_group(&mut self, group_id: &str) {
        self.groups.retain(|g| g.group_id != group_id);
        self.members.remove(group_id);
        for actors in self.actors.values_mut() {
            actors.retain(|a| *a != Actor::Group(group_id.to_owned()));
        }
        for app in &mut self.app_roles {
            app.groups.retain(|g| g != group_id);
            app.default_groups.retain(|g| g != group_id);
        }
        for scheme in &mut self.schemes {
            scheme
                .grants
                .retain(|g| !(g.holder_type == "group" && g.value.as_deref() == Some(group_id)));
        }
    }

    pub fn group_named(&self, name: &str) -> &Group {
        self.groups
            .iter()
            .find(|g| g.name == name)
            .unwrap_or_else(|| panic!("no group {name}"))
    }

    pub fn global_roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.iter().filter(|r| r.project.is_none())
    }

    /// The roles a project has: the global ones for a company-managed project,
    /// its own for a team-managed one.
    pub fn roles_of(&self, project: &Project) -> Vec<&Role> {
        if project.team_managed() {
            self.roles
                .iter()
                .filter(|r| r.project.as_deref() == Some(project.id.as_str()))
                .collect()
        } else {
            self.global_roles().collect()
        }
    }

    pub fn project(&self, id_or_key: &str) -> Option<&Project> {
        self.projects
            .iter()
            .find(|p| p.id == id_or_key || p.key == id_or_key)
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
        format!("{}.{SITE_DOMAIN}", self.site)
    }

    pub fn user(&self, account_id: &str) -> Option<&User> {
        self.user_index
            .get(account_id)
            .and_then(|&i| self.users.get(i))
            .filter(|u| u.account_id == account_id)
            .or_else(|| self.users.iter().find(|u| u.account_id == account_id))
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
        t.add_group(
            "e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b",
            "Support, \"Tier 2\"\nnight shift",
            &[dev_refs[30], dev_refs[31], dev_refs[32]],
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
        t.add_sample_access_model(&dev_refs);
        t.index_users();
        t
    }

    /// Projects, roles, product access and permission schemes for the sample.
    fn add_sample_access_model(&mut self, devs: &[&str]) {
        let admins = self.group_named("jira-administrators").group_id.clone();
        let software = self.group_named("jira-software-users").group_id.clone();
        let rnd = self.group_named("R&D / Ops #1").group_id.clone();
        let customers = self
            .group_named("jira-servicemanagement-customers")
            .group_id
            .clone();
        let cafe = self
            .group_named("100% café + crème = brûlée? ü")
            .group_id
            .clone();
        let emma = "5b10ac8d82e05b22cc7d4ef5";

        let project = |id: &str, key: &str, name: &str, style: &str, type_key: &str| Project {
            id: id.into(),
            key: key.into(),
            name: name.into(),
            style: style.into(),
            type_key: type_key.into(),
            is_private: false,
            archived: false,
            category: None,
            lead: Some(SERVICE_ACCOUNT_ID.into()),
            scheme_id: if style == "classic" { Some(0) } else { None },
            restricted: false,
        };
        self.projects = vec![
            Project {
                category: Some(("10000".into(), "FIRST".into())),
                ..project("10000", "EX", "Example", "classic", "software")
            },
            Project {
                lead: Some(emma.into()),
                scheme_id: Some(10100),
                category: Some(("10000".into(), "FIRST".into())),
                ..project("10001", "ABC", "Alphabetical", "classic", "business")
            },
            Project {
                archived: true,
                lead: None,
                scheme_id: Some(10100),
                ..project("10002", "OLD", "Legacy Migration", "classic", "software")
            },
            Project {
                scheme_id: Some(10101),
                is_private: true,
                ..project(
                    "10003",
                    "SUP",
                    "Customer Support",
                    "classic",
                    "service_desk",
                )
            },
            Project {
                is_private: true,
                lead: Some(devs[0].into()),
                scheme_id: Some(10300),
                ..project("10020", "TEAM", "Team Rocket", "next-gen", "software")
            },
        ];
        for (id, name) in [
            (10100, "Administrator"),
            (10101, "Member"),
            (10102, "Viewer"),
        ] {
            self.roles.push(Role {
                id,
                name: name.into(),
                description: format!("{name} of the team-managed project Team Rocket"),
                project: Some("10020".into()),
            });
        }

        let mut set = |project: &str, role: u64, actors: Vec<Actor>| {
            self.actors.insert((project.into(), role), actors);
        };
        use Actor::{Group as G, User as U};
        set(
            "10000",
            10002,
            vec![G(admins.clone()), U(SERVICE_ACCOUNT_ID.into())],
        );
        set("10000", 10000, vec![G(software.clone()), G(cafe.clone())]);
        set("10000", 10001, vec![G(rnd.clone()), U(devs[3].into())]);
        set("10001", 10002, vec![U(emma.into())]);
        set("10001", 10000, vec![G(rnd.clone())]);
        set("10002", 10002, vec![G(admins.clone())]);
        set("10002", 10001, vec![U(devs[4].into())]); // an inactive user keeps the role
        set("10003", 10002, vec![G(admins.clone())]);
        set("10003", 10001, vec![G(customers.clone())]);
        set("10020", 10100, vec![U(devs[0].into())]);
        set(
            "10020",
            10101,
            vec![G(rnd.clone()), U(devs[1].into()), U(devs[2].into())],
        );
        set("10020", 10102, vec![G(ODD_GROUP_ID.into())]);

        self.app_roles = vec![
            AppRole {
                key: "jira-software".into(),
                name: "Jira Software".into(),
                groups: vec![software.clone(), admins.clone()],
                default_groups: vec![software.clone()],
                seats: 100,
                user_count: 61,
                unlimited: false,
                platform: false,
            },
            AppRole {
                key: "jira-servicedesk".into(),
                name: "Jira Service Management".into(),
                groups: vec![admins.clone()],
                default_groups: vec![],
                seats: 10,
                user_count: 3,
                unlimited: false,
                platform: false,
            },
            AppRole {
                key: "jira-core".into(),
                name: "Jira Work Management".into(),
                groups: vec![],
                default_groups: vec![],
                seats: 0,
                user_count: 0,
                unlimited: true,
                platform: true,
            },
        ];

        let grant = |id: u64,
                     permission: &str,
                     holder: &str,
                     parameter: Option<&str>,
                     value: Option<&str>| Grant {
            id,
            permission: permission.into(),
            holder_type: holder.into(),
            parameter: parameter.map(str::to_owned),
            value: value.map(str::to_owned),
        };
        self.schemes = vec![
            Scheme {
                id: 0,
                name: "Default Permission Scheme".into(),
                description: "Jira's default scheme; its id is 0.".into(),
                project: None,
                listed: true,
                grants: vec![
                    grant(
                        10000,
                        "ADMINISTER_PROJECTS",
                        "group",
                        Some("jira-administrators"),
                        Some(&admins),
                    ),
                    grant(
                        10001,
                        "ADMINISTER_PROJECTS",
                        "projectRole",
                        Some("10002"),
                        Some("10002"),
                    ),
                    grant(
                        10002,
                        "BROWSE_PROJECTS",
                        "applicationRole",
                        Some("jira-software"),
                        Some("jira-software"),
                    ),
                    grant(10003, "BROWSE_PROJECTS", "applicationRole", None, None),
                    grant(
                        10004,
                        "CREATE_ISSUES",
                        "projectRole",
                        Some("10000"),
                        Some("10000"),
                    ),
                    grant(10005, "EDIT_ISSUES", "user", Some(emma), Some(emma)),
                    grant(10006, "EDIT_ISSUES", "reporter", None, None),
                    grant(10007, "ASSIGNABLE_USER", "assignee", None, None),
                    grant(10008, "ADMINISTER_PROJECTS", "projectLead", None, None),
                    grant(10009, "BROWSE_PROJECTS", "anyone", None, None),
                    grant(
                        10010,
                        "BROWSE_PROJECTS",
                        "groupCustomField",
                        Some("customfield_10010"),
                        Some("customfield_10010"),
                    ),
                    grant(
                        10011,
                        "EDIT_ISSUES",
                        "userCustomField",
                        Some("customfield_10011"),
                        Some("customfield_10011"),
                    ),
                    grant(
                        10012,
                        "BROWSE_PROJECTS",
                        "group",
                        Some("100% café + crème = brûlée? ü"),
                        Some(&cafe),
                    ),
                ],
            },
            Scheme {
                id: 10100,
                name: "Software Scheme".into(),
                description: "For company-managed software projects.".into(),
                project: None,
                listed: true,
                grants: vec![
                    grant(
                        10100,
                        "BROWSE_PROJECTS",
                        "group",
                        Some("jira-software-users"),
                        Some(&software),
                    ),
                    grant(
                        10101,
                        "ADMINISTER_PROJECTS",
                        "projectRole",
                        Some("10002"),
                        Some("10002"),
                    ),
                    // A holder type this connector has never seen must be kept as-is.
                    grant(
                        10102,
                        "EDIT_ISSUES",
                        "atlassianFutureHolder",
                        Some("opaque-42"),
                        Some("opaque-42"),
                    ),
                ],
            },
            Scheme {
                id: 10101,
                name: "Service Desk Scheme".into(),
                description: String::new(),
                project: None,
                listed: true,
                grants: vec![
                    grant(
                        10200,
                        "BROWSE_PROJECTS",
                        "sd.customer.portal.only",
                        None,
                        None,
                    ),
                    grant(
                        10201,
                        "SERVICEDESK_AGENT",
                        "projectRole",
                        Some("10002"),
                        Some("10002"),
                    ),
                ],
            },
            // Team Rocket's own scheme: scoped to it, and left out of
            // `GET /permissionscheme`, as a project-scoped scheme may be.
            Scheme {
                id: 10300,
                name: "Team Rocket permissions".into(),
                description: "The access settings of the team-managed project Team Rocket.".into(),
                project: Some("10020".into()),
                listed: false,
                grants: vec![
                    grant(
                        10300,
                        "ADMINISTER_PROJECTS",
                        "projectRole",
                        Some("10100"),
                        Some("10100"),
                    ),
                    grant(
                        10301,
                        "BROWSE_PROJECTS",
                        "projectRole",
                        Some("10101"),
                        Some("10101"),
                    ),
                    grant(
                        10302,
                        "BROWSE_PROJECTS",
                        "projectRole",
                        Some("10102"),
                        Some("10102"),
                    ),
                ],
            },
        ];
    }

    /// The sample, plus a project the account may list but not administer.
    pub fn sample_with_restricted_project() -> Self {
        let mut t = Self::sample();
        t.projects.push(Project {
            id: "10030".into(),
            key: "SEC".into(),
            name: "Security Incidents".into(),
            style: "classic".into(),
            type_key: "software".into(),
            is_private: true,
            archived: false,
            category: None,
            lead: None,
            scheme_id: Some(0),
            restricted: true,
        });
        t
    }

    /// The fewest requests a complete extraction of this tenant needs with an
    /// unscoped token: one probe, then every page of every listing exactly once.
    pub fn minimum_requests(&self) -> u64 {
        let pages = |n: usize, cap: usize| n.div_ceil(cap).max(1) as u64;
        let users = self.users.len().div_ceil(1000) as u64 + 1; // up to the first empty page
        let groups = pages(self.groups.len(), 50);
        let members: u64 = self
            .groups
            .iter()
            .map(|g| pages(self.members.get(&g.group_id).map_or(0, Vec::len), 50))
            .sum();
        let visible: Vec<&Project> = self.projects.iter().collect();
        let projects = pages(visible.len(), 100);
        // Every project costs its scheme; a team-managed one its role list
        // plus one request per role, a company-managed one one per global role.
        let per_project: u64 = visible
            .iter()
            .map(|p| self.roles_of(p).len() as u64 + 1 + u64::from(p.team_managed()))
            .sum();
        // Schemes that projects use but `/permissionscheme` leaves out are
        // read one by one.
        let unlisted = self.unlisted_schemes_in_use().len() as u64;
        // /myself; users; groups and members; /role; projects and theirs;
        // /applicationrole, /permissions, /permissionscheme; unlisted schemes.
        1 + users + groups + members + 1 + projects + per_project + 3 + unlisted
    }

    /// The ids of schemes some project uses that the listing leaves out.
    pub fn unlisted_schemes_in_use(&self) -> BTreeSet<u64> {
        self.projects
            .iter()
            .filter_map(|p| p.scheme_id)
            .filter(|id| !self.schemes.iter().any(|s| s.id == *id && s.listed))
            .collect()
    }

    /// A synthetic tenant of a given size, for tests and the benchmark. Each
    /// user `i` belongs to groups `i % groups` and `(i * 7 + 3) % groups`.
    pub fn generate(users: usize, groups: usize) -> Self {
        Self::generate_with_projects(users, groups, 0)
    }

    /// Like [`Tenant::generate`], with `projects` projects: every tenth is
    /// team-managed with three roles and a scheme of its own (every other such
    /// scheme left out of the listing); the rest are company-managed and use
    /// one of three permission schemes. Each project role has one
    /// group actor and one user actor.
    pub fn generate_with_projects(users: usize, groups: usize, projects: usize) -> Self {
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
        t.add_generated_projects(projects);
        t.index_users();
        t
    }

    fn add_generated_projects(&mut self, projects: usize) {
        if projects == 0 {
            return;
        }
        let group_ids: Vec<String> = self.groups.iter().map(|g| g.group_id.clone()).collect();
        let user_ids: Vec<String> = self.users.iter().map(|u| u.account_id.clone()).collect();
        let pick = |list: &[String], i: usize| list.get(i % list.len().max(1)).cloned();
        for s in 0..3u64 {
            let id = if s == 0 { 0 } else { 10000 + s };
            self.schemes.push(Scheme {
                id,
                name: format!("Scheme {s}"),
                description: String::new(),
                project: None,
                listed: true,
                grants: (0..20u64)
                    .map(|g| {
                        let (kind, param) = match g % 4 {
                            0 => ("projectRole", Some("10002".to_owned())),
                            1 => ("group", pick(&group_ids, g as usize)),
                            2 => ("applicationRole", Some("jira-software".to_owned())),
                            _ => ("reporter", None),
                        };
                        Grant {
                            id: 100_000 * (s + 1) + g,
                            permission: [
                                "BROWSE_PROJECTS",
                                "CREATE_ISSUES",
                                "EDIT_ISSUES",
                                "ADMINISTER_PROJECTS",
                            ][(g % 4) as usize]
                                .into(),
                            holder_type: kind.into(),
                            parameter: param.clone(),
                            value: param,
                        }
                    })
                    .collect(),
            });
        }
        let globals: Vec<u64> = self.global_roles().map(|r| r.id).collect();
        for i in 0..projects {
            let id = (10000 + i).to_string();
            let team = i % 10 == 9;
            self.projects.push(Project {
                id: id.clone(),
                key: format!("P{i}"),
                name: format!("Project {i}"),
                style: if team { "next-gen" } else { "classic" }.into(),
                type_key: "software".into(),
                is_private: team,
                archived: i % 25 == 24,
                category: None,
                lead: pick(&user_ids, i * 31),
                scheme_id: Some(if team {
                    30_000 + i as u64
                } else {
                    [0, 10001, 10002][i % 3]
                }),
                restricted: false,
            });
            let roles: Vec<u64> = if team {
                (0..3u64)
                    .map(|r| {
                        let role_id = 20000 + 3 * i as u64 + r;
                        self.roles.push(Role {
                            id: role_id,
                            name: ["Administrator", "Member", "Viewer"][r as usize].into(),
                            description: String::new(),
                            project: Some(id.clone()),
                        });
                        role_id
                    })
                    .collect()
            } else {
                globals.clone()
            };
            if team {
                // A scheme of its own; every other one is left out of the listing.
                self.schemes.push(Scheme {
                    id: 30_000 + i as u64,
                    name: format!("Project {i} permissions"),
                    description: String::new(),
                    grants: roles
                        .iter()
                        .zip(["ADMINISTER_PROJECTS", "EDIT_ISSUES", "BROWSE_PROJECTS"])
                        .map(|(role_id, permission)| Grant {
                            id: 3_000_000 + 3 * i as u64 + (role_id % 3),
                            permission: permission.into(),
                            holder_type: "projectRole".into(),
                            parameter: Some(role_id.to_string()),
                            value: Some(role_id.to_string()),
                        })
                        .collect(),
                    project: Some(id.clone()),
                    listed: (i / 10) % 2 == 0,
                });
            }
            for (r, role_id) in roles.into_iter().enumerate() {
                let mut actors = Vec::new();
                actors.extend(pick(&group_ids, i + r).map(Actor::Group));
                actors.extend(pick(&user_ids, i * 7 + r).map(Actor::User));
                self.actors.insert((id.clone(), role_id), actors);
            }
        }
        if let Some(first) = group_ids.first() {
            self.app_roles.push(AppRole {
                key: "jira-software".into(),
                name: "Jira Software".into(),
                groups: group_ids.iter().take(3).cloned().collect(),
                default_groups: vec![first.clone()],
                seats: 50_000,
                user_count: self.users.len() as i64,
                unlimited: false,
                platform: false,
            });
        }
    }
}

/// Jira's global project roles, as the spec's examples name them.
fn global_roles() -> Vec<Role> {
    [
        (
            10002,
            "Administrators",
            "A project role that represents administrators in a project",
        ),
        (
            10000,
            "Developers",
            "A project role that represents developers in a project",
        ),
        (
            10001,
            "Users",
            "A project role that represents users in a project",
        ),
    ]
    .into_iter()
    .map(|(id, name, description)| Role {
        id,
        name: name.into(),
        description: description.into(),
        project: None,
    })
    .collect()
}

/// Built-in permissions, from the spec's "Built-in permissions" list and
/// Jira's global permissions.
fn catalogue() -> Vec<PermissionDef> {
    let global = [
        ("ADMINISTER", "Administer Jira"),
        ("SYSTEM_ADMIN", "Jira System Administrators"),
        ("USER_PICKER", "Browse users and groups"),
        ("CREATE_SHARED_OBJECTS", "Share dashboards and filters"),
        (
            "MANAGE_GROUP_FILTER_SUBSCRIPTIONS",
            "Manage group filter subscriptions",
        ),
        ("BULK_CHANGE", "Make bulk changes"),
    ];
    let project = [
        ("ADMINISTER_PROJECTS", "Administer Projects"),
        ("BROWSE_PROJECTS", "Browse Projects"),
        ("CREATE_ISSUES", "Create Issues"),
        ("EDIT_ISSUES", "Edit Issues"),
        ("ASSIGN_ISSUES", "Assign Issues"),
        ("ASSIGNABLE_USER", "Assignable User"),
        ("CLOSE_ISSUES", "Close Issues"),
        ("DELETE_ISSUES", "Delete Issues"),
        ("LINK_ISSUES", "Link Issues"),
        ("MOVE_ISSUES", "Move Issues"),
        ("MODIFY_REPORTER", "Modify Reporter"),
        ("SERVICEDESK_AGENT", "Service Desk Agent"),
        ("MANAGE_SPRINTS_PERMISSION", "Manage sprints"),
        ("VIEW_DEV_TOOLS", "View Development Tools"),
        ("EDIT_WORKFLOW", "Edit Workflows"),
    ];
    let def = |scope: &str| {
        let scope = scope.to_owned();
        move |(key, name): (&str, &str)| PermissionDef {
            key: key.into(),
            name: name.into(),
            scope: scope.clone(),
            description: format!("{name}."),
        }
    };
    global
        .into_iter()
        .map(def("GLOBAL"))
        .chain(project.into_iter().map(def("PROJECT")))
        .collect()
}
