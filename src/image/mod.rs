//! Deterministic OCI image archives, and the built-in images of the crash program.
//!
//! No registry and no Docker: [`ImageArchive::build`] turns an [`ImageSpec`] into a tar that
//! `ctr -n k8s.io images import` (local provider) and `kind load image-archive` (kind) both
//! accept, named after the spec's reference. The same spec always gives the same bytes.
//!
//! ```no_run
//! use crashlab::image::builtin_archives;
//!
//! for archive in builtin_archives()? {
//!     archive.write_to(format!("/tmp/{}.tar", archive.manifest_digest()))?;
//! }
//! # Ok::<(), crashlab::image::ImageError>(())
//! ```

mod builtin;
mod error;
mod image_archive;
mod image_spec;

pub use builtin::{
    PAUSE_IMAGE, PROBE_BINARY, PROBE_IMAGE, PROBE_PATH, builtin_archives, builtin_images,
    pause_image, probe_image,
};
pub use error::{ImageError, Result};
pub use image_archive::ImageArchive;
pub use image_spec::{ImageFile, ImageSpec};
