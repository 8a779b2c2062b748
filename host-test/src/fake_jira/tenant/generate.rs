//! Synthetic tenants of any size, for tests and the benchmark.

use super::org::{
    Org, OrgAccount, SAMPLE_ADMIN_KEY, SAMPLE_ORG_ID, account, clear_of_90, form_of, product,
    stamp, today_midnight_utc,
};
use super::{
    Actor, AppRole, Email, Grant, Group, Project, Role, SAMPLE_SITE, Scheme, Tenant, User,
};

impl Tenant {
    /// A synthetic tenant of a given size, for tests and the benchmark. Each
    /// user `i` belongs to groups `i % groups` and `(i * 7 + 3) % groups`.
    /// Its organization is described at [`Tenant::generated_org`].
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
        t.org = Some(t.generated_org(today_midnight_utc()));
        t.index_users();
        t
    }

    /// The organization of a generated tenant, page cap 100, its timestamps
    /// counted back from `today` (a midnight UTC). The service account is in
    /// it, active; of the generated users `i`, every one but each 97th: `closed`
    /// when `i % 29 == 0`, else `inactive` when `i % 19 == 0`; `unmanaged`
    /// when `i % 3 == 0`; in two directories when `i % 10 == 7`. Never active
    /// (no product) when `i % 11 == 0`, else only a null timestamp when
    /// `i % 17 == 0`, else Jira Software `i % 400` days ago, plus Confluence
    /// `7i % 400` days ago when `i % 5 == 0` and Jira Service Management
    /// with a null timestamp when `i % 13 == 0` (day counts in 85..=95 move
    /// on by twenty).
    fn generated_org(&self, today: i64) -> Org {
        let cloud = self.cloud_id.as_str();
        let at = |days: usize, i: usize| Some(stamp(today, clear_of_90(days as i64), form_of(i)));
        let mut accounts: Vec<OrgAccount> = Vec::with_capacity(self.users.len());
        for (n, u) in self.users.iter().enumerate() {
            let id = u.account_id.as_str();
            let Some(i) = n.checked_sub(1) else {
                accounts.push(account(
                    id,
                    "active",
                    "managed",
                    vec![product("jira-software", cloud, at(1, 1))],
                ));
                continue;
            };
            if i % 97 == 0 {
                continue;
            }
            let status = if i % 29 == 0 {
                "closed"
            } else if i % 19 == 0 {
                "inactive"
            } else {
                "active"
            };
            let claim = if i % 3 == 0 { "unmanaged" } else { "managed" };
            let products = if i % 11 == 0 {
                Vec::new()
            } else if i % 17 == 0 {
                vec![product("jira-software", cloud, None)]
            } else {
                let mut p = vec![product("jira-software", cloud, at(i % 400, i))];
                if i % 5 == 0 {
                    p.push(product("confluence", cloud, at(i * 7 % 400, i + 1)));
                }
                if i % 13 == 0 {
                    p.push(product("jira-servicedesk", cloud, None));
                }
                p
            };
            accounts.push(OrgAccount {
                directories: if i % 10 == 7 { 2 } else { 1 },
                ..account(id, status, claim, products)
            });
        }
        Org {
            org_id: SAMPLE_ORG_ID.into(),
            api_key: SAMPLE_ADMIN_KEY.into(),
            page_cap: 100,
            key_forbidden: false,
            accounts,
        }
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
            self.site_admin_groups = vec![first.clone()];
            self.app_roles.push(AppRole {
                key: "jira-software".into(),
                name: "Jira Software".into(),
                groups: group_ids.iter().take(3).cloned().collect(),
                default_groups: vec![first.clone()],
                // Group 1 administers the product; group 0 the site.
                admin_groups: group_ids.iter().skip(1).take(1).cloned().collect(),
                tier_only_groups: Vec::new(),
                seats: 50_000,
                user_count: self.users.len() as i64,
                unlimited: false,
                platform: false,
            });
        }
    }
}
