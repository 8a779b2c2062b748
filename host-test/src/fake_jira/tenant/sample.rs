//! The built-in demo tenant: every account type, inactive users, hidden
//! e-mails, odd group names and ids, a group of more than 50 members,
//! projects of both kinds with their roles, actors and permission schemes,
//! and admin tiers: `site-admins` administers the site, `jira-administrators`
//! Jira Software, and the user tier of Jira Service Management lists one
//! group `/applicationrole` does not. Its organization pages the user search
//! two records at a time and has every case of last activity and status.

use super::org::{
    Form, OTHER_CLOUD_ID, Org, OrgAccount, SAMPLE_ADMIN_KEY, SAMPLE_ORG_ID, account, form_of,
    product, stamp, today_midnight_utc,
};
use super::{
    Actor, AppRole, Email, Grant, Project, Role, SAMPLE_SITE, SERVICE_ACCOUNT_ID, Scheme, Tenant,
    User,
};

/// Emma Richards: in two directories of the organization.
pub const EMMA: &str = "5b10ac8d82e05b22cc7d4ef5";
/// An account of the organization that is no user of the site.
pub const ORG_ONLY_ACCOUNT: &str = "712020:0c0f1e2d-3c4b-4a59-8687-96a5b4c3d2e1";

/// A group id with every character that needs encoding in a query.
pub const ODD_GROUP_ID: &str = "legacy/id with?odd=chars&#%+ü";

impl Tenant {
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
            "f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f7a8b9c",
            "site-admins",
            &[SERVICE_ACCOUNT_ID, "5b10ac8d82e05b22cc7d4ef5"],
        );
        t.add_group(
            "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a",
            "automation-apps",
            &[
                "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077",
                "5d9f2e8a1b2c3d004e5f6a7b",
            ],
        );
        t.add_sample_access_model(&dev_refs);
        t.org = Some(t.sample_org(today_midnight_utc()));
        t.index_users();
        t
    }

    /// The demo's organization, its timestamps counted back from `today`
    /// (a midnight UTC), in the reverse of the site's order with an account
    /// the site does not have among them; page cap 2. App and customer
    /// accounts are not in it (an organization's directories hold Atlassian
    /// accounts), nor is `Developer 57`. Among the developers: 00 is
    /// `closed`, 01 was never active (no product), 02 has one product with a
    /// null timestamp, 03 was last active on another site's Confluence, 04
    /// (`inactive`) has Jira Software on two sites, 05 is in two directories
    /// and its one product shows only in the second; every fourth is
    /// `unmanaged`. Emma is in two directories, her latest product only in
    /// the second. The deactivated admin is `inactive`, last active 400
    /// days ago.
    fn sample_org(&self, today: i64) -> Org {
        let cloud = self.cloud_id.as_str();
        let at = |days: i64, form: Form| Some(stamp(today, days, form));
        let spread = [1, 5, 30, 60, 120, 400];
        let mut accounts: Vec<OrgAccount> = Vec::new();
        for u in &self.users {
            let id = u.account_id.as_str();
            let dev: Option<usize> = u
                .display_name
                .strip_prefix("Developer ")
                .and_then(|n| n.parse().ok());
            let a = match (id, dev) {
                (SERVICE_ACCOUNT_ID, _) => account(
                    id,
                    "active",
                    "managed",
                    vec![product(
                        "jira-software",
                        cloud,
                        at(1, Form::Nanos(123_456_789)),
                    )],
                ),
                (EMMA, _) => OrgAccount {
                    directories: 2,
                    ..account(
                        id,
                        "active",
                        "managed",
                        vec![
                            product("jira-software", cloud, at(30, Form::Whole)),
                            product("jira-servicedesk", cloud, None),
                            product("confluence", cloud, at(5, Form::Offset(120))),
                        ],
                    )
                },
                ("6a0b1c2d3e4f5a6b7c8d9e0f", _) => account(
                    id,
                    "inactive",
                    "managed",
                    vec![product("jira-software", cloud, at(400, Form::Whole))],
                ),
                (_, Some(57)) => continue,
                (_, Some(0)) => account(
                    id,
                    "closed",
                    "managed",
                    vec![product(
                        "jira-software",
                        cloud,
                        at(120, Form::OffsetMillis(-300, 250)),
                    )],
                ),
                (_, Some(1)) => account(id, "active", "managed", vec![]),
                (_, Some(2)) => account(
                    id,
                    "active",
                    "managed",
                    vec![product("jira-software", cloud, None)],
                ),
                (_, Some(3)) => account(
                    id,
                    "active",
                    "unmanaged",
                    vec![
                        product("jira-software", cloud, at(120, Form::Nanos(5))),
                        product("confluence", OTHER_CLOUD_ID, at(1, Form::Whole)),
                    ],
                ),
                (_, Some(4)) => account(
                    id,
                    "inactive",
                    "managed",
                    vec![
                        product("jira-software", cloud, at(400, Form::Whole)),
                        product("jira-software", OTHER_CLOUD_ID, at(5, Form::Offset(120))),
                    ],
                ),
                (_, Some(5)) => OrgAccount {
                    directories: 2,
                    ..account(
                        id,
                        "active",
                        "managed",
                        vec![product("jira-software", cloud, at(60, Form::Whole))],
                    )
                },
                (_, Some(i)) => {
                    let mut products = vec![product(
                        "jira-software",
                        cloud,
                        at(spread[i % 6], form_of(i)),
                    )];
                    if i % 3 == 0 {
                        products.push(product(
                            "jira-servicedesk",
                            cloud,
                            at(spread[(i + 2) % 6], form_of(i + 1)),
                        ));
                    }
                    if i % 10 == 8 {
                        products.push(product("confluence", cloud, None));
                    }
                    account(
                        id,
                        if i % 13 == 7 { "inactive" } else { "active" },
                        if i % 4 == 3 { "unmanaged" } else { "managed" },
                        products,
                    )
                }
                _ => continue, // apps and customers
            };
            accounts.push(a);
        }
        accounts.reverse();
        accounts.insert(
            10,
            account(
                ORG_ONLY_ACCOUNT,
                "active",
                "unmanaged",
                vec![product("confluence", OTHER_CLOUD_ID, at(5, Form::Whole))],
            ),
        );
        Org {
            org_id: SAMPLE_ORG_ID.into(),
            api_key: SAMPLE_ADMIN_KEY.into(),
            page_cap: 2,
            key_forbidden: false,
            accounts,
        }
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
        let support = self
            .group_named("Support, \"Tier 2\"\nnight shift")
            .group_id
            .clone();
        self.site_admin_groups = vec![self.group_named("site-admins").group_id.clone()];

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
                admin_groups: vec![admins.clone()],
                tier_only_groups: vec![],
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
                admin_groups: vec![],
                // The one group where the user tier disagrees with
                // `/applicationrole`: only `accessType=user` lists it.
                tier_only_groups: vec![support],
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
                admin_groups: vec![],
                tier_only_groups: vec![],
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
}
