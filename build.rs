//! Compiles the crash program `images/crashprobe/main.rs` into a small static binary at
//! `$OUT_DIR/crashprobe`, which `src/image` embeds into the built-in container images.
//!
//! It is a separate `rustc` invocation (not a Cargo target) because it must be static,
//! std-only and byte-for-byte reproducible, whatever profile crashlab itself is built with.
//!
//! The probe runs in Linux containers. crashlab built for Linux embeds it built for the same
//! target; built for another system (macOS), it embeds it built for Linux on the same
//! architecture: `<arch>-unknown-linux-musl`, static, linked by the toolchain's own `rust-lld`
//! with musl's self-contained startup files, so no C cross toolchain is needed.

use std::env;
use std::path::PathBuf;
use std::process::Command;

const SOURCE: &str = "images/crashprobe/main.rs";

fn main() {
    println!("cargo:rerun-if-changed={SOURCE}");
    println!("cargo:rerun-if-changed=build.rs");
    commit_for_version();

    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env_var("OUT_DIR"));
    let rustc = env_var("RUSTC");
    let target = env_var("TARGET");
    let output = out_dir.join("crashprobe");
    let for_linux = env_var("CARGO_CFG_TARGET_OS") == "linux";
    let probe_target = if for_linux {
        target.clone()
    } else {
        let linux = linux_target(&env_var("CARGO_CFG_TARGET_ARCH"), &target);
        require_std(&rustc, &linux, &target);
        linux
    };

    let mut command = Command::new(&rustc);
    command
        .arg(manifest_dir.join(SOURCE))
        .args(["--crate-name", "crashprobe", "--crate-type", "bin"])
        .args(["--edition", "2021", "--target", &probe_target])
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
    if !for_linux {
        // The linker configured for `$TARGET` links Mach-O; this is an ELF for another target.
        command.args(["-C", "linker=rust-lld", "-C", "link-self-contained=yes"]);
    } else if let Some(linker) = env::var_os("RUSTC_LINKER") {
        // Respect a linker configured for the target (`target.<triple>.linker`).
        command
            .arg("-C")
            .arg(format!("linker={}", linker.to_string_lossy()));
    }

    let result = command
        .output()
        .unwrap_or_else(|err| panic!("could not run {rustc:?} to build {SOURCE}: {err}"));
    if !result.status.success() {
        let hint = if for_linux {
            "is a static C library installed (Debian: libc6-dev)?"
        } else {
            "it is linked by the toolchain's rust-lld, found in `$(rustc --print sysroot)/lib/rustlib/*/bin`"
        };
        panic!(
            "building {SOURCE} for {probe_target} failed ({}); {hint}\n\
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

/// The musl target the probe is built for when crashlab is built for `target` (not Linux).
fn linux_target(arch: &str, target: &str) -> String {
    match arch {
        "x86_64" | "aarch64" => format!("{arch}-unknown-linux-musl"),
        _ => panic!(
            "crashlab built for {target} embeds its crash program built for Linux on the same \
             architecture, and only x86_64 and aarch64 are supported; build crashlab on Linux"
        ),
    }
}

/// Fails the build with the command to run when `linux`'s standard library is not installed.
fn require_std(rustc: &str, linux: &str, target: &str) {
    let libdir = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", linux])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let has_std = libdir
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .is_some_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libstd-")))
        });
    if !has_std {
        panic!(
            "crashlab built for {target} embeds its crash program built for Linux ({linux}), \
             whose standard library is not installed; run `rustup target add {linux}`"
        );
    }
}

fn env_var(name: &str) -> String {
    env::var(name).unwrap_or_else(|_| panic!("cargo did not set {name} for build.rs"))
}

/// `CRASHLAB_COMMIT` for `crashlab --version`: the commit built (build.rs reruns when HEAD
/// moves); `unknown` outside a git checkout (e.g. a crate tarball).
fn commit_for_version() {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"])
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=CRASHLAB_COMMIT={commit}");
    if let Some(head) = git(&["rev-parse", "--git-path", "HEAD"]) {
        println!("cargo:rerun-if-changed={head}");
    }
    if let Some(refname) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git(&["rev-parse", "--git-path", &refname])
    {
        println!("cargo:rerun-if-changed={path}");
    }
}
