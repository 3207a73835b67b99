//! What a real kind cluster needs on this machine, prepared once per process whatever test
//! asks first: the host packages the node borrows (`crashlab cluster deps`: runc, CNI
//! plugins), a Docker engine, `kind` on PATH and a node image, all by
//! `tests/kind/prepare-node-image` (cached after the first time: kind under ~/.cache, the image
//! in Docker's store, keyed by its inputs).

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use super::{RELEASE_DOWNLOAD_OFF, Run, crashlab};

/// The Kubernetes minor the node image is built for (crashlab's default).
pub const KIND_VERSION: &str = "1.34";

/// The node image reference, with Docker and kind ready: `CRASHLAB_KIND_NODE_IMAGE` when set
/// (Docker and kind must then be there already), else prepared by the script. The script's
/// whole output (what it installed, started, built or found) is in the panic message when it
/// fails; a test that comes after a failed preparation fails with the same message.
pub fn node_image() -> &'static str {
    static IMAGE: OnceLock<Result<String, String>> = OnceLock::new();
    let prepared = IMAGE.get_or_init(|| {
        if let Ok(image) = std::env::var("CRASHLAB_KIND_NODE_IMAGE")
            && !image.is_empty()
        {
            return Ok(image);
        }
        prepare()
    });
    match prepared {
        Ok(image) => image,
        Err(why) => panic!("{why}"),
    }
}

fn prepare() -> Result<String, String> {
    // On a fresh machine this builds etcd, containerd, CoreDNS and kind from Go modules and a
    // Debian root with debootstrap: minutes of both cores, and Docker containers on the host.
    // Beside the shared tests (cold CI, 2026-12-07), a validate moment came too late under
    // that load, and the `cluster` test found a Docker container's veth in the host it
    // compares. So it waits for the shared tests and keeps the whole-machine tests out, as
    // the kind tests do. When the image is cached this takes 2-3 s.
    let _beside = super::cluster::beside_the_tail();
    let started = std::time::Instant::now();
    let deps = Run::new({
        let mut c = crashlab();
        c.args(["cluster", "deps"]);
        c
    });
    if deps.code() != 0 {
        return Err(deps.describe("the host packages a kind node borrows"));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kind/prepare-node-image");
    let run = Run::new({
        let mut c = Command::new(&script);
        c.arg(KIND_VERSION)
            .env("CRASHLAB", env!("CARGO_BIN_EXE_crashlab"))
            .env(RELEASE_DOWNLOAD_OFF.0, RELEASE_DOWNLOAD_OFF.1);
        c
    });
    let image = run.stdout().lines().last().map(|l| l.trim().to_owned());
    match image {
        Some(image) if run.code() == 0 && !image.is_empty() => {
            eprintln!("kind node image {image} ready in {:.0?}", started.elapsed());
            Ok(image)
        }
        _ => Err(run.describe("prepare-node-image (Docker engine, kind, node image)")),
    }
}
