//! Errors from building and writing image archives.

use std::io;
use std::path::PathBuf;

/// Result alias for the image module.
pub type Result<T, E = ImageError> = std::result::Result<T, E>;

/// Why an image archive could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The reference is not a fully qualified `registry/name:tag`.
    #[error("invalid image reference {reference:?}: {reason}")]
    InvalidReference {
        reference: String,
        reason: &'static str,
    },

    /// A file in the image has a path that cannot go into a layer.
    #[error("invalid path {path:?} in image {reference:?}: {reason}")]
    InvalidPath {
        reference: String,
        path: String,
        reason: &'static str,
    },

    /// Two files (or a file and a directory) claim the same path.
    #[error("path {path:?} appears twice in image {reference:?}")]
    DuplicatePath { reference: String, path: String },

    /// A file mode with bits outside `0o7777`.
    #[error(
        "mode {mode:#o} of {path:?} in image {reference:?} is not a permission mode (max 0o7777)"
    )]
    InvalidMode {
        reference: String,
        path: String,
        mode: u32,
    },

    /// Neither an entrypoint nor a command: the container would have nothing to run.
    #[error("image {reference:?} has neither an entrypoint nor a command")]
    NothingToRun { reference: String },

    /// Assembling the archive in memory failed.
    #[error("could not assemble the archive for image {reference:?}: {source}")]
    Assemble {
        reference: String,
        source: io::Error,
    },

    /// Writing the finished archive to disk failed.
    #[error("could not write image archive {path:?}: {source}")]
    Write { path: PathBuf, source: io::Error },
}
