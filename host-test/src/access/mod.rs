//! Who holds what, read back from a JSON document `extract` wrote: a pure
//! resolver over the document's relations, used by `explain` and
//! `privileged`. The document is indexed once ([`Index::parse`]) so each
//! question is a few map look-ups, not a scan of every relation.

mod report;
mod resolve;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use report::{Counts, counts, privileged, privileged_text};
pub use resolve::{explain_project, explain_user};

/// What can go wrong reading a document or answering a question about it.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("the document is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the document has no `{0}` array: is it `extract --format json` output?")]
    Shape(&'static str),
    #[error("no user `{0}` in the document")]
    UnknownUser(String),
    #[error("no project with id or key `{0}` in the document")]
    UnknownProject(String),
}

/// One `permitted-on` relation: a holder granted a permission on a project.
#[derive(Debug, Clone)]
pub(crate) struct Permit {
    pub kind: String,
    pub id: String,
    pub permission: String,
    pub grant: String,
    pub via: Option<String>,
}

/// A grant of the project's scheme that reaches no entity (`conditionalGrants`).
#[derive(Debug, Clone)]
pub(crate) struct Conditional {
    pub permission: String,
    pub holder_type: String,
    pub holder_parameter: serde_json::Value,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ProjectInfo {
    pub key: Option<String>,
    pub scheme: Option<String>,
    pub permits: Vec<Permit>,
    pub conditional: Vec<Conditional>,
}

/// The document, indexed by what the resolution rules look up.
#[derive(Debug, Default)]
pub struct Index {
    /// Account id -> active; BTreeMap so "every user" comes out sorted.
    pub(crate) users: BTreeMap<String, bool>,
    pub(crate) members: HashMap<String, Vec<String>>,
    /// Groups a user belongs to, for answering `--user` without expanding groups.
    pub(crate) groups_of: HashMap<String, BTreeSet<String>>,
    /// project-role id -> its actors as (entity type, id).
    pub(crate) actors: HashMap<String, Vec<(String, String)>>,
    /// Product key -> the groups that grant it (`grants-access`).
    pub(crate) product_groups: HashMap<String, Vec<String>>,
    pub(crate) projects: BTreeMap<String, ProjectInfo>,
    /// (scheme id, permission, holder type) -> grant ids, to name conditional grants.
    pub(crate) grant_ids: HashMap<(String, String, String), BTreeSet<String>>,
    pub(crate) site_admin_groups: BTreeSet<String>,
    pub(crate) product_admin_groups: BTreeMap<String, BTreeSet<String>>,
}

fn s(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Index {
    pub fn parse(text: &str) -> Result<Index, AccessError> {
        let doc: serde_json::Value = serde_json::from_str(text)?;
        Self::from_value(&doc)
    }

    pub fn from_value(doc: &serde_json::Value) -> Result<Index, AccessError> {
        let entities = doc["entities"]
            .as_array()
            .ok_or(AccessError::Shape("entities"))?;
        let relations = doc["relations"]
            .as_array()
            .ok_or(AccessError::Shape("relations"))?;
        let mut ix = Index::default();
        for e in entities {
            ix.add_entity(e);
        }
        for r in relations {
            ix.add_relation(r);
        }
        ix.finish();
        Ok(ix)
    }

    /// Whether `add_entity` keeps anything of an entity of this type, so a
    /// caller streaming records can skip converting the others.
    pub fn wants_entity(kind: &str) -> bool {
        matches!(kind, "user" | "project" | "permission-grant")
    }

    /// Whether `add_relation` keeps anything of a relation of this type.
    pub fn wants_relation(kind: &str) -> bool {
        matches!(
            kind,
            "member-of"
                | "assigned"
                | "grants-access"
                | "uses-scheme"
                | "permitted-on"
                | "grants-site-admin"
                | "grants-admin"
        )
    }

    /// Adds one entity, in the document's JSON shape. Entities and relations
    /// may come in any order; call [`Index::finish`] after the last.
    pub fn add_entity(&mut self, e: &serde_json::Value) {
        let id = s(&e["id"]);
        let a = &e["attributes"];
        match e["type"].as_str().unwrap_or("") {
            // A user without the attribute is taken as active: the flag
            // only warns, it never hides anyone.
            "user" => {
                self.users.insert(id, a["active"].as_bool().unwrap_or(true));
            }
            "project" => {
                let p = self.projects.entry(id).or_default();
                p.key = a["key"].as_str().map(str::to_owned);
                for c in a["conditionalGrants"].as_array().into_iter().flatten() {
                    p.conditional.push(Conditional {
                        permission: s(&c["permission"]),
                        holder_type: s(&c["holderType"]),
                        holder_parameter: c["holderParameter"].clone(),
                    });
                }
            }
            "permission-grant" => {
                self.grant_ids
                    .entry((s(&a["schemeId"]), s(&a["permission"]), s(&a["holderType"])))
                    .or_default()
                    .insert(id);
            }
            _ => {}
        }
    }

    /// Adds one relation, in the document's JSON shape.
    pub fn add_relation(&mut self, r: &serde_json::Value) {
        let (from_kind, from) = (s(&r["from"]["type"]), s(&r["from"]["id"]));
        let to = s(&r["to"]["id"]);
        let to_kind = s(&r["to"]["type"]);
        match r["type"].as_str().unwrap_or("") {
            "member-of" => {
                self.members
                    .entry(to.clone())
                    .or_default()
                    .push(from.clone());
                self.groups_of.entry(from).or_default().insert(to);
            }
            "assigned" => self.actors.entry(to).or_default().push((from_kind, from)),
            // The rule is "the groups `/applicationrole` lists": a group
            // that only `group/bulk?accessType=user` names is reported,
            // but Jira's applicationRole grant does not reach it.
            "grants-access" if r["attributes"]["source"].as_str() != Some("accessType") => {
                self.product_groups.entry(to).or_default().push(from)
            }
            "uses-scheme" => self.projects.entry(from).or_default().scheme = Some(to),
            "permitted-on" => self.projects.entry(to).or_default().permits.push(Permit {
                kind: from_kind,
                id: from,
                permission: s(&r["privilege"]["name"]),
                grant: s(&r["attributes"]["grantId"]),
                via: r["attributes"]["via"].as_str().map(str::to_owned),
            }),
            "grants-site-admin" if to_kind == "site" => {
                self.site_admin_groups.insert(from);
            }
            "grants-admin" if to_kind == "application-role" => {
                self.product_admin_groups
                    .entry(to)
                    .or_default()
                    .insert(from);
            }
            _ => {}
        }
    }

    /// Sorts what the order of arrival left unsorted: member lists, so that
    /// every expansion is deterministic.
    pub fn finish(&mut self) {
        for m in self.members.values_mut() {
            m.sort();
            m.dedup();
        }
        for g in self.product_groups.values_mut() {
            g.sort();
            g.dedup();
        }
    }

    /// A project by id, or else by key.
    pub(crate) fn project_id(&self, id_or_key: &str) -> Result<String, AccessError> {
        if self.projects.contains_key(id_or_key) {
            return Ok(id_or_key.to_owned());
        }
        self.projects
            .iter()
            .find(|(_, p)| p.key.as_deref() == Some(id_or_key))
            .map(|(id, _)| id.clone())
            .ok_or_else(|| AccessError::UnknownProject(id_or_key.to_owned()))
    }

    pub(crate) fn active(&self, user: &str) -> bool {
        self.users.get(user).copied().unwrap_or(true)
    }
}

#[cfg(test)]
mod tests;
