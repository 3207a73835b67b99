//! etcd: from the cache, else extracted from Debian sid's `etcd-server` package.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::cache::{
    CacheState, Source, cache_state, lock, new_partial, publish, remove_partials, write_stamp,
};
use super::error::{BinariesError, Result, io_err, spawn_err};
use super::options::Options;
use crate::cluster::local::os_deps::output_retrying;
use crate::cluster::local::versions::{ETCD, ETCD_MINIMUM};
use crate::cluster::progress::Progress;
use crate::k8s_version::Semver;

/// `etcd` of the pinned version (or a newer 3.5 that sid now ships): from the cache, else
/// `apt-get download etcd-server/sid` + `dpkg-deb -x`. Needs the sid apt source that
/// `crashlab cluster deps` adds; installing the package is not an option, its
/// postinst breaks on bookworm.
pub fn ensure_etcd(options: &Options, progress: &mut dyn Progress) -> Result<PathBuf> {
    let root = options.cache_dir.join("etcd");
    fs::create_dir_all(&root).map_err(io_err("create", &root))?;
    let _lock = lock(&root.join(".lock"), progress, "etcd")?;
    remove_partials(&root)?;

    let pinned = root.join(ETCD);
    match cache_state(&pinned, ETCD, &["etcd"]) {
        CacheState::Valid(_) => return Ok(pinned.join("etcd")),
        CacheState::Unstamped => match etcd_version(&pinned.join("etcd")) {
            Ok(v) if v == ETCD => {
                write_stamp(&pinned, ETCD, &Source::Adopted)?;
                progress.note(&format!(
                    "adopted etcd {ETCD} found in {}",
                    pinned.display()
                ));
                return Ok(pinned.join("etcd"));
            }
            Ok(v) => progress.note(&format!("not using {}: it is etcd {v}", pinned.display())),
            Err(e) => progress.note(&format!("not using {}: {e}", pinned.display())),
        },
        _ => {}
    }
    if let Some(dir) = newest_cached_etcd(&root) {
        return Ok(dir.join("etcd"));
    }

    progress.step("downloading etcd-server from Debian sid");
    let started = Instant::now();
    let partial = new_partial(&root)?;
    // apt-get download runs as the `_apt` user when it can, which must be able to write here.
    fs::set_permissions(
        partial.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .map_err(io_err("chmod", partial.path()))?;
    let out = Command::new("apt-get")
        .args(["download", "etcd-server/sid"])
        .current_dir(partial.path())
        .stdin(Stdio::null())
        .output()
        .map_err(spawn_err("apt-get"))?;
    let combined = || {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .trim()
        .to_string()
    };
    let deb = fs::read_dir(partial.path())
        .map_err(io_err("read", partial.path()))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"));
    let deb = match deb {
        Some(deb) if out.status.success() => deb,
        _ => return Err(BinariesError::EtcdDownload { output: combined() }),
    };
    let package = deb
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let extracted = partial.path().join("x");
    let out = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(&extracted)
        .output()
        .map_err(spawn_err("dpkg-deb"))?;
    if !out.status.success() {
        return Err(BinariesError::EtcdExtract {
            package,
            output: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let binary = extracted.join("usr/bin/etcd");
    if !binary.is_file() {
        return Err(BinariesError::EtcdNotInPackage { package });
    }
    let etcd = partial.path().join("etcd");
    fs::rename(&binary, &etcd).map_err(io_err("move", &binary))?;
    fs::remove_dir_all(&extracted).map_err(io_err("remove", &extracted))?;
    fs::remove_file(&deb).map_err(io_err("remove", &deb))?;

    let found = etcd_version(&etcd)?;
    if !etcd_supported(&found) {
        return Err(BinariesError::EtcdUnsupported { package, found });
    }
    if found != ETCD {
        progress.note(&format!(
            "Debian sid now ships etcd {found} (crashlab pins {ETCD}); using it"
        ));
    }
    let dest = root.join(&found);
    publish(
        partial,
        &dest,
        &found,
        &Source::Debian {
            package: package.clone(),
        },
    )?;
    progress.done(&format!("etcd {found} from {package}"), started.elapsed());
    Ok(dest.join("etcd"))
}

/// 3.5 at or above the floor the API server needs.
fn etcd_supported(version: &str) -> bool {
    Semver::parse_lenient(version)
        .is_some_and(|v| v.major == 3 && v.minor == 5 && v >= ETCD_MINIMUM)
}

/// The newest valid stamped etcd directory of a supported version other than the pinned one.
fn newest_cached_etcd(root: &Path) -> Option<PathBuf> {
    fs::read_dir(root)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = Semver::parse_lenient(&name)?;
            let valid = etcd_supported(&name)
                && matches!(
                    cache_state(&e.path(), &name, &["etcd"]),
                    CacheState::Valid(_)
                );
            valid.then(|| (version, e.path()))
        })
        .max_by_key(|(v, _)| *v)
        .map(|(_, p)| p)
}

/// `3.5.30`, from the first line of `etcd --version` (`etcd Version: 3.5.30`).
fn etcd_version(etcd: &Path) -> Result<String> {
    let out = output_retrying(Command::new(etcd).arg("--version").stdin(Stdio::null()))
        .map_err(spawn_err(etcd.display().to_string()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("etcd Version:"))
        .map(|v| v.trim().to_string())
        .ok_or_else(|| BinariesError::WrongVersion {
            path: etcd.to_path_buf(),
            expected: format!("etcd Version: {ETCD}"),
            output: text.trim().to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::local::binaries::Stamp;
    use crate::cluster::local::binaries::fixtures::{offline, write_stand_in};
    use crate::cluster::progress::{Lines, Quiet};

    #[test]
    fn etcd_versions() {
        assert!(etcd_supported("3.5.30"));
        assert!(etcd_supported("3.5.13"));
        assert!(!etcd_supported("3.5.12"));
        assert!(!etcd_supported("3.4.23"));
        assert!(!etcd_supported("3.6.5"));

        let cache = tempfile::tempdir().unwrap();
        let dir = cache.path().join("etcd").join(ETCD);
        fs::create_dir_all(&dir).unwrap();
        write_stand_in(
            &dir.join("etcd"),
            &format!("#!/bin/sh\necho 'etcd Version: {ETCD}'\necho 'Git SHA: Not provided'\n"),
        );
        let etcd = ensure_etcd(&offline(cache.path()), &mut Quiet).unwrap();
        assert_eq!(etcd, dir.join("etcd"));
        assert!(matches!(
            cache_state(&dir, ETCD, &["etcd"]),
            CacheState::Valid(Stamp {
                source: Source::Adopted,
                ..
            })
        ));
    }

    #[test]
    fn a_newer_stamped_etcd_is_used_when_the_pinned_one_is_absent() {
        let cache = tempfile::tempdir().unwrap();
        let dir = cache.path().join("etcd/3.5.31");
        fs::create_dir_all(&dir).unwrap();
        write_stand_in(
            &dir.join("etcd"),
            "#!/bin/sh\necho 'etcd Version: 3.5.31'\n",
        );
        write_stamp(
            &dir,
            "3.5.31",
            &Source::Debian {
                package: "etcd-server_3.5.31-1_amd64.deb".into(),
            },
        )
        .unwrap();
        assert_eq!(
            ensure_etcd(&offline(cache.path()), &mut Quiet).unwrap(),
            dir.join("etcd")
        );
    }

    #[test]
    #[ignore = "fills the real cache under ~/.cache/crashlab from Debian sid"]
    fn real_machine_etcd_from_cache() {
        // The pinned sid source, which a fresh machine gets from `cluster deps`.
        crate::cluster::local::os_deps::prepare_this_machine_for_tests();
        let options = Options::from_env().unwrap();
        let etcd = ensure_etcd(&options, &mut Lines::new(std::io::stderr())).unwrap();
        eprintln!(
            "{} reports {}",
            etcd.display(),
            etcd_version(&etcd).unwrap()
        );
        assert_eq!(etcd_version(&etcd).unwrap(), ETCD);
    }
}
