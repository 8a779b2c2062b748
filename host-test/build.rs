//! Builds the component (`wasm32-wasip2`, profile `component`) before the
//! host, so that `cargo run -p host-test` and `cargo test` always load a
//! component built from the sources next to them.
//!
//! The nested cargo uses its own target directory: sharing the outer one
//! would deadlock on cargo's build lock.

use std::env;
use std::path::PathBuf;
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";
const PROFILE: &str = "component";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest_dir
        .parent()
        .expect("host-test lives in the workspace")
        .to_path_buf();
    for path in ["src", "wit", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }

    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("component");

    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args([
            "-p",
            "extractor-jira",
            "--lib",
            "--target",
            TARGET,
            "--profile",
            PROFILE,
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    // Settings cargo passes to build scripts that must not leak into a build
    // for another target.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        command.env_remove(var);
    }
    let status = command
        .status()
        .expect("could not run cargo to build the component");
    if !status.success() {
        panic!(
            "building the {TARGET} component failed (see the output above). If the target is \
             missing, install it with: rustup target add {TARGET}"
        );
    }

    // The contract's version, for the OCI artifact's annotations.
    let world = std::fs::read_to_string(root.join("wit").join("world.wit")).expect("wit/world.wit");
    let version = world
        .lines()
        .find_map(|l| l.trim().strip_prefix("package balkanid:extractor@"))
        .and_then(|v| v.strip_suffix(';'))
        .expect("wit/world.wit declares package balkanid:extractor@VERSION");
    println!("cargo:rustc-env=EXTRACTOR_JIRA_WIT_VERSION={version}");

    let wasm = target_dir
        .join(TARGET)
        .join(PROFILE)
        .join("extractor_jira.wasm");
    assert!(
        wasm.exists(),
        "the component build produced no {}",
        wasm.display()
    );
    println!(
        "cargo:rustc-env=EXTRACTOR_JIRA_COMPONENT={}",
        wasm.display()
    );
}
