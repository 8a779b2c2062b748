//! The identity domain the connector produces, independent of Jira's JSON and
//! of the WIT bindings (`lib.rs` converts at the boundary).

/// An attribute value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Text(String),
    Texts(Vec<String>),
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Value::Null, Value::Text)
    }
}

pub type Attributes = Vec<(&'static str, Value)>;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntityRef {
    pub kind: &'static str,
    pub id: String,
}

impl EntityRef {
    pub fn new(kind: &'static str, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entity {
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub attributes: Attributes,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relation {
    pub kind: &'static str,
    pub from: EntityRef,
    pub to: EntityRef,
    pub attributes: Attributes,
}

/// Entity types, as the output contract spells them.
pub mod kind {
    pub const USER: &str = "user";
    pub const GROUP: &str = "group";
    pub const PROJECT: &str = "project";
    pub const ROLE: &str = "role";
    pub const PROJECT_ROLE: &str = "project-role";
    pub const APPLICATION_ROLE: &str = "application-role";
    pub const PERMISSION_SCHEME: &str = "permission-scheme";
    pub const PERMISSION: &str = "permission";
    pub const PERMISSION_GRANT: &str = "permission-grant";
}

/// Relation types, as the output contract spells them.
pub mod relation {
    pub const MEMBER_OF: &str = "member-of";
    pub const ASSIGNED: &str = "assigned";
    pub const ROLE_OF: &str = "role-of";
    pub const INSTANCE_OF: &str = "instance-of";
    pub const LEADS: &str = "leads";
    pub const GRANTS_ACCESS: &str = "grants-access";
    pub const USES_SCHEME: &str = "uses-scheme";
    pub const IN_SCHEME: &str = "in-scheme";
    pub const GRANTS: &str = "grants";
    pub const HOLDS: &str = "holds";
}
