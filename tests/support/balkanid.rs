//! What BalkanID's three files must hold for a fake tenant, computed from the
//! tenant's own data by the mapping rules in the README (never from the
//! component's code), and a reader for the files that checks their form.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use host_test::fake_jira::Tenant;
use host_test::fake_jira::tenant::{Actor, Project};
use serde_json::Value;

use super::org::{DEFAULT_DORMANT_AFTER_DAYS, access_privilege};

pub const ENTITIES_HEADER: &str =
    "App,Name,Entity Type,Source System,Source ID,Source Type,Metadata Version,Metadata";
pub const RELATIONS_HEADER: &str = "App,Parent Entity Source ID,Parent Entity Type,Entity Source ID,Entity Type,Source System,Metadata Version,Metadata";
pub const ENTITLEMENTS_HEADER: &str = "Project,Privilege Name,Privilege Value,Email,User ID,Username,Name,Connection,Connection Type,Resource,Resource Type";

/// Counts by Source Type, by (privilege name, connection type), by privilege
/// name, and the conditional grants: the figures the files must show.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    /// Entities by Source Type.
    pub entities: BTreeMap<String, usize>,
    /// Relations by (privilegeName, connectionType).
    pub relations: BTreeMap<(String, String), usize>,
    /// Entitlements by Privilege Name.
    pub entitlements: BTreeMap<String, usize>,
    /// Entries of the projects' `conditionalGrants`, over all projects.
    pub conditional_grants: usize,
}

impl Counts {
    pub fn entity_rows(&self) -> usize {
        self.entities.values().sum()
    }

    pub fn relation_rows(&self) -> usize {
        self.relations.values().sum()
    }

    pub fn entitlement_rows(&self) -> usize {
        self.entitlements.values().sum()
    }
}

fn add<K: Ord>(map: &mut BTreeMap<K, usize>, key: K, n: usize) {
    if n > 0 {
        *map.entry(key).or_default() += n;
    }
}

/// BalkanID's Source Type of an account.
pub fn user_source_type(account_type: &str) -> &'static str {
    match account_type {
        "app" => "service account",
        "customer" => "customer",
        _ => "user",
    }
}

/// Which Entity Type each Source Type is.
pub fn entity_type_of(source_type: &str) -> &'static str {
    match source_type {
        "user" | "service account" | "customer" => "identity",
        "group" | "project-role" | "application-role" => "connection",
        "project" | "site" => "resource",
        other => panic!("an unexpected Source Type {other:?}"),
    }
}

/// The figures the files of an extraction of `t` must show.
pub fn ground_truth(t: &Tenant) -> Counts {
    let mut c = Counts::default();
    let source_type_of = |account_id: &str| {
        user_source_type(
            &t.user(account_id)
                .unwrap_or_else(|| panic!("the tenant has no user {account_id}"))
                .account_type,
        )
    };
    let rel = |c: &mut Counts, privilege: &str, connection_type: &str, n: usize| {
        add(
            &mut c.relations,
            (privilege.to_owned(), connection_type.to_owned()),
            n,
        )
    };

    // Entities.
    add(&mut c.entities, "site".into(), 1);
    for u in &t.users {
        add(&mut c.entities, user_source_type(&u.account_type).into(), 1);
    }

    // Last activity: a row (true or false) per user the organization
    // returns, none for the others.
    let known = t
        .users
        .iter()
        .filter(|u| t.org_account(&u.account_id).is_some())
        .count();
    add(
        &mut c.entitlements,
        access_privilege(DEFAULT_DORMANT_AFTER_DAYS),
        known,
    );
    add(&mut c.entities, "group".into(), t.groups.len());
    add(
        &mut c.entities,
        "application-role".into(),
        t.app_roles.len(),
    );
    add(&mut c.entities, "project".into(), t.projects.len());

    // Group membership, inactive members included.
    for g in &t.groups {
        let members = t.members.get(&g.group_id).map_or(0, Vec::len);
        rel(&mut c, "member", "group", members);
        add(&mut c.entitlements, "member".into(), members);
    }

    // Project roles: one per project and role it has; their actors.
    for p in &t.projects {
        for role in t.roles_of(p) {
            add(&mut c.entities, "project-role".into(), 1);
            rel(&mut c, &role.name, "project-role", 1);
            for actor in t.actors.get(&(p.id.clone(), role.id)).into_iter().flatten() {
                rel(&mut c, "actor", "project-role", 1);
                if let Actor::User(_) = actor {
                    add(&mut c.entitlements, role.name.clone(), 1);
                }
            }
        }
        if p.lead.is_some() {
            rel(&mut c, "project lead", "project", 1);
            add(&mut c.entitlements, "project lead".into(), 1);
        }
    }

    // The site's admins: one relation per site-admin group, a row per member.
    for g in &t.site_admin_groups {
        rel(&mut c, "site-admin", "group", 1);
        let members = t.members.get(g).map_or(0, Vec::len);
        add(&mut c.entitlements, "site-admin".into(), members);
    }

    // Products: the groups that grant each (default groups too, and the
    // groups only the accessType=user tier lists), their admin groups, the site.
    for a in &t.app_roles {
        rel(&mut c, "product", "application-role", 1);
        rel(
            &mut c,
            "product admin",
            "application-role",
            a.admin_groups.len(),
        );
        for g in &a.admin_groups {
            let members = t.members.get(g).map_or(0, Vec::len);
            add(&mut c.entitlements, "product admin".into(), members);
        }
        let granting: BTreeSet<&String> = a
            .groups
            .iter()
            .chain(&a.default_groups)
            .chain(&a.tier_only_groups)
            .collect();
        rel(&mut c, "product access", "application-role", granting.len());
        let mut triples: BTreeSet<(&str, &str)> = BTreeSet::new();
        for g in granting {
            for member in t.members.get(g).into_iter().flatten() {
                triples.insert((member, g));
            }
        }
        add(&mut c.entitlements, "product access".into(), triples.len());
    }

    // Permission grants, once for every project whose scheme holds them.
    for p in &t.projects {
        let Some(scheme) = p
            .scheme_id
            .and_then(|id| t.schemes.iter().find(|s| s.id == id))
        else {
            continue;
        };
        // The groups that administer the project: a grant to the group, or to
        // a role of the project the group is an actor of; a row per member.
        let mut admin_groups: BTreeSet<String> = BTreeSet::new();
        for g in scheme
            .grants
            .iter()
            .filter(|g| g.permission == "ADMINISTER_PROJECTS")
        {
            let key = g.value.as_deref().or(g.parameter.as_deref());
            match (g.holder_type.as_str(), key) {
                ("group", Some(id_or_name)) => {
                    if let Some(group) = t
                        .groups
                        .iter()
                        .find(|x| x.group_id == id_or_name || x.name == id_or_name)
                    {
                        admin_groups.insert(group.group_id.clone());
                    }
                }
                ("projectRole", Some(role)) if has_role(t, p, role) => {
                    let role: u64 = role.parse().unwrap();
                    for actor in t.actors.get(&(p.id.clone(), role)).into_iter().flatten() {
                        if let Actor::Group(group) = actor {
                            admin_groups.insert(group.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        for g in &admin_groups {
            let members = t.members.get(g).map_or(0, Vec::len);
            add(&mut c.entitlements, "ADMINISTER_PROJECTS".into(), members);
        }
        for g in &scheme.grants {
            let key = g.value.as_deref().or(g.parameter.as_deref());
            match (g.holder_type.as_str(), key) {
                ("group", Some(_)) => rel(&mut c, &g.permission, "group", 1),
                ("user", Some(account)) => rel(&mut c, &g.permission, source_type_of(account), 1),
                ("projectRole", Some(role)) if has_role(t, p, role) => {
                    rel(&mut c, &g.permission, "project-role", 1)
                }
                ("applicationRole", Some(_)) => rel(&mut c, &g.permission, "application-role", 1),
                ("applicationRole", None) => {
                    rel(&mut c, &g.permission, "application-role", t.app_roles.len())
                }
                ("projectLead", _) if p.lead.is_some() => rel(
                    &mut c,
                    &g.permission,
                    source_type_of(p.lead.as_deref().unwrap()),
                    1,
                ),
                _ => c.conditional_grants += 1,
            }
        }
    }
    c
}

fn has_role(t: &Tenant, p: &Project, role: &str) -> bool {
    t.roles_of(p).iter().any(|r| r.id.to_string() == role)
}

/// Parses RFC 4180 text whose records end in CRLF, panicking on anything
/// else: a bare CR or LF outside quotes, a stray quote, a missing final CRLF.
pub fn parse_csv(name: &str, text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let (mut quoted, mut was_quoted) = (false, false);
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                c => cell.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(cell.is_empty() && !was_quoted, "{name}: a stray quote");
                quoted = true;
                was_quoted = true;
            }
            ',' => {
                record.push(std::mem::take(&mut cell));
                was_quoted = false;
            }
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "{name}: a CR not before LF");
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
                was_quoted = false;
            }
            '\n' => panic!("{name}: a bare LF ends a line"),
            c => {
                assert!(!was_quoted, "{name}: text after a closing quote");
                cell.push(c);
            }
        }
    }
    assert!(
        !quoted && record.is_empty() && cell.is_empty(),
        "{name}: the last record ends in CRLF"
    );
    records
}

/// The three files of a directory, read and checked for form: UTF-8 with no
/// BOM, CRLF, the exact headers, every row as wide as its header, Metadata
/// one JSON object, App and Source System `jira`, Metadata Version `v1`.
pub struct Files {
    pub entities: Vec<Vec<String>>,
    pub relations: Vec<Vec<String>>,
    pub entitlements: Vec<Vec<String>>,
    pub sizes: [(String, u64); 3],
}

impl Files {
    pub fn read(dir: &Path) -> Self {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["entities.csv", "entitlements.csv", "entity_relations.csv"],
            "exactly the three files, no temporary file left"
        );
        let read = |name: &str, header: &str| {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{name}: no BOM");
            let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{name}: UTF-8"));
            assert!(
                text.starts_with(&format!("{header}\r\n")),
                "{name}: the header"
            );
            let rows = parse_csv(name, &text);
            let width = rows[0].len();
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(row.len(), width, "{name} row {i}: {row:?}");
            }
            (rows, text.len() as u64)
        };
        let (entities, e) = read("entities.csv", ENTITIES_HEADER);
        let (relations, r) = read("entity_relations.csv", RELATIONS_HEADER);
        let (entitlements, n) = read("entitlements.csv", ENTITLEMENTS_HEADER);
        for row in entities.iter().skip(1) {
            assert_eq!(
                (&*row[0], &*row[3], &*row[6]),
                ("jira", "jira", "v1"),
                "{row:?}"
            );
            assert!(metadata(&row[7]).is_object(), "{row:?}");
        }
        for row in relations.iter().skip(1) {
            assert_eq!(
                (&*row[0], &*row[5], &*row[6]),
                ("jira", "jira", "v1"),
                "{row:?}"
            );
        }
        Files {
            entities,
            relations,
            entitlements,
            sizes: [
                ("entities.csv".into(), e),
                ("entity_relations.csv".into(), r),
                ("entitlements.csv".into(), n),
            ],
        }
    }

    /// Checks what ties the files together and counts them: (Entity Type,
    /// Source ID) unique, each Source Type of its Entity Type, every
    /// relation's ends among the entities with the types it states, every
    /// relation's metadata naming the site and a true privilege, every
    /// entitlement's user among the identities with its e-mail and name,
    /// its value `true` (`true` or `false` for `access in last N days`).
    pub fn check_and_count(&self, site_url: &str) -> Counts {
        let mut c = Counts::default();
        let mut by_key: HashMap<(&str, &str), &Vec<String>> = HashMap::new();
        for row in self.entities.iter().skip(1) {
            let (entity_type, id, source_type) = (&*row[2], &*row[4], &*row[5]);
            assert_eq!(entity_type_of(source_type), entity_type, "{row:?}");
            assert!(
                by_key.insert((entity_type, id), row).is_none(),
                "(Entity Type, Source ID) ({entity_type}, {id}) twice"
            );
            add(&mut c.entities, source_type.to_owned(), 1);
            if source_type == "project" {
                let meta = metadata(&row[7]);
                c.conditional_grants += meta
                    .get("conditionalGrants")
                    .map_or(0, |g| g.as_array().expect("an array").len());
            }
        }
        for row in self.relations.iter().skip(1) {
            for (id, entity_type) in [(&row[1], &row[2]), (&row[3], &row[4])] {
                assert!(
                    by_key.contains_key(&(entity_type.as_str(), id.as_str())),
                    "the relation {row:?} names ({entity_type}, {id}), which is not in entities.csv"
                );
            }
            let meta = metadata(&row[7]);
            assert_eq!(meta["project"], site_url, "{row:?}");
            assert_eq!(meta["privilegeValue"], true, "{row:?}");
            let text = |k: &str| {
                meta[k]
                    .as_str()
                    .unwrap_or_else(|| panic!("{k} in {row:?}"))
                    .to_owned()
            };
            add(
                &mut c.relations,
                (text("privilegeName"), text("connectionType")),
                1,
            );
        }
        for row in self.entitlements.iter().skip(1) {
            assert_eq!(row[0], site_url, "{row:?}");
            if is_activity(&row[1]) {
                assert!(row[2] == "true" || row[2] == "false", "{row:?}");
            } else {
                assert_eq!(row[2], "true", "{row:?}");
            }
            let identity = by_key
                .get(&("identity", row[4].as_str()))
                .unwrap_or_else(|| panic!("the entitlement {row:?} names an unknown identity"));
            assert_eq!(row[6], identity[1], "Name is the identity's: {row:?}");
            let email = metadata(&identity[7])["email"].as_str().map(str::to_owned);
            assert_eq!(row[3], email.clone().unwrap_or_default(), "{row:?}");
            assert_eq!(row[5], email.unwrap_or_else(|| row[4].clone()), "{row:?}");
            for (name, kind) in [(&row[7], &row[8]), (&row[9], &row[10])] {
                assert_eq!(
                    name.is_empty(),
                    kind.is_empty(),
                    "pairs filled together: {row:?}"
                );
            }
            add(&mut c.entitlements, row[1].clone(), 1);
        }
        c
    }
}

/// Whether a Privilege Name is the last-activity one, whose value may be
/// `false` (`access in last N days`).
fn is_activity(privilege: &str) -> bool {
    privilege
        .strip_prefix("access in last ")
        .and_then(|rest| rest.strip_suffix(" days"))
        .is_some_and(|n| n.parse::<u32>().is_ok())
}

fn metadata(cell: &str) -> Value {
    serde_json::from_str(cell).unwrap_or_else(|e| panic!("Metadata {cell:?}: {e}"))
}

/// Compares `got` with `want`, naming every figure that differs.
pub fn assert_counts(what: &str, got: &Counts, want: &Counts) {
    let mut wrong: Vec<String> = Vec::new();
    let mut compare = |part: &str, g: BTreeMap<String, usize>, w: BTreeMap<String, usize>| {
        let keys: BTreeSet<&String> = g.keys().chain(w.keys()).collect();
        for k in keys {
            let (a, b) = (
                g.get(k).copied().unwrap_or(0),
                w.get(k).copied().unwrap_or(0),
            );
            if a != b {
                wrong.push(format!("{part} {k}: got {a}, expected {b}"));
            }
        }
    };
    compare("entities", got.entities.clone(), want.entities.clone());
    let pairs = |m: &BTreeMap<(String, String), usize>| {
        m.iter()
            .map(|((p, t), n)| (format!("{p:?} / {t:?}"), *n))
            .collect()
    };
    compare("relations", pairs(&got.relations), pairs(&want.relations));
    compare(
        "entitlements",
        got.entitlements.clone(),
        want.entitlements.clone(),
    );
    if got.conditional_grants != want.conditional_grants {
        wrong.push(format!(
            "conditionalGrants: got {}, expected {}",
            got.conditional_grants, want.conditional_grants
        ));
    }
    assert!(wrong.is_empty(), "{what}:\n  {}", wrong.join("\n  "));
}

/// The Python script that reads the three files with the `csv` module and
/// prints their counts as JSON; it exits non-zero on any fault of form.
pub const PYTHON_CHECK: &str = r#"
import csv, io, json, re, sys
d = sys.argv[1]
site = sys.argv[2]
headers = {
    "entities.csv": ["App","Name","Entity Type","Source System","Source ID","Source Type","Metadata Version","Metadata"],
    "entity_relations.csv": ["App","Parent Entity Source ID","Parent Entity Type","Entity Source ID","Entity Type","Source System","Metadata Version","Metadata"],
    "entitlements.csv": ["Project","Privilege Name","Privilege Value","Email","User ID","Username","Name","Connection","Connection Type","Resource","Resource Type"],
}
rows = {}
for name, header in headers.items():
    raw = open(f"{d}/{name}", "rb").read()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{name}: a BOM"
    text = raw.decode("utf-8")
    got = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert got[0] == header, f"{name}: header {got[0]}"
    assert all(len(r) == len(header) for r in got), f"{name}: a row of another width"
    # Written again with minimal quoting and CRLF, the rows give the same bytes:
    # the file is RFC 4180 with CRLF line ends throughout.
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerows(got)
    assert out.getvalue() == text, f"{name}: not minimal RFC 4180 with CRLF"
    rows[name] = got[1:]

types = {"user": "identity", "service account": "identity", "customer": "identity",
         "group": "connection", "project-role": "connection", "application-role": "connection",
         "project": "resource", "site": "resource"}
keys = set()
entities, conditional = {}, 0
for r in rows["entities.csv"]:
    assert (r[0], r[3], r[6]) == ("jira", "jira", "v1"), r
    assert types[r[5]] == r[2], r
    assert (r[2], r[4]) not in keys, f"(Entity Type, Source ID) twice: {r[2]}, {r[4]}"
    keys.add((r[2], r[4]))
    entities[r[5]] = entities.get(r[5], 0) + 1
    meta = json.loads(r[7])
    assert isinstance(meta, dict), r
    if r[5] == "project":
        conditional += len(meta.get("conditionalGrants", []))
relations = {}
for r in rows["entity_relations.csv"]:
    assert (r[2], r[1]) in keys, f"parent {r[2]} {r[1]} is not an entity"
    assert (r[4], r[3]) in keys, f"child {r[4]} {r[3]} is not an entity"
    meta = json.loads(r[7])
    assert meta["project"] == site and meta["privilegeValue"] is True, r
    k = meta["privilegeName"] + "\t" + meta["connectionType"]
    relations[k] = relations.get(k, 0) + 1
entitlements = {}
for r in rows["entitlements.csv"]:
    activity = re.fullmatch(r"access in last [0-9]+ days", r[1]) is not None
    assert r[0] == site and (r[2] == "true" or (activity and r[2] == "false")), r
    assert ("identity", r[4]) in keys, f"unknown identity {r[4]}"
    entitlements[r[1]] = entitlements.get(r[1], 0) + 1
print(json.dumps({"entities": entities, "relations": relations,
                  "entitlements": entitlements, "conditional": conditional}))
"#;

/// Runs [`PYTHON_CHECK`] on `dir` and returns the counts it read.
pub fn python_counts(dir: &Path, site_url: &str) -> Counts {
    let output = std::process::Command::new("python3")
        .args(["-c", PYTHON_CHECK])
        .arg(dir)
        .arg(site_url)
        .output()
        .expect("python3 is on PATH (this test is ignored by default because it needs it)");
    assert!(
        output.status.success(),
        "python's csv module refused the files:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let v: Value = serde_json::from_slice(&output.stdout).unwrap();
    let map = |v: &Value| -> BTreeMap<String, usize> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, n)| (k.clone(), n.as_u64().unwrap() as usize))
            .collect()
    };
    Counts {
        entities: map(&v["entities"]),
        relations: map(&v["relations"])
            .into_iter()
            .map(|(k, n)| {
                let (p, t) = k.split_once('\t').unwrap();
                ((p.to_owned(), t.to_owned()), n)
            })
            .collect(),
        entitlements: map(&v["entitlements"]),
        conditional_grants: v["conditional"].as_u64().unwrap() as usize,
    }
}
