//! What goes into a single-layer image: its reference, what it runs, and its files.

/// A single-layer Linux image for the platform crashlab itself was built for.
///
/// The config always sets `Env` to `PATH=/`: the images hold a few static binaries at the
/// root and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSpec {
    /// Fully qualified reference, e.g. `crashlab.dev/crashprobe:v1`. It must name a registry
    /// because the OCI annotation is imported verbatim while the kubelet asks for the
    /// normalized name (`crashprobe:v1` would become `docker.io/library/crashprobe:v1`).
    pub reference: String,
    /// The config's `Entrypoint`; a pod's `command` replaces it.
    pub entrypoint: Vec<String>,
    /// The config's `Cmd`; a pod's `args` replaces it.
    pub cmd: Vec<String>,
    /// Regular files of the layer. Parent directories are added with mode 0755.
    pub files: Vec<ImageFile>,
}

/// One regular file in an image's layer.
#[derive(Clone, PartialEq, Eq)]
pub struct ImageFile {
    /// Path inside the image, e.g. `/crashprobe` or `etc/app/config.yaml` (a leading `/` is
    /// optional).
    pub path: String,
    /// Permission bits, e.g. `0o755`.
    pub mode: u32,
    pub bytes: Vec<u8>,
}

impl ImageFile {
    /// An executable file (mode 0755).
    pub fn executable(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            path: path.into(),
            mode: 0o755,
            bytes: bytes.into(),
        }
    }

    /// A read-only data file (mode 0644).
    pub fn data(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            path: path.into(),
            mode: 0o644,
            bytes: bytes.into(),
        }
    }
}

// Binaries are megabytes; print their size, not their bytes.
impl std::fmt::Debug for ImageFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageFile")
            .field("path", &self.path)
            .field("mode", &format_args!("{:#o}", self.mode))
            .field("len", &self.bytes.len())
            .finish()
    }
}
