//! `--format balkanid --out DIR`: the three files of BalkanID's upload,
//! `entities.csv`, `entity_relations.csv` and `entitlements.csv`, in UTF-8
//! without a BOM, with CRLF line ends and RFC 4180 quoting.
//!
//! Only what BalkanID's model holds is written: entities with a
//! classification, relations with a privilege, and every entitlement.
//! [`render`] builds the three files in memory and checks them first (both
//! ends of every relation delivered and classified, each (Entity Type,
//! Source ID) naming one entity, every entitlement's identity delivered);
//! [`write`] then puts them in place together, so a failed run leaves none
//! of the three behind and an earlier run's files as they were.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use extractor_jira::domain::{self, Class};
use extractor_jira::error::printable;
use extractor_jira::record::{self, EntityParts as _, RelationParts as _};
use extractor_jira::time;
use serde_json::{Map, Value as Json, json};

use crate::runtime::Extracted;
use crate::runtime::types::{Entitlement, Entity, Labelled, Relation, Value};

pub const ENTITIES_FILE: &str = "entities.csv";
pub const RELATIONS_FILE: &str = "entity_relations.csv";
pub const ENTITLEMENTS_FILE: &str = "entitlements.csv";

pub const ENTITIES_HEADER: [&str; 8] = [
    "App",
    "Name",
    "Entity Type",
    "Source System",
    "Source ID",
    "Source Type",
    "Metadata Version",
    "Metadata",
];
pub const RELATIONS_HEADER: [&str; 8] = [
    "App",
    "Parent Entity Source ID",
    "Parent Entity Type",
    "Entity Source ID",
    "Entity Type",
    "Source System",
    "Metadata Version",
    "Metadata",
];
pub const ENTITLEMENTS_HEADER: [&str; 11] = [
    "Project",
    "Privilege Name",
    "Privilege Value",
    "Email",
    "User ID",
    "Username",
    "Name",
    "Connection",
    "Connection Type",
    "Resource",
    "Resource Type",
];

/// The `App` column: the application's slug.
pub const APP: &str = "jira";
/// The `Source System` column.
pub const SOURCE_SYSTEM: &str = "jira";
/// The `Metadata Version` column: the only version BalkanID documents.
pub const METADATA_VERSION: &str = "v1";

/// The three files, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub entities: String,
    pub relations: String,
    pub entitlements: String,
}

impl Files {
    /// Each file's name and text.
    pub fn each(&self) -> [(&'static str, &str); 3] {
        [
            (ENTITIES_FILE, &self.entities),
            (RELATIONS_FILE, &self.relations),
            (ENTITLEMENTS_FILE, &self.entitlements),
        ]
    }
}

/// Which end of a relation: BalkanID's parent (the relation's source, the
/// holder) or its child (the target, what is held).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Parent,
    Child,
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            End::Parent => "parent",
            End::Child => "child",
        })
    }
}

/// Why the files were not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A relation with a privilege names an entity the extraction did not
    /// deliver.
    #[error(
        "The {relation} relation from {from} to {to} gives a privilege, but its {end}, {kind} \"{id}\", was not delivered. BalkanID needs both ends of a relation among the entities."
    )]
    MissingEnd {
        relation: String,
        from: String,
        to: String,
        end: End,
        kind: String,
        id: String,
    },
    /// A relation with a privilege names an entity that has no
    /// classification, so is not among BalkanID's entities.
    #[error(
        "The {relation} relation from {from} to {to} gives a privilege, but its {end}, {kind} \"{id}\", has no BalkanID classification. BalkanID needs both ends of a relation among the entities."
    )]
    UnclassifiedEnd {
        relation: String,
        from: String,
        to: String,
        end: End,
        kind: String,
        id: String,
    },
    /// Two different entities would share an (Entity Type, Source ID) pair,
    /// which is how BalkanID tells entities apart.
    #[error(
        "Two different entities have Entity Type {entity_type} and Source ID \"{source_id}\": {first} and {second}. BalkanID tells entities apart by that pair."
    )]
    DuplicateSourceId {
        entity_type: &'static str,
        source_id: String,
        first: String,
        second: String,
    },
    /// An entitlement names an identity that was not delivered.
    #[error(
        "An entitlement to \"{privilege}\" names the identity \"{identity}\", which is not among the delivered identities."
    )]
    UnknownIdentity { identity: String, privilege: String },
    /// A file's destination is a directory, which the file cannot replace.
    #[error(
        "The path {} is a directory, so {file} cannot be written there. Remove it or choose another --out.",
        path.display()
    )]
    TargetIsDirectory { path: PathBuf, file: &'static str },
    /// The filesystem refused.
    #[error("Could not {action} {}: {error}.", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Quotes a field when RFC 4180 requires it: a comma, a quote, CR or LF.
pub fn field(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\"")).into()
    } else {
        value.into()
    }
}

/// Appends one record: the fields quoted as needed, commas, CRLF.
fn push_line<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(f.as_ref()));
    }
    out.push_str("\r\n");
}

/// A file: its header, then `rows` in order with exact repeats removed.
fn table<S: AsRef<str>, const N: usize>(header: &[&str; N], rows: &[[S; N]]) -> String {
    let mut out = String::with_capacity(64 * (rows.len() + 1));
    push_line(&mut out, header);
    let mut previous: Option<&[S; N]> = None;
    for row in rows {
        let repeat = previous.is_some_and(|p| {
            p.iter()
                .zip(row.iter())
                .all(|(a, b)| a.as_ref() == b.as_ref())
        });
        if !repeat {
            push_line(&mut out, row);
        }
        previous = Some(row);
    }
    out
}

/// `kind "id"`, for messages.
fn named(kind: &str, id: &str) -> String {
    format!("{} \"{}\"", printable(kind), printable(id))
}

/// `kind "id" named "name"`, for messages.
fn described(e: &Entity) -> String {
    let name = e.balkanid.as_ref().map_or(&e.name, |c| &c.name);
    format!("{} named \"{}\"", named(&e.kind, &e.id), printable(name))
}

fn metadata(object: Map<String, Json>) -> String {
    Json::Object(object).to_string()
}

/// What [`render`] knows of the delivered entities.
struct Index<'a> {
    /// Every delivered entity's (kind, id).
    delivered: HashSet<(&'a str, &'a str)>,
    /// Classified entities by (kind, id), with their class.
    classified: HashMap<(&'a str, &'a str), (Class, &'a Entity)>,
    /// Identities by id.
    identities: HashMap<&'a str, &'a Entity>,
}

impl<'a> Index<'a> {
    fn new(entities: &[&'a Entity]) -> Result<Self, ExportError> {
        let mut index = Index {
            delivered: HashSet::new(),
            classified: HashMap::new(),
            identities: HashMap::new(),
        };
        let mut by_source: BTreeMap<(Class, &str), &Entity> = BTreeMap::new();
        for &e in entities {
            index.delivered.insert((&e.kind, &e.id));
            let Some(c) = &e.balkanid else { continue };
            let class = Class::from(c.class);
            match by_source.entry((class, &e.id)) {
                Entry::Occupied(first) => {
                    return Err(ExportError::DuplicateSourceId {
                        entity_type: class.as_str(),
                        source_id: printable(&e.id),
                        first: described(first.get()),
                        second: described(e),
                    });
                }
                Entry::Vacant(slot) => {
                    slot.insert(e);
                }
            }
            index.classified.insert((&e.kind, &e.id), (class, e));
            if class == Class::Identity {
                index.identities.insert(&e.id, e);
            }
        }
        Ok(index)
    }

    /// The class of a relation's `end`, which must be delivered and classified.
    fn class_of(&self, r: &Relation, end: End) -> Result<Class, ExportError> {
        let at = match end {
            End::Parent => &r.source,
            End::Child => &r.target,
        };
        if let Some((class, _)) = self.classified.get(&(at.kind.as_str(), at.id.as_str())) {
            return Ok(*class);
        }
        let (relation, from, to, kind, id) = (
            printable(&r.kind),
            named(&r.source.kind, &r.source.id),
            named(&r.target.kind, &r.target.id),
            printable(&at.kind),
            printable(&at.id),
        );
        Err(
            if self.delivered.contains(&(at.kind.as_str(), at.id.as_str())) {
                ExportError::UnclassifiedEnd {
                    relation,
                    from,
                    to,
                    end,
                    kind,
                    id,
                }
            } else {
                ExportError::MissingEnd {
                    relation,
                    from,
                    to,
                    end,
                    kind,
                    id,
                }
            },
        )
    }
}

/// Renders the three files, after checking that BalkanID can take them.
/// `site_url` (the site's own URL, as `configure` answered, e.g.
/// `https://acme.atlassian.net`) is every relation's and entitlement's
/// `project`. Rows are sorted and exact repeats removed, so two runs over
/// the same tenant give identical bytes.
pub fn render(extracted: &Extracted, site_url: &str) -> Result<Files, ExportError> {
    let sorted = super::sorted(extracted);
    let index = Index::new(&sorted.entities)?;
    Ok(Files {
        entities: entities(&sorted.entities),
        relations: relations(&sorted.relations, &index, site_url)?,
        entitlements: entitlements(&sorted.entitlements, &index, site_url)?,
    })
}

/// Attributes as BalkanID's Metadata holds them: as in the JSON document,
/// but a point in time in BalkanID's layout (`2006-01-02 15:04:05 +0000 UTC`).
fn balkanid_attributes<'a>(
    attrs: impl Iterator<Item = (&'a str, std::borrow::Cow<'a, domain::Value>)>,
) -> Map<String, Json> {
    attrs
        .map(|(k, v)| {
            let value = match &*v {
                domain::Value::Timestamp(at) => json!(time::balkanid(*at)),
                domain::Value::Timestamps(list) => list
                    .iter()
                    .map(|(label, at)| json!(format!("{label}={}", time::balkanid(*at))))
                    .collect(),
                other => record::value(other),
            };
            (k.to_owned(), value)
        })
        .collect()
}

/// `entities.csv`: one row per classified entity, in (Entity Type, Source
/// Type, Source ID) order; Metadata is the entity's attributes.
fn entities(list: &[&Entity]) -> String {
    let mut rows: Vec<[String; 8]> = list
        .iter()
        .filter_map(|e| {
            let (class, source_type, name) = e.classification()?;
            Some([
                APP.to_owned(),
                name.to_owned(),
                class.as_str().to_owned(),
                SOURCE_SYSTEM.to_owned(),
                e.id.clone(),
                source_type.to_owned(),
                METADATA_VERSION.to_owned(),
                metadata(balkanid_attributes(e.attributes())),
            ])
        })
        .collect();
    rows.sort_by(|a, b| {
        (&a[2], &a[5], &a[4])
            .cmp(&(&b[2], &b[5], &b[4]))
            .then(a.cmp(b))
    });
    table(&ENTITIES_HEADER, &rows)
}

/// `entity_relations.csv`: one row per relation with a privilege, in
/// (parent, child, metadata) order. Metadata is `project`, `privilegeName`,
/// `privilegeValue` (always true), `connectionType`, then the relation's
/// own attributes (one named like those four is left out).
fn relations(list: &[&Relation], index: &Index, site_url: &str) -> Result<String, ExportError> {
    let mut rows: Vec<[String; 8]> = Vec::new();
    for &r in list {
        let Some((privilege, connection_type)) = r.privilege() else {
            continue;
        };
        let parent = index.class_of(r, End::Parent)?;
        let child = index.class_of(r, End::Child)?;
        let mut meta = Map::new();
        meta.insert("project".into(), json!(site_url));
        meta.insert("privilegeName".into(), json!(privilege));
        meta.insert("privilegeValue".into(), json!(true));
        meta.insert("connectionType".into(), json!(connection_type));
        for (k, v) in balkanid_attributes(r.attributes()) {
            meta.entry(k).or_insert(v);
        }
        rows.push([
            APP.to_owned(),
            r.source.id.clone(),
            parent.as_str().to_owned(),
            r.target.id.clone(),
            child.as_str().to_owned(),
            SOURCE_SYSTEM.to_owned(),
            METADATA_VERSION.to_owned(),
            metadata(meta),
        ]);
    }
    rows.sort_by(|a, b| {
        (&a[2], &a[1], &a[4], &a[3], &a[7]).cmp(&(&b[2], &b[1], &b[4], &b[3], &b[7]))
    });
    Ok(table(&RELATIONS_HEADER, &rows))
}

/// `entitlements.csv`: one row per entitlement, in (User ID, Privilege Name,
/// Connection, Resource) order. The e-mail, username and name come from the
/// identity's entity; the username is the e-mail when it is visible, else
/// the account id.
fn entitlements(
    list: &[&Entitlement],
    index: &Index,
    site_url: &str,
) -> Result<String, ExportError> {
    let pair = |l: &Option<Labelled>| {
        l.as_ref().map_or((String::new(), String::new()), |l| {
            (l.name.clone(), l.kind.clone())
        })
    };
    let mut rows: Vec<[String; 11]> = Vec::with_capacity(list.len());
    for &e in list {
        let Some(identity) = index.identities.get(e.identity.as_str()) else {
            return Err(ExportError::UnknownIdentity {
                identity: printable(&e.identity),
                privilege: printable(&e.privilege_name),
            });
        };
        let email = identity
            .attributes
            .iter()
            .find(|a| a.name == "email")
            .and_then(|a| match &a.value {
                Value::Text(s) => Some(s.as_str()),
                _ => None,
            });
        let name = identity
            .balkanid
            .as_ref()
            .map_or(identity.name.as_str(), |c| c.name.as_str());
        let (connection, connection_type) = pair(&e.connection);
        let (resource, resource_type) = pair(&e.resource);
        rows.push([
            site_url.to_owned(),
            e.privilege_name.clone(),
            e.privilege_value.to_string(),
            email.unwrap_or_default().to_owned(),
            e.identity.clone(),
            email.unwrap_or(&e.identity).to_owned(),
            name.to_owned(),
            connection,
            connection_type,
            resource,
            resource_type,
        ]);
    }
    rows.sort_by(|a, b| {
        (&a[4], &a[1], &a[8], &a[7], &a[10], &a[9])
            .cmp(&(&b[4], &b[1], &b[8], &b[7], &b[10], &b[9]))
            .then(a.cmp(b))
    });
    Ok(table(&ENTITLEMENTS_HEADER, &rows))
}

/// Renders the three files and puts them in `dir` (created if missing), all
/// or none: nothing is written when a check fails; each file is written to
/// a temporary file in `dir` and synced, and only when all three are
/// complete are they renamed into place. If a rename fails, the files
/// already renamed are put back as they were.
pub fn write(extracted: &Extracted, site_url: &str, dir: &Path) -> Result<(), ExportError> {
    let files = render(extracted, site_url)?;
    install(&files, dir)
}

/// Writes `files` into `dir`, all or none (see [`write`]).
pub fn install(files: &Files, dir: &Path) -> Result<(), ExportError> {
    install_with(files, dir, |from, to| std::fs::rename(from, to))
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ExportError {
    let path = path.to_owned();
    move |error| ExportError::Io {
        action,
        path,
        error,
    }
}

/// One file on its way into place: its temporary copy, its destination and,
/// when the destination held an earlier file, a second name for that file.
struct Staged {
    temp: PathBuf,
    target: PathBuf,
    backup: Option<PathBuf>,
}

/// [`install`], renaming with `rename` (a test makes one fail).
fn install_with(
    files: &Files,
    dir: &Path,
    rename: impl FnMut(&Path, &Path) -> std::io::Result<()>,
) -> Result<(), ExportError> {
    std::fs::create_dir_all(dir).map_err(io("create the directory", dir))?;
    let pid = std::process::id();
    let mut staged: Vec<Staged> = Vec::new();
    for (name, _) in files.each() {
        let target = dir.join(name);
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
            return Err(ExportError::TargetIsDirectory {
                path: target,
                file: name,
            });
        }
        staged.push(Staged {
            temp: dir.join(format!(".{name}.{pid}.tmp")),
            target,
            backup: None,
        });
    }
    let result = swap_in(files, dir, &mut staged, rename);
    // Whatever happened, no temporary file or second name is left behind.
    for s in &staged {
        let _ = std::fs::remove_file(&s.temp);
        if let Some(backup) = &s.backup {
            let _ = std::fs::remove_file(backup);
        }
    }
    result?;
    // The renames are durable once the directory is synced.
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("sync the directory", dir))
}

/// Writes and syncs the temporary files, keeps each earlier file under a
/// second name, then renames the three into place; if a rename fails, puts
/// back what the earlier ones replaced.
fn swap_in(
    files: &Files,
    dir: &Path,
    staged: &mut [Staged],
    mut rename: impl FnMut(&Path, &Path) -> std::io::Result<()>,
) -> Result<(), ExportError> {
    for (s, (_, text)) in staged.iter().zip(files.each()) {
        let mut file = File::create(&s.temp).map_err(io("create", &s.temp))?;
        file.write_all(text.as_bytes())
            .map_err(io("write", &s.temp))?;
        file.sync_all().map_err(io("sync", &s.temp))?;
    }
    let pid = std::process::id();
    for s in staged.iter_mut() {
        if std::fs::symlink_metadata(&s.target).is_err() {
            continue;
        }
        let name = s.target.file_name().unwrap_or_default().to_string_lossy();
        let backup = dir.join(format!(".{name}.{pid}.old"));
        let _ = std::fs::remove_file(&backup);
        std::fs::hard_link(&s.target, &backup)
            .or_else(|_| std::fs::copy(&s.target, &backup).map(drop))
            .map_err(io("keep a copy of", &s.target))?;
        s.backup = Some(backup);
    }
    for i in 0..staged.len() {
        if let Err(e) = rename(&staged[i].temp, &staged[i].target) {
            for s in &staged[..i] {
                let _ = match &s.backup {
                    Some(backup) => std::fs::rename(backup, &s.target),
                    None => std::fs::remove_file(&s.target),
                };
            }
            return Err(io("move into place", &staged[i].target)(e));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::types::{
        Attribute, Classification, EntityClass, EntityRef, Labelled, Privilege,
    };

    const SITE: &str = "https://acme.atlassian.net";

    fn attr(name: &str, value: Value) -> Attribute {
        Attribute {
            name: name.into(),
            value,
        }
    }

    fn entity(
        kind: &str,
        id: &str,
        class: Option<(EntityClass, &str, &str)>,
        attributes: Vec<Attribute>,
    ) -> Entity {
        Entity {
            kind: kind.into(),
            id: id.into(),
            name: class.map_or(id, |c| c.2).into(),
            attributes,
            balkanid: class.map(|(class, source_type, name)| Classification {
                class,
                source_type: source_type.into(),
                name: name.into(),
            }),
        }
    }

    fn relation(
        kind: &str,
        from: (&str, &str),
        to: (&str, &str),
        privilege: Option<(&str, &str)>,
        attributes: Vec<Attribute>,
    ) -> Relation {
        let end = |(kind, id): (&str, &str)| EntityRef {
            kind: kind.into(),
            id: id.into(),
        };
        Relation {
            kind: kind.into(),
            source: end(from),
            target: end(to),
            attributes,
            privilege: privilege.map(|(name, connection_type)| Privilege {
                name: name.into(),
                connection_type: connection_type.into(),
            }),
        }
    }

    fn label(name: &str, kind: &str) -> Option<Labelled> {
        Some(Labelled {
            name: name.into(),
            kind: kind.into(),
        })
    }

    /// A small site: a user with a tricky name, one with a hidden e-mail, a
    /// group with a comma, quotes and a line break in its name, a project
    /// with a JSON attribute, a role (unclassified), and relations of both
    /// kinds.
    fn sample() -> Extracted {
        Extracted {
            entities: vec![
                entity(
                    "user",
                    "u1",
                    Some((EntityClass::Identity, "user", "Doe, \"Jo\"")),
                    vec![
                        attr("email", Value::Text("jo@acme.example".into())),
                        attr("active", Value::Boolean(true)),
                    ],
                ),
                entity(
                    "user",
                    "u2",
                    Some((EntityClass::Identity, "service account", "Bot")),
                    vec![attr("email", Value::Null)],
                ),
                entity(
                    "group",
                    "g1",
                    Some((
                        EntityClass::Connection,
                        "group",
                        "Support, \"Tier 2\"\nnight",
                    )),
                    vec![],
                ),
                entity(
                    "project",
                    "10000",
                    Some((EntityClass::Resource, "project", "Example")),
                    vec![
                        attr("key", Value::Text("EX".into())),
                        attr(
                            "conditionalGrants",
                            Value::Json(
                                r#"[{"permission":"EDIT_ISSUES","holderType":"reporter"}]"#.into(),
                            ),
                        ),
                    ],
                ),
                entity("role", "10002", None, vec![]),
                // Delivered twice, exactly alike: written once.
                entity(
                    "user",
                    "u2",
                    Some((EntityClass::Identity, "service account", "Bot")),
                    vec![attr("email", Value::Null)],
                ),
            ],
            relations: vec![
                relation(
                    "member-of",
                    ("user", "u1"),
                    ("group", "g1"),
                    Some(("member", "group")),
                    vec![],
                ),
                relation(
                    "permitted-on",
                    ("group", "g1"),
                    ("project", "10000"),
                    Some(("BROWSE_PROJECTS", "group")),
                    vec![
                        attr("schemeId", Value::Text("0".into())),
                        attr("grantId", Value::Text("10100".into())),
                    ],
                ),
                relation(
                    "instance-of",
                    ("role", "10002"),
                    ("role", "gone"),
                    None,
                    vec![],
                ),
            ],
            entitlements: vec![
                Entitlement {
                    identity: "u2".into(),
                    privilege_name: "project lead".into(),
                    privilege_value: true,
                    connection: None,
                    resource: label("EX", "project"),
                },
                Entitlement {
                    identity: "u1".into(),
                    privilege_name: "member".into(),
                    privilege_value: true,
                    connection: label("Support, \"Tier 2\"\nnight", "group"),
                    resource: None,
                },
                Entitlement {
                    identity: "u1".into(),
                    privilege_name: "member".into(),
                    privilege_value: true,
                    connection: label("Support, \"Tier 2\"\nnight", "group"),
                    resource: None,
                },
            ],
            batches: 1,
        }
    }

    #[test]
    fn field_quotes_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\r"), "\"cr\r\"");
        assert_eq!(field("café ü"), "café ü");
        assert_eq!(field(""), "");
    }

    /// Parses RFC 4180 text with CRLF record ends: records of fields.
    fn parse(text: &str) -> Vec<Vec<String>> {
        let (mut records, mut record, mut cell) = (Vec::new(), Vec::new(), String::new());
        let mut chars = text.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') => quoted = true,
                (false, ',') => record.push(std::mem::take(&mut cell)),
                (false, '\r') => {
                    assert_eq!(chars.next(), Some('\n'), "CR only before LF");
                    record.push(std::mem::take(&mut cell));
                    records.push(std::mem::take(&mut record));
                }
                (false, c) => {
                    assert_ne!(c, '\n', "a bare LF outside quotes");
                    cell.push(c);
                }
            }
        }
        assert!(
            !quoted && record.is_empty() && cell.is_empty(),
            "ends in CRLF"
        );
        records
    }

    #[test]
    fn the_three_files_have_their_headers_rows_and_crlf() {
        let files = render(&sample(), SITE).unwrap();
        let grants = r#"{"key":"EX","conditionalGrants":[{"permission":"EDIT_ISSUES","holderType":"reporter"}]}"#;
        assert_eq!(
            files.entities,
            format!(
                "App,Name,Entity Type,Source System,Source ID,Source Type,Metadata Version,Metadata\r\n\
                 jira,\"Support, \"\"Tier 2\"\"\nnight\",connection,jira,g1,group,v1,{{}}\r\n\
                 jira,Bot,identity,jira,u2,service account,v1,\"{{\"\"email\"\":null}}\"\r\n\
                 jira,\"Doe, \"\"Jo\"\"\",identity,jira,u1,user,v1,\"{{\"\"email\"\":\"\"jo@acme.example\"\",\"\"active\"\":true}}\"\r\n\
                 jira,Example,resource,jira,10000,project,v1,\"{}\"\r\n",
                grants.replace('"', "\"\"")
            )
        );
        assert_eq!(
            files.relations,
            "App,Parent Entity Source ID,Parent Entity Type,Entity Source ID,Entity Type,Source System,Metadata Version,Metadata\r\n\
             jira,g1,connection,10000,resource,jira,v1,\"{\"\"project\"\":\"\"https://acme.atlassian.net\"\",\"\"privilegeName\"\":\"\"BROWSE_PROJECTS\"\",\"\"privilegeValue\"\":true,\"\"connectionType\"\":\"\"group\"\",\"\"schemeId\"\":\"\"0\"\",\"\"grantId\"\":\"\"10100\"\"}\"\r\n\
             jira,u1,identity,g1,connection,jira,v1,\"{\"\"project\"\":\"\"https://acme.atlassian.net\"\",\"\"privilegeName\"\":\"\"member\"\",\"\"privilegeValue\"\":true,\"\"connectionType\"\":\"\"group\"\"}\"\r\n"
        );
        assert_eq!(
            files.entitlements,
            "Project,Privilege Name,Privilege Value,Email,User ID,Username,Name,Connection,Connection Type,Resource,Resource Type\r\n\
             https://acme.atlassian.net,member,true,jo@acme.example,u1,jo@acme.example,\"Doe, \"\"Jo\"\"\",\"Support, \"\"Tier 2\"\"\nnight\",group,,\r\n\
             https://acme.atlassian.net,project lead,true,,u2,u2,Bot,,,EX,project\r\n"
        );
        for (name, text) in files.each() {
            assert!(!text.starts_with('\u{feff}'), "{name} has no BOM");
            let records = parse(text);
            assert!(
                records.iter().all(|r| r.len() == records[0].len()),
                "{name}"
            );
        }
        assert_eq!(parse(&files.entities)[1][1], "Support, \"Tier 2\"\nnight");

        // The same records in another order, or delivered again, give the same bytes.
        let mut again = sample();
        again.entities.reverse();
        again.relations.reverse();
        again.entitlements.reverse();
        again.entitlements.extend(sample().entitlements);
        assert_eq!(render(&again, SITE).unwrap(), files);
    }

    #[test]
    fn metadata_is_one_json_object_per_row() {
        let files = render(&sample(), SITE).unwrap();
        let metadata = |text: &str| -> Vec<Json> {
            parse(text)
                .into_iter()
                .skip(1)
                .map(|r| serde_json::from_str(&r[7]).unwrap())
                .collect()
        };
        let relations = metadata(&files.relations);
        assert_eq!(
            relations[0],
            json!({"project": SITE, "privilegeName": "BROWSE_PROJECTS", "privilegeValue": true,
                   "connectionType": "group", "schemeId": "0", "grantId": "10100"})
        );
        assert_eq!(relations[1]["privilegeValue"], json!(true), "a boolean");
        let entities = metadata(&files.entities);
        assert_eq!(entities[0], json!({}));
        assert_eq!(
            entities[3]["conditionalGrants"],
            json!([{"permission": "EDIT_ISSUES", "holderType": "reporter"}]),
            "a json value is embedded as JSON, not as a string"
        );
    }

    #[test]
    fn an_attribute_named_like_a_fixed_key_does_not_replace_it() {
        let mut x = sample();
        x.relations[0]
            .attributes
            .push(attr("privilegeValue", Value::Boolean(false)));
        let files = render(&x, SITE).unwrap();
        let member = &parse(&files.relations)[2];
        let meta: Json = serde_json::from_str(&member[7]).unwrap();
        assert_eq!(meta["privilegeValue"], json!(true));
    }

    #[test]
    fn a_relation_to_an_entity_never_delivered_is_refused() {
        let mut x = sample();
        x.relations.push(relation(
            "member-of",
            ("user", "u1"),
            ("group", "g-gone"),
            Some(("member", "group")),
            vec![],
        ));
        let err = render(&x, SITE).unwrap_err();
        assert!(
            matches!(&err, ExportError::MissingEnd { end: End::Child, id, .. } if id == "g-gone"),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("member-of") && text.contains("child, group \"g-gone\""),
            "{text}"
        );
        assert_eq!(extractor_jira::error::sentence_fault(&text), None, "{text}");

        let mut x = sample();
        x.relations.push(relation(
            "leads",
            ("user", "u-gone"),
            ("project", "10000"),
            Some(("project lead", "project")),
            vec![],
        ));
        assert!(matches!(
            render(&x, SITE).unwrap_err(),
            ExportError::MissingEnd {
                end: End::Parent,
                ..
            }
        ));
    }

    #[test]
    fn a_relation_to_an_unclassified_entity_is_refused() {
        let mut x = sample();
        x.relations.push(relation(
            "assigned",
            ("user", "u1"),
            ("role", "10002"),
            Some(("actor", "project-role")),
            vec![],
        ));
        let err = render(&x, SITE).unwrap_err();
        assert!(
            matches!(&err, ExportError::UnclassifiedEnd { end: End::Child, kind, .. } if kind == "role"),
            "{err:?}"
        );
        assert_eq!(
            extractor_jira::error::sentence_fault(&err.to_string()),
            None,
            "{err}"
        );
    }

    #[test]
    fn two_entities_with_one_entity_type_and_source_id_are_refused() {
        let mut x = sample();
        // A different entity (here: renamed while the run went on) under the same pair.
        x.entities.push(entity(
            "user",
            "u1",
            Some((EntityClass::Identity, "user", "Jo Doe")),
            vec![],
        ));
        let err = render(&x, SITE).unwrap_err();
        assert!(
            matches!(&err, ExportError::DuplicateSourceId { entity_type: "identity", source_id, .. } if source_id == "u1"),
            "{err:?}"
        );
        assert_eq!(
            extractor_jira::error::sentence_fault(&err.to_string()),
            None,
            "{err}"
        );

        // The same id in another class is fine.
        let mut x = sample();
        x.entities.push(entity(
            "project",
            "u1",
            Some((EntityClass::Resource, "project", "Odd")),
            vec![],
        ));
        render(&x, SITE).unwrap();
    }

    #[test]
    fn an_entitlement_of_an_unknown_identity_is_refused() {
        let mut x = sample();
        x.entitlements.push(Entitlement {
            identity: "g1".into(),
            privilege_name: "member".into(),
            privilege_value: true,
            connection: None,
            resource: None,
        });
        let err = render(&x, SITE).unwrap_err();
        assert!(
            matches!(&err, ExportError::UnknownIdentity { identity, .. } if identity == "g1"),
            "{err:?}"
        );
        assert_eq!(
            extractor_jira::error::sentence_fault(&err.to_string()),
            None,
            "{err}"
        );
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "extractor-jira-balkanid-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn write_puts_the_three_files_in_a_new_directory() {
        let dir = scratch("ok").join("nested");
        write(&sample(), SITE, &dir).unwrap();
        assert_eq!(
            listing(&dir),
            ["entities.csv", "entitlements.csv", "entity_relations.csv"]
        );
        let files = render(&sample(), SITE).unwrap();
        for (name, text) in files.each() {
            assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), text);
        }
        std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_check_that_fails_writes_nothing() {
        let dir = scratch("refused");
        let mut x = sample();
        x.entitlements[0].identity = "nobody".into();
        assert!(write(&x, SITE, &dir).is_err());
        assert!(!dir.exists(), "not even the directory");
    }

    #[test]
    fn a_file_that_cannot_be_put_in_place_leaves_the_earlier_files() {
        let dir = scratch("blocked");
        std::fs::create_dir_all(dir.join(RELATIONS_FILE)).unwrap();
        std::fs::write(dir.join(ENTITIES_FILE), "old").unwrap();
        let err = write(&sample(), SITE, &dir).unwrap_err();
        assert!(
            matches!(&err, ExportError::TargetIsDirectory { file, .. } if *file == RELATIONS_FILE),
            "{err:?}"
        );
        assert_eq!(
            extractor_jira::error::sentence_fault(&err.to_string()),
            None,
            "{err}"
        );
        assert_eq!(listing(&dir), [ENTITIES_FILE, RELATIONS_FILE]);
        assert_eq!(
            std::fs::read_to_string(dir.join(ENTITIES_FILE)).unwrap(),
            "old"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_rename_that_fails_midway_puts_back_what_was_there() {
        let dir = scratch("rollback");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(ENTITIES_FILE), "old entities").unwrap();
        let files = render(&sample(), SITE).unwrap();
        let mut renames = 0;
        let err = install_with(&files, &dir, |from, to| {
            renames += 1;
            if renames == 3 {
                Err(std::io::Error::other("disk on fire"))
            } else {
                std::fs::rename(from, to)
            }
        })
        .unwrap_err();
        assert!(
            matches!(
                &err,
                ExportError::Io {
                    action: "move into place",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            extractor_jira::error::sentence_fault(&err.to_string()),
            None,
            "{err}"
        );
        // The earlier entities.csv is back, the new relations file is gone,
        // and no temporary file or backup is left.
        assert_eq!(listing(&dir), [ENTITIES_FILE]);
        assert_eq!(
            std::fs::read_to_string(dir.join(ENTITIES_FILE)).unwrap(),
            "old entities"
        );

        // And without a failure, the new files replace the old one.
        install(&files, &dir).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join(ENTITIES_FILE)).unwrap(),
            files.entities
        );
        assert_eq!(listing(&dir).len(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
