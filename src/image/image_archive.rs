//! A deterministic OCI image-layout archive of one single-layer image, which is also a valid
//! docker-archive, so both `ctr images import` and `kind load image-archive` accept it.
//!
//! Layout (see `docs/local-cluster.md` §1.e for how containerd names what it imports):
//!
//! ```text
//! oci-layout              {"imageLayoutVersion":"1.0.0"}
//! index.json              one manifest, annotated with the full reference
//! manifest.json           docker-archive view of the same blobs
//! blobs/sha256/<layer>    gzip(tar of the image's files)
//! blobs/sha256/<config>   image config; rootfs.diff_ids = digest of the *uncompressed* layer
//! blobs/sha256/<manifest> OCI manifest
//! ```
//!
//! Reproducible: every tar entry has mtime 0, uid/gid 0 and a fixed mode, entries are
//! sorted, gzip has mtime 0 and a fixed level, and JSON is written in a fixed key order. The
//! same spec therefore always gives the same bytes and digests.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::io::{self, Write};
use std::path::Path;

use flate2::{Compression, GzBuilder};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::error::{ImageError, Result};
use super::image_spec::ImageSpec;

const MEDIA_TYPE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MEDIA_TYPE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const MEDIA_TYPE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const MEDIA_TYPE_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// containerd names an imported image after this annotation (the most reliable one).
const ANNOTATION_CONTAINERD_NAME: &str = "io.containerd.image.name";
const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";
/// Fixed so the bytes do not depend on the compression library's default.
const GZIP_LEVEL: u32 = 9;
/// "Unknown" in the gzip header, instead of the build host's OS.
const GZIP_OS_UNKNOWN: u8 = 255;
const DIR_MODE: u32 = 0o755;
const FILE_MODE: u32 = 0o644;

/// A finished image archive, held in memory.
#[derive(Clone, PartialEq, Eq)]
pub struct ImageArchive {
    reference: String,
    bytes: Vec<u8>,
    manifest_digest: String,
    config_digest: String,
    layer_digest: String,
    diff_id: String,
}

impl ImageArchive {
    /// Builds the archive for `spec`, validating its reference and file paths.
    pub fn build(spec: &ImageSpec) -> Result<Self> {
        validate_reference(&spec.reference)?;
        if spec.entrypoint.is_empty() && spec.cmd.is_empty() {
            return Err(ImageError::NothingToRun {
                reference: spec.reference.clone(),
            });
        }
        let entries = layer_entries(spec)?;
        let assemble = |source| ImageError::Assemble {
            reference: spec.reference.clone(),
            source,
        };

        let layer_tar = layer_tar(&entries).map_err(assemble)?;
        let diff_id = sha256_digest(&layer_tar);
        let layer = gzip(&layer_tar).map_err(assemble)?;
        let layer_digest = sha256_digest(&layer);

        let mut container_config = json!({
            "Env": ["PATH=/"],
        });
        if !spec.entrypoint.is_empty() {
            container_config["Entrypoint"] = json!(spec.entrypoint);
        }
        if !spec.cmd.is_empty() {
            container_config["Cmd"] = json!(spec.cmd);
        }
        let config = to_json(&json!({
            "architecture": architecture(),
            "os": "linux",
            "config": container_config,
            "rootfs": { "type": "layers", "diff_ids": [diff_id] },
            "history": [{ "created_by": "crashlab image builder" }],
        }));
        let config_digest = sha256_digest(&config);

        let manifest = to_json(&json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_TYPE_MANIFEST,
            "config": descriptor(MEDIA_TYPE_CONFIG, &config_digest, config.len()),
            "layers": [descriptor(MEDIA_TYPE_LAYER_GZIP, &layer_digest, layer.len())],
        }));
        let manifest_digest = sha256_digest(&manifest);

        let mut manifest_descriptor =
            descriptor(MEDIA_TYPE_MANIFEST, &manifest_digest, manifest.len());
        manifest_descriptor["platform"] = json!({ "architecture": architecture(), "os": "linux" });
        manifest_descriptor["annotations"] = json!({
            ANNOTATION_CONTAINERD_NAME: spec.reference,
            ANNOTATION_REF_NAME: spec.reference,
        });
        let index = to_json(&json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_TYPE_INDEX,
            "manifests": [manifest_descriptor],
        }));
        let docker_manifest = to_json(&json!([{
            "Config": blob_path(&config_digest),
            "RepoTags": [spec.reference],
            "Layers": [blob_path(&layer_digest)],
        }]));
        let oci_layout = to_json(&json!({ "imageLayoutVersion": "1.0.0" }));

        let bytes = outer_tar(&[
            (OuterEntry::File("oci-layout"), oci_layout.as_slice()),
            (OuterEntry::File("index.json"), &index),
            (OuterEntry::File("manifest.json"), &docker_manifest),
            (OuterEntry::Dir("blobs"), &[]),
            (OuterEntry::Dir("blobs/sha256"), &[]),
            (OuterEntry::File(&blob_path(&layer_digest)), &layer),
            (OuterEntry::File(&blob_path(&config_digest)), &config),
            (OuterEntry::File(&blob_path(&manifest_digest)), &manifest),
        ])
        .map_err(assemble)?;

        Ok(Self {
            reference: spec.reference.clone(),
            bytes,
            manifest_digest,
            config_digest,
            layer_digest,
            diff_id,
        })
    }

    /// The archive itself: an uncompressed tar.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The fully qualified reference the image is imported as.
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// `sha256:…` of the manifest: the image's repo digest.
    pub fn manifest_digest(&self) -> &str {
        &self.manifest_digest
    }

    /// `sha256:…` of the config: the image ID that CRI reports (`imageID` in pod status).
    pub fn config_digest(&self) -> &str {
        &self.config_digest
    }

    /// `sha256:…` of the compressed layer blob.
    pub fn layer_digest(&self) -> &str {
        &self.layer_digest
    }

    /// `sha256:…` of the uncompressed layer tar, as listed in the config's `rootfs.diff_ids`.
    pub fn diff_id(&self) -> &str {
        &self.diff_id
    }

    /// A file name for the archive, made from its reference with everything but ASCII
    /// letters, digits, `.` and `-` replaced by `_`: `crashlab.dev_crashprobe_v1.tar`.
    pub fn file_name(&self) -> String {
        let stem: String = self
            .reference
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{stem}.tar")
    }

    /// Writes the archive to `path`, replacing any existing file.
    /// Writes the archive atomically (a temporary file in the same directory, renamed over
    /// `path`): two crashlab processes loading images at once must never let `ctr images
    /// import` read a half-written archive (measured: "short read: expected 719365 bytes but
    /// got 519680" with eight `crashlab run` processes started together).
    pub fn write_to(&self, path: impl AsRef<Path>) -> Result<()> {
        use std::io::Write;
        let path = path.as_ref();
        let fail = |source| ImageError::Write {
            path: path.to_owned(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
        tmp.write_all(&self.bytes).map_err(fail)?;
        tmp.persist(path).map_err(|e| fail(e.error))?;
        Ok(())
    }
}

// The bytes are megabytes of tar; show what identifies the archive instead.
impl std::fmt::Debug for ImageArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageArchive")
            .field("reference", &self.reference)
            .field("manifest_digest", &self.manifest_digest)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// OCI `architecture` of the platform crashlab (and so the embedded probe) is built for.
fn architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

/// Checks for a fully qualified `registry/path:tag`: the registry part must look like a host
/// (contain `.` or `:`, or be `localhost`) so containerd's and the kubelet's names agree.
fn validate_reference(reference: &str) -> Result<()> {
    let invalid = |reason| {
        Err(ImageError::InvalidReference {
            reference: reference.to_owned(),
            reason,
        })
    };
    if reference.is_empty() {
        return invalid("it is empty");
    }
    if reference.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return invalid("it contains whitespace");
    }
    if reference.contains('@') {
        return invalid("digest references cannot be built; use registry/name:tag");
    }
    let Some((registry, rest)) = reference.split_once('/') else {
        return invalid("it must name a registry, e.g. crashlab.dev/app:v1");
    };
    if !(registry.contains('.') || registry.contains(':') || registry == "localhost") {
        return invalid("the first component must be a registry host, e.g. crashlab.dev/app:v1");
    }
    let last = rest.rsplit('/').next().unwrap_or(rest);
    let Some((name, tag)) = last.split_once(':') else {
        return invalid("it must end in a tag, e.g. :v1");
    };
    if name.is_empty() || tag.is_empty() {
        return invalid("the name and the tag must not be empty");
    }
    if rest.split('/').any(str::is_empty) {
        return invalid("it contains an empty path component");
    }
    if rest.contains(|c: char| c.is_ascii_uppercase()) {
        return invalid("repository names must be lowercase");
    }
    Ok(())
}

/// One entry of the layer tar.
enum LayerEntry<'a> {
    Dir,
    File { mode: u32, bytes: &'a [u8] },
}

/// Validates and normalizes the spec's files, adding their parent directories. Sorted by path,
/// so a directory always comes before its contents.
fn layer_entries(spec: &ImageSpec) -> Result<BTreeMap<String, LayerEntry<'_>>> {
    let mut entries = BTreeMap::new();
    for file in &spec.files {
        let path = normalize_path(&spec.reference, &file.path)?;
        if file.mode & !0o7777 != 0 {
            return Err(ImageError::InvalidMode {
                reference: spec.reference.clone(),
                path: file.path.clone(),
                mode: file.mode,
            });
        }
        let duplicate = |path: &str| ImageError::DuplicatePath {
            reference: spec.reference.clone(),
            path: path.to_owned(),
        };
        for (i, _) in path.match_indices('/') {
            let parent = &path[..i];
            match entries.entry(parent.to_owned()) {
                Entry::Vacant(slot) => {
                    slot.insert(LayerEntry::Dir);
                }
                Entry::Occupied(existing) => {
                    if let LayerEntry::File { .. } = existing.get() {
                        return Err(duplicate(parent));
                    }
                }
            }
        }
        match entries.entry(path) {
            Entry::Vacant(slot) => {
                slot.insert(LayerEntry::File {
                    mode: file.mode,
                    bytes: &file.bytes,
                });
            }
            Entry::Occupied(existing) => return Err(duplicate(existing.key())),
        }
    }
    Ok(entries)
}

/// `/crashprobe` → `crashprobe`; rejects empty, `.`/`..` and doubled-slash components.
fn normalize_path(reference: &str, path: &str) -> Result<String> {
    let invalid = |reason| ImageError::InvalidPath {
        reference: reference.to_owned(),
        path: path.to_owned(),
        reason,
    };
    let relative = path.trim_start_matches('/');
    if relative.is_empty() {
        return Err(invalid("it names the root directory"));
    }
    if relative.contains('\0') {
        return Err(invalid("it contains a NUL byte"));
    }
    for component in relative.split('/') {
        match component {
            "" => return Err(invalid("it has an empty component or a trailing slash")),
            "." | ".." => return Err(invalid("it has a `.` or `..` component")),
            _ => {}
        }
    }
    Ok(relative.to_owned())
}

fn layer_tar(entries: &BTreeMap<String, LayerEntry<'_>>) -> io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, entry) in entries {
        match entry {
            LayerEntry::Dir => {
                append(&mut builder, path, tar::EntryType::Directory, DIR_MODE, &[])?
            }
            LayerEntry::File { mode, bytes } => {
                append(&mut builder, path, tar::EntryType::Regular, *mode, bytes)?
            }
        }
    }
    builder.into_inner()
}

/// A path in the outer archive.
enum OuterEntry<'a> {
    Dir(&'a str),
    File(&'a str),
}

fn outer_tar(entries: &[(OuterEntry<'_>, &[u8])]) -> io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    for (entry, bytes) in entries {
        match entry {
            OuterEntry::Dir(path) => {
                append(&mut builder, path, tar::EntryType::Directory, DIR_MODE, &[])?
            }
            OuterEntry::File(path) => append(
                &mut builder,
                path,
                tar::EntryType::Regular,
                FILE_MODE,
                bytes,
            )?,
        }
    }
    builder.into_inner()
}

/// Appends one entry with everything that could vary between builds pinned.
fn append(
    builder: &mut tar::Builder<Vec<u8>>,
    path: &str,
    kind: tar::EntryType,
    mode: u32,
    bytes: &[u8],
) -> io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_size(bytes.len() as u64);
    builder.append_data(&mut header, path, bytes)
}

fn gzip(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = GzBuilder::new()
        .mtime(0)
        .operating_system(GZIP_OS_UNKNOWN)
        .write(Vec::new(), Compression::new(GZIP_LEVEL));
    encoder.write_all(bytes)?;
    encoder.finish()
}

fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn blob_path(digest: &str) -> String {
    format!("blobs/sha256/{}", digest.trim_start_matches("sha256:"))
}

fn descriptor(media_type: &str, digest: &str, size: usize) -> serde_json::Value {
    json!({ "mediaType": media_type, "digest": digest, "size": size })
}

fn to_json(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value always serializes")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Read;

    use serde_json::Value;

    use super::*;
    use crate::image::ImageFile;

    fn sample_spec() -> ImageSpec {
        ImageSpec {
            reference: "crashlab.dev/sample:v1".to_owned(),
            entrypoint: vec!["/bin/app".to_owned()],
            cmd: vec!["serve".to_owned(), "8080".to_owned()],
            files: vec![
                ImageFile::executable("/bin/app", b"\x7fELF not really".to_vec()),
                ImageFile::data("etc/app/config.yaml", b"port: 8080\n".to_vec()),
            ],
        }
    }

    /// Every entry of a tar: path → (header, contents).
    fn untar(bytes: &[u8]) -> Vec<(String, tar::Header, Vec<u8>)> {
        let mut archive = tar::Archive::new(bytes);
        archive
            .entries()
            .unwrap()
            .map(|entry| {
                let mut entry = entry.unwrap();
                let path = entry.path().unwrap().to_string_lossy().into_owned();
                let header = entry.header().clone();
                let mut contents = Vec::new();
                entry.read_to_end(&mut contents).unwrap();
                (path, header, contents)
            })
            .collect()
    }

    fn files(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
        untar(bytes)
            .into_iter()
            .filter(|(_, header, _)| header.entry_type().is_file())
            .map(|(path, _, contents)| (path, contents))
            .collect()
    }

    fn json_file(files: &HashMap<String, Vec<u8>>, path: &str) -> Value {
        serde_json::from_slice(&files[path]).unwrap()
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn two_builds_are_byte_identical() {
        let first = ImageArchive::build(&sample_spec()).unwrap();
        let second = ImageArchive::build(&sample_spec()).unwrap();
        assert!(first.bytes() == second.bytes(), "archives differ");
        assert_eq!(first.manifest_digest(), second.manifest_digest());
    }

    #[test]
    fn a_different_file_gives_a_different_manifest_digest() {
        let mut changed = sample_spec();
        changed.files[1].bytes = b"port: 9090\n".to_vec();
        let first = ImageArchive::build(&sample_spec()).unwrap();
        let second = ImageArchive::build(&changed).unwrap();
        assert_ne!(first.manifest_digest(), second.manifest_digest());
    }

    #[test]
    fn every_blob_is_named_after_its_digest() {
        let archive = ImageArchive::build(&sample_spec()).unwrap();
        let files = files(archive.bytes());
        let blobs: Vec<_> = files
            .iter()
            .filter_map(|(path, bytes)| Some((path.strip_prefix("blobs/sha256/")?, bytes)))
            .collect();
        assert_eq!(blobs.len(), 3, "manifest, config and layer");
        for (name, bytes) in blobs {
            assert_eq!(format!("sha256:{name}"), sha256_digest(bytes));
        }
    }

    #[test]
    fn index_manifest_and_config_point_at_matching_blobs() {
        let archive = ImageArchive::build(&sample_spec()).unwrap();
        let files = files(archive.bytes());

        assert_eq!(
            json_file(&files, "oci-layout"),
            json!({ "imageLayoutVersion": "1.0.0" })
        );
        let index = json_file(&files, "index.json");
        assert_eq!(index["schemaVersion"], 2);
        assert_eq!(index["mediaType"], MEDIA_TYPE_INDEX);
        let manifests = index["manifests"].as_array().unwrap();
        assert_eq!(manifests.len(), 1);
        let entry = &manifests[0];
        assert_eq!(entry["mediaType"], MEDIA_TYPE_MANIFEST);
        assert_eq!(entry["digest"], archive.manifest_digest());
        assert_eq!(
            entry["annotations"],
            json!({
                "io.containerd.image.name": "crashlab.dev/sample:v1",
                "org.opencontainers.image.ref.name": "crashlab.dev/sample:v1",
            })
        );
        assert_eq!(entry["platform"]["os"], "linux");
        assert_eq!(entry["platform"]["architecture"], architecture());

        let manifest_bytes = &files[&blob_path(archive.manifest_digest())];
        assert_eq!(entry["size"], manifest_bytes.len());
        let manifest: Value = serde_json::from_slice(manifest_bytes).unwrap();
        assert_eq!(manifest["schemaVersion"], 2);
        assert_eq!(manifest["config"]["mediaType"], MEDIA_TYPE_CONFIG);
        assert_eq!(manifest["config"]["digest"], archive.config_digest());
        let config_bytes = &files[&blob_path(archive.config_digest())];
        assert_eq!(manifest["config"]["size"], config_bytes.len());
        let layers = manifest["layers"].as_array().unwrap();
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0]["mediaType"], MEDIA_TYPE_LAYER_GZIP);
        assert_eq!(layers[0]["digest"], archive.layer_digest());
        assert_eq!(
            layers[0]["size"],
            files[&blob_path(archive.layer_digest())].len()
        );

        let config: Value = serde_json::from_slice(config_bytes).unwrap();
        assert_eq!(config["os"], "linux");
        assert_eq!(
            config["config"],
            json!({
                "Entrypoint": ["/bin/app"],
                "Cmd": ["serve", "8080"],
                "Env": ["PATH=/"],
            })
        );
        assert_eq!(config["rootfs"]["type"], "layers");
        assert_eq!(config["rootfs"]["diff_ids"], json!([archive.diff_id()]));
    }

    #[test]
    fn diff_id_is_the_digest_of_the_uncompressed_layer() {
        let archive = ImageArchive::build(&sample_spec()).unwrap();
        let files = files(archive.bytes());
        let layer = &files[&blob_path(archive.layer_digest())];
        assert_eq!(&layer[..2], b"\x1f\x8b", "layer is gzip");
        assert_eq!(sha256_digest(&gunzip(layer)), archive.diff_id());
        assert_ne!(archive.diff_id(), archive.layer_digest());
    }

    #[test]
    fn docker_manifest_names_the_same_blobs() {
        let archive = ImageArchive::build(&sample_spec()).unwrap();
        let files = files(archive.bytes());
        let docker = json_file(&files, "manifest.json");
        assert_eq!(
            docker,
            json!([{
                "Config": blob_path(archive.config_digest()),
                "RepoTags": ["crashlab.dev/sample:v1"],
                "Layers": [blob_path(archive.layer_digest())],
            }])
        );
        for path in [
            blob_path(archive.config_digest()),
            blob_path(archive.layer_digest()),
        ] {
            assert!(files.contains_key(&path), "{path} missing");
        }
    }

    #[test]
    fn layer_entries_are_pinned_and_sorted_with_parents() {
        let archive = ImageArchive::build(&sample_spec()).unwrap();
        let layer = gunzip(&files(archive.bytes())[&blob_path(archive.layer_digest())]);
        let entries = untar(&layer);
        let summary: Vec<_> = entries
            .iter()
            .map(|(path, header, contents)| {
                (
                    path.as_str(),
                    header.entry_type(),
                    header.mode().unwrap(),
                    contents.as_slice(),
                )
            })
            .collect();
        use tar::EntryType::{Directory, Regular};
        assert_eq!(
            summary,
            [
                ("bin", Directory, 0o755, &b""[..]),
                ("bin/app", Regular, 0o755, b"\x7fELF not really"),
                ("etc", Directory, 0o755, b""),
                ("etc/app", Directory, 0o755, b""),
                ("etc/app/config.yaml", Regular, 0o644, b"port: 8080\n"),
            ]
        );
        for (path, header, _) in entries.iter().chain(&untar(archive.bytes())) {
            assert_eq!(header.mtime().unwrap(), 0, "{path}");
            assert_eq!(header.uid().unwrap(), 0, "{path}");
            assert_eq!(header.gid().unwrap(), 0, "{path}");
        }
    }

    #[test]
    fn gzip_header_has_no_timestamp() {
        let archive = ImageArchive::build(&sample_spec()).unwrap();
        let layer = &files(archive.bytes())[&blob_path(archive.layer_digest())];
        assert_eq!(&layer[4..8], [0, 0, 0, 0], "MTIME");
        assert_eq!(layer[9], GZIP_OS_UNKNOWN, "OS");
    }

    #[test]
    fn empty_cmd_is_left_out_of_the_config() {
        let mut spec = sample_spec();
        spec.cmd.clear();
        let archive = ImageArchive::build(&spec).unwrap();
        let config = json_file(&files(archive.bytes()), &blob_path(archive.config_digest()));
        assert_eq!(
            config["config"],
            json!({ "Entrypoint": ["/bin/app"], "Env": ["PATH=/"] })
        );
    }

    #[test]
    fn write_to_writes_the_bytes() {
        let archive = ImageArchive::build(&sample_spec()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sample.tar");
        archive.write_to(&path).unwrap();
        assert!(std::fs::read(&path).unwrap() == archive.bytes());
    }

    #[test]
    fn write_to_a_missing_directory_names_the_path() {
        let archive = ImageArchive::build(&sample_spec()).unwrap();
        let err = archive
            .write_to("/nonexistent-crashlab-dir/x.tar")
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("could not write image archive \"/nonexistent-crashlab-dir/x.tar\""),
            "{err}"
        );
    }

    fn build_error(edit: impl FnOnce(&mut ImageSpec)) -> String {
        let mut spec = sample_spec();
        edit(&mut spec);
        ImageArchive::build(&spec).unwrap_err().to_string()
    }

    #[test]
    fn rejects_references_the_kubelet_would_not_find() {
        let cases = [
            (
                "crashprobe:v1",
                "it must name a registry, e.g. crashlab.dev/app:v1",
            ),
            (
                "crashlab/probe:v1",
                "the first component must be a registry host, e.g. crashlab.dev/app:v1",
            ),
            ("crashlab.dev/probe", "it must end in a tag, e.g. :v1"),
            (
                "crashlab.dev/probe:",
                "the name and the tag must not be empty",
            ),
            (
                "crashlab.dev//probe:v1",
                "it contains an empty path component",
            ),
            (
                "crashlab.dev/Probe:v1",
                "repository names must be lowercase",
            ),
            (
                "crashlab.dev/probe@sha256:00",
                "digest references cannot be built; use registry/name:tag",
            ),
            ("crashlab.dev/probe :v1", "it contains whitespace"),
            ("", "it is empty"),
        ];
        for (reference, reason) in cases {
            assert_eq!(
                build_error(|spec| spec.reference = reference.to_owned()),
                format!("invalid image reference {reference:?}: {reason}"),
            );
        }
        for ok in [
            "localhost/probe:v1",
            "localhost:5000/a/b:v1",
            "docker.io/crashlab/probe:v1",
        ] {
            validate_reference(ok).unwrap();
        }
    }

    #[test]
    fn rejects_bad_paths_duplicates_and_modes() {
        assert_eq!(
            build_error(|spec| spec.files[0].path = "/".to_owned()),
            "invalid path \"/\" in image \"crashlab.dev/sample:v1\": it names the root directory"
        );
        assert_eq!(
            build_error(|spec| spec.files[0].path = "bin/../app".to_owned()),
            "invalid path \"bin/../app\" in image \"crashlab.dev/sample:v1\": \
             it has a `.` or `..` component"
        );
        assert_eq!(
            build_error(|spec| spec.files[0].path = "bin//app".to_owned()),
            "invalid path \"bin//app\" in image \"crashlab.dev/sample:v1\": \
             it has an empty component or a trailing slash"
        );
        assert_eq!(
            build_error(|spec| spec.files.push(ImageFile::data("bin/app", Vec::new()))),
            "path \"bin/app\" appears twice in image \"crashlab.dev/sample:v1\""
        );
        assert_eq!(
            build_error(|spec| spec.files.push(ImageFile::data("bin/app/x", Vec::new()))),
            "path \"bin/app\" appears twice in image \"crashlab.dev/sample:v1\""
        );
        assert_eq!(
            build_error(|spec| spec.files[0].mode = 0o100755),
            "mode 0o100755 of \"/bin/app\" in image \"crashlab.dev/sample:v1\" is not a \
             permission mode (max 0o7777)"
        );
        assert_eq!(
            build_error(|spec| {
                spec.entrypoint.clear();
                spec.cmd.clear();
            }),
            "image \"crashlab.dev/sample:v1\" has neither an entrypoint nor a command"
        );
    }
}
