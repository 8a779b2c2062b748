//! The rules on a small hand-written document.

use serde_json::{Value, json};

use super::*;

fn rel(kind: &str, from: (&str, &str), to: (&str, &str)) -> Value {
    json!({"type": kind, "from": {"type": from.0, "id": from.1}, "to": {"type": to.0, "id": to.1}})
}

fn permit(from: (&str, &str), perm: &str, grant: &str, via: Option<&str>) -> Value {
    let mut r = rel("permitted-on", from, ("project", "1"));
    r["privilege"] = json!({"name": perm});
    r["attributes"] = json!({"grantId": grant, "schemeId": "9"});
    if let Some(v) = via {
        r["attributes"]["via"] = json!(v);
    }
    r
}

fn doc() -> Index {
    let user = |id: &str, active: bool| json!({"type": "user", "id": id, "attributes": {"active": active}});
    Index::from_value(&json!({
        "entities": [user("a", true), user("b", false), user("c", true), user("d", true),
            {"type": "project", "id": "1", "attributes": {"key": "P", "conditionalGrants": [
                {"permission": "BROWSE", "holderType": "anyone", "holderParameter": null},
                {"permission": "EDIT", "holderType": "reporter", "holderParameter": null},
                {"permission": "EDIT", "holderType": "userCustomField", "holderParameter": "cf_1"}]}},
            {"type": "permission-grant", "id": "7", "attributes": {"permission": "BROWSE", "holderType": "anyone", "schemeId": "9"}}],
        "relations": [
            rel("member-of", ("user", "b"), ("group", "g")),
            rel("member-of", ("user", "c"), ("group", "h")),
            rel("member-of", ("user", "a"), ("group", "s")),
            rel("assigned", ("user", "a"), ("project-role", "1:5")),
            rel("assigned", ("group", "g"), ("project-role", "1:5")),
            rel("grants-access", ("group", "h"), ("application-role", "jira")),
            rel("grants-site-admin", ("group", "s"), ("site", "x")),
            rel("grants-admin", ("group", "h"), ("application-role", "jira")),
            rel("uses-scheme", ("project", "1"), ("permission-scheme", "9")),
            permit(("user", "d"), "ADMINISTER_PROJECTS", "1", None),
            permit(("group", "g"), "ADMINISTER_PROJECTS", "2", None),
            permit(("project-role", "1:5"), "ADMINISTER_PROJECTS", "3", None),
            permit(("application-role", "jira"), "WORK", "4", None),
            permit(("application-role", "jira"), "WORK", "5", Some("anyApplicationRole")),
            permit(("user", "a"), "WORK", "6", Some("projectLead")),
        ]})).unwrap()
}

#[test]
fn explain_project_applies_every_rule() {
    let v = explain_project(&doc(), "P", Some("ADMINISTER_PROJECTS")).unwrap();
    assert_eq!(v["project"], "1");
    assert_eq!(
        v["permissions"][0]["principals"],
        json!([
        {"user": "a", "active": true, "via": [["grant:3", "project-role:1:5"]]},
        {"user": "b", "active": false, "via": [["grant:2", "group:g"], ["grant:3", "project-role:1:5", "group:g"]]},
        {"user": "d", "active": true, "via": [["grant:1"]]}])
    );
    // --permission filters the conditional list too; unfiltered it has both.
    let all = explain_project(&doc(), "P", None).unwrap();
    assert_eq!(all["conditional"].as_array().unwrap().len(), 2);
}

#[test]
fn explain_user_covers_products_lead_and_anyone() {
    let ix = doc();
    let c = explain_user(&ix, "c").unwrap();
    assert_eq!(
        c["grants"],
        json!([
        {"project": "1", "permission": "BROWSE", "via": [["grant:7", "anyone"]], "anonymous": true},
        {"project": "1", "permission": "WORK", "via": [
            ["grant:4", "application-role:jira", "group:h"], ["grant:5", "application-role:jira", "group:h"]]}])
    );
    let a = explain_user(&ix, "a").unwrap();
    assert!(
        a["grants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["via"] == json!([["grant:6", "project-lead"]]))
    );
    // Conditional holders are listed, never held.
    assert!(
        a["grants"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["permission"] != "EDIT")
    );
    let p = explain_project(&ix, "1", Some("BROWSE")).unwrap();
    assert_eq!(
        p["permissions"][0]["principals"][0],
        json!({"anonymous": true, "via": [["grant:7", "anyone"]]})
    );
    assert!(matches!(
        explain_user(&ix, "zz"),
        Err(AccessError::UnknownUser(_))
    ));
    assert!(matches!(
        explain_project(&ix, "Q", None),
        Err(AccessError::UnknownProject(_))
    ));
    assert_eq!(
        explain_user(&ix, "b").unwrap().to_string(),
        explain_user(&ix, "b").unwrap().to_string()
    );
}

#[test]
fn privileged_lists_every_tier() {
    let v = privileged(&doc());
    assert_eq!(
        v["siteAdmins"],
        json!([{"user": "a", "active": true, "via": [["site-admin", "group:s"]]}])
    );
    assert_eq!(
        v["productAdmins"]["jira"],
        json!([{"user": "c", "active": true, "via": [["product-admin:jira", "group:h"]]}])
    );
    assert_eq!(v["projectAdmins"]["1"].as_array().unwrap().len(), 3);
    assert!(privileged_text(&doc()).contains("Site admins: 1 users (0 inactive)"));
}
