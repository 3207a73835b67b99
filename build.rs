//! Compiles the crash program `images/crashprobe/main.rs` into a small static binary at
//! `$OUT_DIR/crashprobe`, which `src/image` embeds into the built-in container images.
//!
//! It is a separate `rustc` invocation (not a Cargo target) because it must be static,
//! std-only and byte-for-byte reproducible, whatever profile crashlab itself is built with.

use std::env;
use std::path::PathBuf;
use std::process::Command;

const SOURCE: &str = "images/crashprobe/main.rs";

fn main() {
    println!("cargo:rerun-if-changed={SOURCE}");
    println!("cargo:rerun-if-changed=build.rs");

    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env_var("OUT_DIR"));
    let rustc = env_var("RUSTC");
    let target = env_var("TARGET");
    let output = out_dir.join("crashprobe");

    let mut command = Command::new(&rustc);
    command
        .arg(manifest_dir.join(SOURCE))
        .args(["--crate-name", "crashprobe", "--crate-type", "bin"])
        .args(["--edition", "2021", "--target", &target])
        .args(["-C", "opt-level=s"])
        .args(["-C", "target-feature=+crt-static"])
        .args(["-C", "strip=symbols"])
        .args(["-C", "panic=abort"])
        .args(["-C", "debuginfo=0"])
        // Reproducibility: one codegen unit, a fixed symbol hash seed, and no absolute path
        // of this checkout in panic locations.
        .args(["-C", "codegen-units=1"])
        .args(["-C", "metadata=crashprobe"])
        .arg(format!(
            "--remap-path-prefix={}=/crashlab",
            manifest_dir.display()
        ))
        .arg("-o")
        .arg(&output);
    // Respect a linker configured for the target (`target.<triple>.linker`).
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        command
            .arg("-C")
            .arg(format!("linker={}", linker.to_string_lossy()));
    }

    let result = command
        .output()
        .unwrap_or_else(|err| panic!("could not run {rustc:?} to build {SOURCE}: {err}"));
    if !result.status.success() {
        panic!(
            "building {SOURCE} failed ({}); is a static C library installed (Debian: libc6-dev)?\n\
             command: {command:?}\nstderr:\n{}",
            result.status,
            String::from_utf8_lossy(&result.stderr)
        );
    }
    for line in String::from_utf8_lossy(&result.stderr).lines() {
        if line.starts_with("warning") {
            println!("cargo:warning=crashprobe: {line}");
        }
    }
}

fn env_var(name: &str) -> String {
    env::var(name).unwrap_or_else(|_| panic!("cargo did not set {name} for build.rs"))
}
