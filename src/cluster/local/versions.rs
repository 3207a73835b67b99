//! The pinned component versions of the local provider: which Kubernetes release each
//! supported minor resolves to, and what that release needs from etcd, containerd, Go and
//! the kubelet configuration (docs/local-cluster.md, "Versions").

use std::fmt;

use crate::k8s_version::{Semver, VersionTable};

/// etcd for every supported release: Debian sid's `etcd-server`, verified running on these
/// hosts. Since 1.31 the API server needs ≥3.5.13 for `RequestWatchProgress`,
/// otherwise consistent watch streams fail (docs/local-cluster.md, "Versions").
pub const ETCD: &str = "3.5.30";
/// The oldest etcd 3.5 the API server is happy with; a newer sid build is accepted.
pub const ETCD_MINIMUM: Semver = Semver::new(3, 5, 13);

/// containerd 2.1 is the floor containerd's RELEASES.md gives for Kubernetes 1.32+, and 1.35
/// is the last Kubernetes release that still supports containerd 1.x (docs/local-cluster.md, "Versions").
pub const CONTAINERD_MINIMUM: Semver = Semver::new(2, 1, 0);

/// One pinned Kubernetes release and the facts the provider needs about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// The tag, as `--version` prints it and the release bucket names it: `v1.34.4`.
    pub version: &'static str,
    pub minor: u64,
    pub patch: u64,
    /// The `go` directive of upstream's go.mod: the oldest Go that builds it.
    pub go_minimum: Semver,
    /// 1.35 made `failCgroupV1: true` the kubelet default (KEP-5573); these hosts run cgroup v1
    /// hybrid, so the kubelet config must set `failCgroupV1: false`.
    pub kubelet_needs_fail_cgroup_v1_false: bool,
    /// The etcd version to run with it.
    pub etcd: &'static str,
    /// The oldest containerd supported with it.
    pub containerd_minimum: Semver,
}

impl Release {
    /// The full version as a [`Semver`].
    /// (The pre-release part is not in it: `v1.38.0-beta.0` is `1.38.0` here.)
    pub fn semver(&self) -> Semver {
        Semver::new(1, self.minor, self.patch)
    }

    /// The version of the published staging modules (`k8s.io/api` and friends) that belong
    /// to this release: `v0.34.4` for `v1.34.4`, `v0.38.0-beta.0` for `v1.38.0-beta.0` (the
    /// publishing bot tags them with the same pre-release part).
    pub fn staging_version(&self) -> String {
        use crate::k8s_version::Pinned;
        match self.pre_release() {
            Some(pre) => format!("v0.{}.{}-{pre}", self.minor, self.patch),
            None => format!("v0.{}.{}", self.minor, self.patch),
        }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.version)
    }
}

/// The pinned releases, oldest first. Of the recent patch releases of k8s.io/kubernetes, the
/// Go module proxy reachable from CI machines serves these (others answer 403).
pub const RELEASES: VersionTable<Release> = VersionTable::new(&[
    Release {
        version: "v1.34.4",
        minor: 34,
        patch: 4,
        go_minimum: Semver::new(1, 24, 0),
        kubelet_needs_fail_cgroup_v1_false: false,
        etcd: ETCD,
        containerd_minimum: CONTAINERD_MINIMUM,
    },
    Release {
        version: "v1.35.4",
        minor: 35,
        patch: 4,
        go_minimum: Semver::new(1, 25, 0),
        kubelet_needs_fail_cgroup_v1_false: true,
        etcd: ETCD,
        containerd_minimum: CONTAINERD_MINIMUM,
    },
    Release {
        version: "v1.36.3",
        minor: 36,
        patch: 3,
        go_minimum: Semver::new(1, 26, 0),
        kubelet_needs_fail_cgroup_v1_false: true,
        etcd: ETCD,
        containerd_minimum: CONTAINERD_MINIMUM,
    },
    // 1.37 still accepts cgroup v1 when told to (`failCgroupV1` defaults to true and is
    // checked in pkg/kubelet/apis/config/validation/validation_linux.go, as in 1.35).
    Release {
        version: "v1.37.0",
        minor: 37,
        patch: 0,
        go_minimum: Semver::new(1, 26, 0),
        kubelet_needs_fail_cgroup_v1_false: true,
        etcd: ETCD,
        containerd_minimum: CONTAINERD_MINIMUM,
    },
    // A pre-release, listed as one; its staging modules are `v0.38.0-beta.0`. Its go.mod says
    // `go 1.27.0` (newer than the Go of these machines: `GOTOOLCHAIN=go1.27.3` builds it).
    // cgroup v1 is still accepted when told to: `failCgroupV1` still defaults to true
    // (pkg/kubelet/apis/config/v1beta1/defaults.go) and is the only cgroup v1 refusal in
    // pkg/kubelet/apis/config/validation/validation_linux.go, as in 1.35-1.37.
    Release {
        version: "v1.38.0-beta.0",
        minor: 38,
        patch: 0,
        go_minimum: Semver::new(1, 27, 0),
        kubelet_needs_fail_cgroup_v1_false: true,
        etcd: ETCD,
        containerd_minimum: CONTAINERD_MINIMUM,
    },
]);

crate::pinned_row!(Release);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_spelling_resolves_to_the_pinned_release() {
        for given in ["1.35", "v1.35", "1.35.4", "v1.35.4", " v1.35 "] {
            assert_eq!(
                RELEASES.resolve(given).unwrap().version,
                "v1.35.4",
                "{given}"
            );
        }
        assert_eq!(RELEASES.resolve("1.34").unwrap().version, "v1.34.4");
        assert_eq!(RELEASES.resolve("v1.36.3").unwrap().version, "v1.36.3");
        for given in ["1.38", "v1.38", "v1.38.0-beta.0", "1.38.0-beta.0"] {
            assert_eq!(
                RELEASES.resolve(given).unwrap().version,
                "v1.38.0-beta.0",
                "{given}"
            );
        }
    }

    /// 1.38 is a beta: listed as a pre-release, never the default, built from the staging
    /// modules of the same pre-release with Go 1.27.
    #[test]
    fn the_pre_release() {
        use crate::k8s_version::Pinned;
        let beta = RELEASES.resolve("1.38").unwrap();
        assert_eq!(beta.pre_release(), Some("beta.0"));
        assert_eq!(beta.staging_version(), "v0.38.0-beta.0");
        assert_eq!(beta.go_minimum, Semver::new(1, 27, 0));
        assert_eq!(beta.semver(), Semver::new(1, 38, 0));
        assert!(beta.kubelet_needs_fail_cgroup_v1_false);
        let pinned = RELEASES.pinned();
        let listed: Vec<_> = pinned.iter().map(|p| (p.minor, p.remark())).collect();
        assert_eq!(
            listed,
            [
                (34, Some("default")),
                (35, None),
                (36, None),
                (37, None),
                (38, Some("pre-release"))
            ]
        );
        assert_eq!(
            RELEASES.resolve("1.38.0").unwrap_err().to_string(),
            "kubernetes 1.38.0 is not the pinned patch release of 1.38: crashlab pins \
             v1.38.0-beta.0 (give `1.38` or `v1.38.0-beta.0`)"
        );
    }

    /// Spellings that are no version at all are the table's to refuse (k8s_version's tests);
    /// here, that the message lists this provider's pins.
    #[test]
    fn unknown_versions_list_the_supported_ones() {
        assert_eq!(
            RELEASES.resolve("1.33").unwrap_err().to_string(),
            "unsupported kubernetes version \"1.33\": supported are 1.34 (v1.34.4, default), \
             1.35 (v1.35.4), 1.36 (v1.36.3), 1.37 (v1.37.0), 1.38 (v1.38.0-beta.0, pre-release) \
             (give a minor such as `1.35`, or the full pinned version)"
        );
    }

    #[test]
    fn another_patch_of_a_supported_minor_names_the_pinned_one() {
        assert_eq!(
            RELEASES.resolve("v1.35.3").unwrap_err().to_string(),
            "kubernetes v1.35.3 is not the pinned patch release of 1.35: crashlab pins v1.35.4 \
             (give `1.35` or `v1.35.4`)"
        );
    }

    #[test]
    fn table_facts() {
        assert_eq!(RELEASES.default_row().version, "v1.34.4");
        let needs: Vec<_> = RELEASES
            .rows()
            .iter()
            .map(|r| (r.minor, r.kubelet_needs_fail_cgroup_v1_false))
            .collect();
        assert_eq!(
            needs,
            [(34, false), (35, true), (36, true), (37, true), (38, true)]
        );
        for r in RELEASES.rows() {
            use crate::k8s_version::Pinned;
            assert_eq!(r.etcd, "3.5.30");
            assert_eq!(r.containerd_minimum, Semver::new(2, 1, 0));
            let pre = r.pre_release().map(|p| format!("-{p}")).unwrap_or_default();
            assert_eq!(r.version, format!("v1.{}.{}{pre}", r.minor, r.patch));
            assert!(Semver::parse_lenient(r.etcd).unwrap() >= ETCD_MINIMUM);
        }
        assert_eq!(
            RELEASES.resolve("1.34").unwrap().staging_version(),
            "v0.34.4"
        );
        assert_eq!(
            RELEASES.resolve("1.36").unwrap().go_minimum,
            Semver::new(1, 26, 0)
        );
    }

    #[test]
    fn old_containerd_is_below_the_floor() {
        assert!(Semver::new(1, 6, 20) < CONTAINERD_MINIMUM);
    }
}
