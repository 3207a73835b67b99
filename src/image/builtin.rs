//! The images crashlab ships: the crash program and the pod-sandbox pause image, both built
//! from the static `crashprobe` binary that `build.rs` compiles from `images/crashprobe`.

use super::error::Result;
use super::image_archive::ImageArchive;
use super::image_spec::{ImageFile, ImageSpec};

/// The crash program. Pods pick a mode with `args`, e.g. `["exit", "3"]` or
/// `["serve", "8080", "500"]`; without `args` it runs `sleep`.
pub const PROBE_IMAGE: &str = "crashlab.dev/crashprobe:v1";

/// The pod-sandbox image (containerd's `sandbox_image` / pinned `sandbox`): the same binary
/// running `crashprobe pause`, which behaves like kubernetes' `pause.c`.
pub const PAUSE_IMAGE: &str = "crashlab.dev/pause:v1";

/// Where the binary sits in both images.
pub const PROBE_PATH: &str = "/crashprobe";

/// The static `crashprobe` binary for the platform crashlab was built for.
pub static PROBE_BINARY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/crashprobe"));

/// The spec of [`PROBE_IMAGE`].
pub fn probe_image() -> ImageSpec {
    ImageSpec {
        reference: PROBE_IMAGE.to_owned(),
        entrypoint: vec![PROBE_PATH.to_owned()],
        cmd: vec!["sleep".to_owned()],
        files: vec![ImageFile::executable(PROBE_PATH, PROBE_BINARY)],
    }
}

/// The spec of [`PAUSE_IMAGE`].
pub fn pause_image() -> ImageSpec {
    ImageSpec {
        reference: PAUSE_IMAGE.to_owned(),
        entrypoint: vec![PROBE_PATH.to_owned(), "pause".to_owned()],
        cmd: Vec::new(),
        files: vec![ImageFile::executable(PROBE_PATH, PROBE_BINARY)],
    }
}

/// Every built-in image, pause first since the runtime needs it before any pod starts.
pub fn builtin_images() -> Vec<ImageSpec> {
    vec![pause_image(), probe_image()]
}

/// Archives of every built-in image, in the order of [`builtin_images`].
pub fn builtin_archives() -> Result<Vec<ImageArchive>> {
    builtin_images().iter().map(ImageArchive::build).collect()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// Small enough to load into a kind node or a CI cache without a thought.
    const MAX_SIZE: usize = 5 * 1024 * 1024;

    #[test]
    fn probe_binary_is_a_small_static_elf() {
        assert_eq!(&PROBE_BINARY[..4], b"\x7fELF");
        assert!(
            PROBE_BINARY.len() < MAX_SIZE,
            "{} bytes",
            PROBE_BINARY.len()
        );
        // A dynamic executable names its loader in a PT_INTERP segment; a static one has no
        // loader path anywhere in it.
        let has_loader = PROBE_BINARY
            .windows(b"/lib64/ld-linux".len())
            .any(|w| w == b"/lib64/ld-linux" || w == b"/lib/ld-linux-");
        assert!(!has_loader, "crashprobe is dynamically linked");
    }

    #[test]
    fn builtin_archives_are_small_reproducible_and_named() {
        let first = builtin_archives().unwrap();
        let second = builtin_archives().unwrap();
        let names: Vec<_> = first.iter().map(ImageArchive::reference).collect();
        assert_eq!(names, [PAUSE_IMAGE, PROBE_IMAGE]);
        let files: Vec<_> = first.iter().map(ImageArchive::file_name).collect();
        assert_eq!(
            files,
            [
                "crashlab.dev_pause_v1.tar",
                "crashlab.dev_crashprobe_v1.tar"
            ]
        );
        for (a, b) in first.iter().zip(&second) {
            assert!(
                a.bytes() == b.bytes(),
                "{} is not reproducible",
                a.reference()
            );
            assert!(
                a.bytes().len() < MAX_SIZE,
                "{} is {} bytes",
                a.reference(),
                a.bytes().len()
            );
        }
    }

    #[test]
    fn both_images_carry_the_probe_binary_at_the_entrypoint() {
        for archive in builtin_archives().unwrap() {
            let mut outer = tar::Archive::new(archive.bytes());
            let layer_path = format!(
                "blobs/sha256/{}",
                archive.layer_digest().trim_start_matches("sha256:")
            );
            let mut layer = Vec::new();
            for entry in outer.entries().unwrap() {
                let mut entry = entry.unwrap();
                if entry.path().unwrap().to_str() == Some(layer_path.as_str()) {
                    entry.read_to_end(&mut layer).unwrap();
                }
            }
            let mut inner = tar::Archive::new(flate2::read::GzDecoder::new(layer.as_slice()));
            let mut found = Vec::new();
            for entry in inner.entries().unwrap() {
                let mut entry = entry.unwrap();
                let path = entry.path().unwrap().to_string_lossy().into_owned();
                let mode = entry.header().mode().unwrap();
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).unwrap();
                found.push((path, mode, bytes == PROBE_BINARY));
            }
            assert_eq!(
                found,
                [("crashprobe".to_owned(), 0o755, true)],
                "{}",
                archive.reference()
            );
        }
        assert_eq!(pause_image().entrypoint, ["/crashprobe", "pause"]);
        assert_eq!(probe_image().entrypoint, ["/crashprobe"]);
    }
}
