//! The site itself: the resource every product belongs to.

use crate::domain::{Class, Classification, Entity, Value, kind, source};

/// The site, by its cloud id, named by its host (`acme.atlassian.net`).
pub fn site(cloud_id: &str, host: &str) -> Entity {
    Entity {
        kind: kind::SITE,
        id: cloud_id.to_owned(),
        name: host.to_owned(),
        attributes: vec![("url", Value::Text(format!("https://{host}")))],
        balkanid: Some(Classification::new(Class::Resource, source::SITE, host)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_is_a_resource_named_by_its_host() {
        let e = site("c0ffee", "acme.atlassian.net");
        assert_eq!((e.kind, e.id.as_str()), ("site", "c0ffee"));
        assert_eq!(
            e.balkanid,
            Some(Classification::new(
                Class::Resource,
                "site",
                "acme.atlassian.net"
            ))
        );
        assert_eq!(
            e.attributes,
            vec![("url", Value::Text("https://acme.atlassian.net".into()))]
        );
    }
}
