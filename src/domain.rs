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
    /// A structured fact as one JSON document (an object or an array).
    Json(String),
    /// Whole seconds since the Unix epoch, UTC.
    Timestamp(i64),
    /// Labelled points in time (`label=time`), in order.
    Timestamps(Vec<(String, i64)>),
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
    /// Its place in BalkanID's model; `None` for Jira configuration that
    /// BalkanID takes as relations (roles, permissions, schemes, grants).
    pub balkanid: Option<Classification>,
}

/// BalkanID's three classes of entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    Identity,
    Connection,
    Resource,
}

/// An entity's row in BalkanID's entities upload: its class, its Source
/// Type and its Name (the Source ID is the entity's id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Classification {
    pub class: Class,
    pub source_type: &'static str,
    pub name: String,
}

impl Classification {
    pub fn new(class: Class, source_type: &'static str, name: impl Into<String>) -> Self {
        Self {
            class,
            source_type,
            name: name.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relation {
    pub kind: &'static str,
    pub from: EntityRef,
    pub to: EntityRef,
    pub attributes: Attributes,
    /// The privilege it gives in BalkanID's model, `from` being the holder;
    /// `None` for relations that only describe Jira's configuration.
    pub privilege: Option<Privilege>,
}

/// A relation's privilege as BalkanID names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Privilege {
    pub name: String,
    pub connection_type: &'static str,
}

impl Privilege {
    pub fn new(name: impl Into<String>, connection_type: &'static str) -> Self {
        Self {
            name: name.into(),
            connection_type,
        }
    }
}

/// A name and the type of what it names (BalkanID's Connection and
/// Connection Type, or Resource and Resource Type).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Labelled {
    pub name: String,
    pub kind: &'static str,
}

impl Labelled {
    pub fn new(name: impl Into<String>, kind: &'static str) -> Self {
        Self {
            name: name.into(),
            kind,
        }
    }
}

/// One identity-entitlement pair: a privilege an identity holds directly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entitlement {
    /// The identity's entity id (an account id).
    pub identity: String,
    pub privilege_name: String,
    /// BalkanID's Privilege Value: `true` for a privilege held, `false`
    /// where the identity is known to lack it.
    pub value: bool,
    pub connection: Option<Labelled>,
    pub resource: Option<Labelled>,
}

/// Which of the global permissions an extraction needs the account holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlobalPermissions {
    /// The keys of those it holds, e.g. `ADMINISTER`.
    pub held: Vec<String>,
    /// The names of those it lacks, as Jira's admin UI shows them, e.g.
    /// `Administer Jira`.
    pub missing: Vec<String>,
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
    pub const SITE: &str = "site";
}

/// BalkanID's Source Types and connection types: how BalkanID shows each
/// classified entity.
pub mod source {
    pub const SITE: &str = "site";
    pub const USER: &str = "user";
    pub const SERVICE_ACCOUNT: &str = "service account";
    pub const CUSTOMER: &str = "customer";
    pub const GROUP: &str = "group";
    pub const PROJECT_ROLE: &str = "project-role";
    pub const APPLICATION_ROLE: &str = "application-role";
    pub const PROJECT: &str = "project";
}

/// BalkanID privilege names that are not Jira's own (a role's name and a
/// permission key are).
pub mod privilege {
    pub const MEMBER: &str = "member";
    pub const ACTOR: &str = "actor";
    pub const PRODUCT_ACCESS: &str = "product access";
    pub const PRODUCT: &str = "product";
    pub const PROJECT_LEAD: &str = "project lead";
    /// Membership of a site-admin group (`group/bulk?accessType=site-admin`).
    pub const SITE_ADMIN: &str = "site-admin";
    /// Membership of a product's admin group (`accessType=admin`).
    pub const PRODUCT_ADMIN: &str = "product admin";
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
    /// From an application role to the site it is a product of.
    pub const PRODUCT_OF: &str = "product-of";
    /// From the holder of a permission grant to a project whose scheme
    /// holds it: one per grant and project.
    pub const PERMITTED_ON: &str = "permitted-on";
    /// From a site-admin group to the site.
    pub const GRANTS_SITE_ADMIN: &str = "grants-site-admin";
    /// From a product's admin group to its application role.
    pub const GRANTS_ADMIN: &str = "grants-admin";
}
