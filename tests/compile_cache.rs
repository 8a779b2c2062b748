//! The host compiles the component once and keeps its machine code beside it,
//! named by the digest of the component and of the engine's settings.

use host_test::runtime::{Compiled, Runtime, default_component_path};

fn fresh_copy(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "extractor-jira-cache-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("extractor_jira.wasm");
    std::fs::copy(default_component_path(), &path).unwrap();
    path
}

#[test]
fn load_compiles_once_then_reads_the_cache() {
    let component = fresh_copy("reuse");
    let first = Runtime::load(&component).unwrap();
    let Compiled::Now { saved: Some(saved) } = first.compiled().clone() else {
        panic!("first load compiles and saves: {:?}", first.compiled());
    };
    assert_eq!(
        saved.parent(),
        component.parent(),
        "kept beside the component"
    );
    assert!(saved.extension().is_some_and(|e| e == "cwasm"));

    let second = Runtime::load(&component).unwrap();
    assert_eq!(second.compiled(), &Compiled::Cache(saved.clone()));
    assert_eq!(second.exports(), first.exports());

    // No temporary file is left behind.
    let files: Vec<_> = std::fs::read_dir(component.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let _ = std::fs::remove_dir_all(component.parent().unwrap());
}

#[test]
fn load_recompiles_over_a_damaged_cache() {
    let component = fresh_copy("damaged");
    let Compiled::Now { saved: Some(saved) } =
        Runtime::load(&component).unwrap().compiled().clone()
    else {
        panic!("first load saves");
    };
    std::fs::write(&saved, b"not machine code").unwrap();
    let again = Runtime::load(&component).unwrap();
    assert_eq!(
        again.compiled(),
        &Compiled::Now {
            saved: Some(saved.clone())
        }
    );
    assert_eq!(
        Runtime::load(&component).unwrap().compiled(),
        &Compiled::Cache(saved)
    );
    let _ = std::fs::remove_dir_all(component.parent().unwrap());
}

#[test]
fn load_of_a_changed_component_never_reads_the_old_cache() {
    let component = fresh_copy("changed");
    let Compiled::Now { saved: Some(old) } = Runtime::load(&component).unwrap().compiled().clone()
    else {
        panic!("first load saves");
    };
    // The same component with a custom section appended: other bytes.
    let mut bytes = std::fs::read(&component).unwrap();
    bytes.extend_from_slice(&[0, 4, 3, b'x', b'y', b'z']);
    std::fs::write(&component, &bytes).unwrap();
    let changed = Runtime::load(&component).unwrap();
    match changed.compiled() {
        Compiled::Now { saved: Some(new) } => assert_ne!(new, &old),
        other => panic!("a changed component is compiled: {other:?}"),
    }
    let _ = std::fs::remove_dir_all(component.parent().unwrap());
}
