//! The fake's data: one Jira Cloud site with its accounts, groups and
//! memberships, projects, roles, product access and permission schemes, plus
//! the credentials it accepts; the organization the site belongs to, as
//! Atlassian's organization admin API shows it (`org.rs`); and the questions
//! the endpoints ask of it. The data itself comes from [`Tenant::sample`]
//! (`sample.rs`), from [`Tenant::generate`] (`generate.rs`), or is what every
//! site has (`builtin.rs`).
//!
//! Field values follow the examples in Atlassian's OpenAPI spec for
//! `User`, `GroupDetails` and `PageBean*` (account ids like
//! `5b10a2844c20165700ede21g`, group ids as UUIDs, `self` links on the site).

mod builtin;
mod generate;
pub mod org;
mod sample;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use extractor_jira::site::SITE_DOMAIN;

use builtin::{catalogue, global_roles};
pub use org::{Org, OrgAccount, ProductActivity};
pub use sample::{ODD_GROUP_ID, ORG_ONLY_ACCOUNT};

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
    /// The groups that administer the product
    /// (`group/bulk?accessType=admin&applicationKey=…`).
    pub admin_groups: Vec<String>,
    /// Groups `group/bulk?accessType=user&applicationKey=…` lists besides
    /// `groups` and `default_groups`: where the user tier disagrees with
    /// `/applicationrole`.
    pub tier_only_groups: Vec<String>,
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
    /// The site-admin groups' ids (`group/bulk?accessType=site-admin`).
    pub site_admin_groups: Vec<String>,
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
    /// The permission keys the service account lacks: `/mypermissions`
    /// answers `havePermission: false` for them. Empty: it holds every one.
    pub lacks: BTreeSet<String>,
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
    /// The organization the site belongs to, served on
    /// `api.atlassian.com/admin/...`; `None`: the config names no
    /// organization and the admin API knows no key.
    pub org: Option<Org>,
    /// Account id to position in `users`, so a large tenant answers fast.
    /// A user pushed without re-indexing is still found, more slowly.
    user_index: HashMap<String, usize>,
    /// Account id to position in `org.accounts`, likewise.
    org_index: HashMap<String, usize>,
}

pub const SAMPLE_SITE: &str = "acme";
pub const SAMPLE_CLOUD_ID: &str = "4d2f1b3c-8a6e-4f0d-9b7a-1c2e3f4a5b6c";
pub const SERVICE_ACCOUNT_ID: &str = "5b10a2844c20165700ede21g";

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
            site_admin_groups: Vec::new(),
            members: BTreeMap::new(),
            projects: Vec::new(),
            roles: global_roles(),
            actors: BTreeMap::new(),
            app_roles: Vec::new(),
            schemes: Vec::new(),
            permissions: catalogue(),
            lacks: BTreeSet::new(),
            properties: BTreeMap::new(),
            next_id: 20_000,
            not_there: None,
            org: None,
            user_index: HashMap::new(),
            org_index: HashMap::new(),
        }
    }

    /// Indexes the users and the organization's accounts by account id.
    fn index_users(&mut self) {
        self.user_index = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.account_id.clone(), i))
            .collect();
        self.org_index = self
            .org
            .iter()
            .flat_map(|o| o.accounts.iter().enumerate())
            .map(|(i, a)| (a.account_id.clone(), i))
            .collect();
    }

    /// The same tenant with no organization: the config names none and the
    /// admin API refuses every key.
    pub fn without_org(mut self) -> Self {
        self.org = None;
        self.org_index.clear();
        self
    }

    /// The same tenant in the organization `org` (indexed, so that a large
    /// one answers fast).
    pub fn with_org(mut self, org: Org) -> Self {
        self.org = Some(org);
        self.index_users();
        self
    }

    /// Where the accounts with these ids are in the organization's list;
    /// ids it does not have are left out.
    pub fn org_positions<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
        let Some(org) = &self.org else {
            return Vec::new();
        };
        ids.into_iter()
            .filter_map(|id| {
                self.org_index
                    .get(id)
                    .copied()
                    .filter(|&i| org.accounts.get(i).is_some_and(|a| a.account_id == id))
                    .or_else(|| org.accounts.iter().position(|a| a.account_id == id))
            })
            .collect()
    }

    /// The organization's account with this id, if the organization has it.
    pub fn org_account(&self, account_id: &str) -> Option<&OrgAccount> {
        let org = self.org.as_ref()?;
        self.org_index
            .get(account_id)
            .and_then(|&i| org.accounts.get(i))
            .filter(|a| a.account_id == account_id)
            .or_else(|| org.accounts.iter().find(|a| a.account_id == account_id))
    }

    /// Deletes a group and everything that refers to it, as Jira does:
    /// memberships, role actors, product access and permission grants.
    pub fn delete_group(&mut self, group_id: &str) {
        self.groups.retain(|g| g.group_id != group_id);
        self.members.remove(group_id);
        for actors in self.actors.values_mut() {
            actors.retain(|a| *a != Actor::Group(group_id.to_owned()));
        }
        self.site_admin_groups.retain(|g| g != group_id);
        for app in &mut self.app_roles {
            for list in [
                &mut app.groups,
                &mut app.default_groups,
                &mut app.admin_groups,
                &mut app.tier_only_groups,
            ] {
                list.retain(|g| g != group_id);
            }
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

    /// The ids of the groups `group/bulk?accessType=…` lists for an access
    /// type (`site-admin`, `admin` or `user`) and, for the product tiers, an
    /// application key (every product's when `None`); `None` for an access
    /// type Jira does not know.
    pub fn groups_by_access(
        &self,
        access_type: &str,
        application_key: Option<&str>,
    ) -> Option<BTreeSet<&str>> {
        let apps = || {
            self.app_roles
                .iter()
                .filter(move |a| application_key.is_none_or(|k| a.key == k))
        };
        let ids: BTreeSet<&str> = match access_type {
            "site-admin" => self.site_admin_groups.iter().map(String::as_str).collect(),
            "admin" => apps()
                .flat_map(|a| &a.admin_groups)
                .map(String::as_str)
                .collect(),
            "user" => apps()
                .flat_map(|a| {
                    a.groups
                        .iter()
                        .chain(&a.default_groups)
                        .chain(&a.tier_only_groups)
                })
                .map(String::as_str)
                .collect(),
            _ => return None,
        };
        Some(ids)
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

    /// The vendor config JSON for a credential of `kind`; with the
    /// organization's `adminApiKey` and `orgId` when the tenant has one.
    pub fn config_json(&self, kind: TokenKind) -> String {
        let mut app = serde_json::json!({
            "token": self.credential(kind).config_token(), "siteName": self.site
        });
        if let Some(org) = &self.org {
            app["adminApiKey"] = org.api_key.clone().into();
            app["orgId"] = org.org_id.clone().into();
        }
        serde_json::json!({ "appConfig": app }).to_string()
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

    /// The fewest requests a complete extraction of this tenant needs with an
    /// unscoped token: one probe, then every page of every listing exactly once.
    ///
    /// With an organization, add its user searches: the users are read in
    /// pages of 1000, and the account ids of each non-empty page are looked
    /// up in chunks of at most 100, in the page's order. A chunk costs
    /// `max(1, ceil(records / min(100, page_cap)))` requests, where `records`
    /// counts the organization's records of the chunk's accounts (an account
    /// in two directories twice; one the organization lacks not at all): see
    /// [`Tenant::org_search_requests`].
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
        // The admin tiers: the site-admin groups, and per product its admin
        // and its user groups, each a listing of at least one page.
        let tier = |access: &str, key: Option<&str>| {
            pages(
                self.groups_by_access(access, key).map_or(0, |g| g.len()),
                50,
            )
        };
        let tiers: u64 = tier("site-admin", None)
            + self
                .app_roles
                .iter()
                .map(|a| tier("admin", Some(&a.key)) + tier("user", Some(&a.key)))
                .sum::<u64>();
        // /myself, /_edge/tenant_info (the cloud id) and /mypermissions (the
        // preflight); users; groups and members; the admin tiers; /role;
        // projects and theirs; /applicationrole, /permissions,
        // /permissionscheme; unlisted schemes.
        3 + users
            + groups
            + members
            + tiers
            + 1
            + projects
            + per_project
            + 3
            + unlisted
            + self.org_search_requests()
    }

    /// The organization's share of [`Tenant::minimum_requests`]: for every
    /// chunk of at most 100 account ids of every page of 1000 users, one
    /// search and its further pages, `max(1, ceil(records / min(100,
    /// page_cap)))`. Zero without an organization.
    pub fn org_search_requests(&self) -> u64 {
        let Some(org) = &self.org else {
            return 0;
        };
        let size = org.page_cap.clamp(1, 100);
        self.users
            .chunks(1000)
            .flat_map(|page| page.chunks(100))
            .map(|chunk| {
                let records: usize = chunk
                    .iter()
                    .filter_map(|u| self.org_account(&u.account_id))
                    .map(OrgAccount::records)
                    .sum();
                records.div_ceil(size).max(1) as u64
            })
            .sum()
    }

    /// The ids of schemes some project uses that the listing leaves out.
    pub fn unlisted_schemes_in_use(&self) -> BTreeSet<u64> {
        self.projects
            .iter()
            .filter_map(|p| p.scheme_id)
            .filter(|id| !self.schemes.iter().any(|s| s.id == *id && s.listed))
            .collect()
    }
}
