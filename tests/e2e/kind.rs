//! The kind provider's plumbing, end to end through the command line.
//!
//! These tests put stand-ins for `kind` and `docker` first and alone on `PATH`: small shell
//! scripts that record their arguments, keep a copy of every file they are given (the kind
//! configuration, the image archives) at the moment they are called, and play back canned
//! output. They check what crashlab asks kind to do, and the error paths a real machine cannot
//! be made to show on demand (kind missing, `docker info` failing, `kind create` failing);
//! `tests/kind_cluster.rs` runs the catalogue on a real kind cluster.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support;
use support::Run;

use serde_yaml::Value;

const NODE_1_35: &str =
    "kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0";
const NODE_1_34: &str =
    "kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d";

/// Records its arguments (one call per line, each argument ended by \x1f), copies the file
/// after `--config` and the archive of `load image-archive` into `seen/`, then answers from
/// `<program>.<arg1>.<arg2>.{out,err,code}` or `<program>.<arg1>.{out,err,code}`.
/// Only shell built-ins and absolute paths: `PATH` holds nothing but the stand-ins.
const STANDIN: &str = r#"#!/bin/sh
d='@DIR@'
p='@NAME@'
{ for a in "$@"; do printf '%s\037' "$a"; done; printf '\n'; } >> "$d/$p.log"
prev=
for a in "$@"; do
  if [ "$prev" = --config ]; then /bin/cp "$a" "$d/seen/config.yaml"; fi
  prev=$a
done
if [ "$p $1 $2" = "kind load image-archive" ]; then /bin/cp "$3" "$d/seen/"; fi
key="$d/$p.$1.$2"
if [ ! -e "$key.out" ] && [ ! -e "$key.err" ] && [ ! -e "$key.code" ]; then key="$d/$p.$1"; fi
if [ -e "$key.out" ]; then /bin/cat "$key.out"; fi
if [ -e "$key.err" ]; then /bin/cat "$key.err" >&2; fi
code=0
if [ -e "$key.code" ]; then read -r code < "$key.code"; fi
exit "$code"
"#;

/// A scratch directory with `bin/kind` and `bin/docker` stand-ins, a `seen/` directory for the
/// files they were given, and crashlab's `TMPDIR`, `HOME` and (absent) kubeconfig.
struct Standins {
    dir: tempfile::TempDir,
}

impl Standins {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["bin", "seen", "tmp", "home"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let s = Standins { dir };
        for program in ["kind", "docker"] {
            let script = STANDIN
                .replace("@DIR@", s.path().to_str().unwrap())
                .replace("@NAME@", program);
            let path = s.path().join("bin").join(program);
            support::write_program(&path, script.as_bytes());
        }
        // The nodes as the control plane's kubectl lists them once they can take pods
        // (crashlab waits for that after `kind create cluster`).
        s.respond("docker", &["exec"], "crashlab-control-plane|True|\n", "", 0);
        s
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remove(&self, program: &str) {
        fs::remove_file(self.path().join("bin").join(program)).unwrap();
    }

    /// Canned answer of `program` to the calls starting with `args` (one or two words).
    fn respond(&self, program: &str, args: &[&str], stdout: &str, stderr: &str, code: i32) {
        let key = self.path().join(format!("{program}.{}", args.join(".")));
        let with = |ext: &str| PathBuf::from(format!("{}.{ext}", key.display()));
        fs::write(with("out"), stdout).unwrap();
        fs::write(with("err"), stderr).unwrap();
        fs::write(with("code"), code.to_string()).unwrap();
    }

    /// Every call of `program`, as its arguments.
    fn calls(&self, program: &str) -> Vec<Vec<String>> {
        let Ok(log) = fs::read_to_string(self.path().join(format!("{program}.log"))) else {
            return Vec::new();
        };
        log.lines()
            .map(|l| {
                l.split('\x1f')
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .collect()
    }

    /// The copy of a file a stand-in was given, by its file name.
    fn seen(&self, name: &str) -> Vec<u8> {
        fs::read(self.path().join("seen").join(name))
            .unwrap_or_else(|e| panic!("the stand-in was not given {name}: {e}"))
    }

    fn crashlab(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_crashlab"));
        cmd.args(args)
            .env_clear()
            .env("PATH", self.path().join("bin"))
            .env("HOME", self.path().join("home"))
            .env("TMPDIR", self.path().join("tmp"))
            .env("KUBECONFIG", self.path().join("home/kubeconfig"))
            .env("NO_COLOR", "1")
            .env(
                support::RELEASE_DOWNLOAD_OFF.0,
                support::RELEASE_DOWNLOAD_OFF.1,
            );
        cmd
    }

    /// crashlab's temporary files are gone once it has exited.
    #[track_caller]
    fn assert_no_temporary_files_left(&self) {
        let left: Vec<_> = fs::read_dir(self.path().join("tmp"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
    }
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn shipped_kind_config() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("kind-config.yaml")).unwrap()
}

/// The path after `flag` in a call.
fn arg_after<'a>(call: &'a [String], flag: &str) -> &'a str {
    let i = call
        .iter()
        .position(|a| a == flag)
        .unwrap_or_else(|| panic!("no {flag} in {call:?}"));
    &call[i + 1]
}

/// The names of the files inside a tar.
fn tar_entries(bytes: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for entry in tar::Archive::new(bytes).entries().unwrap() {
        let mut entry = entry.unwrap();
        names.push(entry.path().unwrap().to_string_lossy().into_owned());
        entry.read_to_end(&mut Vec::new()).unwrap();
    }
    names
}

#[test]
fn up_creates_the_cluster_from_the_pinned_image_and_loads_every_builtin_image() {
    let s = Standins::new();
    let run = Run::new(s.crashlab(&[
        "cluster",
        "up",
        "--provider",
        "kind",
        "--kubernetes-version",
        "1.35",
    ]));
    run.expect_code(0);
    assert!(
        run.stdout().contains(&format!(
            "kind cluster ready: Kubernetes v1.35.8 ({NODE_1_35}); context `kind-crashlab`"
        )),
        "{}",
        run.stdout()
    );

    let calls = s.calls("kind");
    assert_eq!(calls.len(), 4, "{calls:?}");
    assert_eq!(calls[0], words("get clusters"));
    let config = arg_after(&calls[1], "--config").to_string();
    assert_eq!(
        calls[1],
        words(&format!(
            "create cluster --name crashlab --config {config} --image {NODE_1_35} --wait 2m"
        ))
    );
    // The shipped configuration, unchanged, from a temporary file that is gone afterwards.
    assert_eq!(
        String::from_utf8(s.seen("config.yaml")).unwrap(),
        shipped_kind_config()
    );
    assert!(config.starts_with(s.path().join("tmp").to_str().unwrap()));

    // One `kind load image-archive` per built-in image, in order, each given a complete OCI
    // archive of that image (compared byte for byte with the library's own build).
    let archives = crashlab::image::builtin_archives().unwrap();
    assert_eq!(archives.len(), 2);
    for (call, archive) in calls[2..].iter().zip(&archives) {
        let path = Path::new(&call[2]);
        assert_eq!(
            *call,
            words(&format!(
                "load image-archive {} --name crashlab",
                path.display()
            ))
        );
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, archive.file_name());
        let seen = s.seen(name);
        assert!(
            seen == archive.bytes(),
            "{name} differs from the built archive"
        );
        let entries = tar_entries(&seen);
        for must in ["index.json", "oci-layout", "manifest.json"] {
            assert!(entries.iter().any(|e| e == must), "{name}: {entries:?}");
        }
    }
    // `docker info`, and the one listing of the nodes that found them ready for pods.
    let docker: Vec<String> = s.calls("docker").iter().map(|c| c[0].clone()).collect();
    assert_eq!(
        docker.iter().filter(|c| *c != "info").collect::<Vec<_>>(),
        ["exec"],
        "{docker:?}"
    );
    s.assert_no_temporary_files_left();
}

#[test]
fn kubelet_tuning_reaches_kind_as_a_last_kubelet_patch() {
    let s = Standins::new();
    let fragment = s.path().join("kubelet.yaml");
    fs::write(
        &fragment,
        "crashLoopBackOff:\n  maxContainerRestartPeriod: 20s\n",
    )
    .unwrap();
    let run = Run::new(s.crashlab(&[
        "cluster",
        "up",
        "--provider",
        "kind",
        "--kubelet-config",
        fragment.to_str().unwrap(),
        "--feature-gates",
        "KubeletCrashLoopBackOffMax=true",
    ]));
    run.expect_code(0);
    let calls = s.calls("kind");
    // No version given: the default minor's image.
    assert_eq!(arg_after(&calls[1], "--image"), NODE_1_34);

    let config: Value = serde_yaml::from_slice(&s.seen("config.yaml")).unwrap();
    let shipped: Value = serde_yaml::from_str(&shipped_kind_config()).unwrap();
    for key in ["kind", "apiVersion", "name", "nodes"] {
        assert_eq!(config[key], shipped[key], "{key}");
    }
    let patches: Vec<Value> = config["kubeadmConfigPatches"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| serde_yaml::from_str(p.as_str().unwrap()).unwrap())
        .collect();
    let expected: Value = serde_yaml::from_str(
        "kind: KubeletConfiguration
crashLoopBackOff: {maxContainerRestartPeriod: 20s}
featureGates: {KubeletCrashLoopBackOffMax: true}",
    )
    .unwrap();
    assert_eq!(patches.len(), 2, "{patches:?}");
    assert_eq!(patches[1], expected);
    s.assert_no_temporary_files_left();
}

#[test]
fn an_existing_cluster_is_used_as_it_is_and_gets_the_images() {
    let s = Standins::new();
    s.respond("kind", &["get", "clusters"], "kind\ncrashlab\n", "", 0);
    let run = Run::new(s.crashlab(&["cluster", "up", "--provider", "kind"]));
    run.expect_code(0).stderr_has("already exists");
    assert!(
        run.stdout().contains("(it was already there)"),
        "{}",
        run.stdout()
    );
    let subcommands: Vec<String> = s.calls("kind").iter().map(|c| c[..2].join(" ")).collect();
    assert_eq!(
        subcommands,
        [
            "get clusters",
            "get nodes",
            "load image-archive",
            "load image-archive"
        ]
    );
}

/// `--nodes 3`: kind is given a control plane and two workers, crashlab waits for every node
/// (kind's own `--wait` covers the control plane only), and says which nodes there are; the
/// images go to every node (`kind load image-archive` without `--nodes`).
#[test]
fn three_nodes_are_a_control_plane_and_two_workers_all_waited_for() {
    let s = Standins::new();
    s.respond(
        "kind",
        &["get", "nodes"],
        "crashlab-worker2\ncrashlab-control-plane\ncrashlab-worker\n",
        "",
        0,
    );
    s.respond(
        "docker",
        &["exec"],
        "crashlab-control-plane|True|node-role.kubernetes.io/control-plane\n\
         crashlab-worker|True|\ncrashlab-worker2|True|\n",
        "",
        0,
    );
    let run = Run::new(s.crashlab(&["cluster", "up", "--provider", "kind", "--nodes", "3"]));
    run.expect_code(0)
        .stderr_has("a control plane and 2 workers")
        .stderr_has("waiting ≤ 120s for every node to be Ready and untainted");
    assert!(
        run.stdout().contains(&format!(
            "kind cluster ready: Kubernetes v1.34.11 ({NODE_1_34}), 3 nodes: crashlab-control-plane, crashlab-worker, crashlab-worker2; context `kind-crashlab`"
        )),
        "{}",
        run.stdout()
    );
    let config: Value = serde_yaml::from_slice(&s.seen("config.yaml")).unwrap();
    let nodes: Value =
        serde_yaml::from_str("[{role: control-plane}, {role: worker}, {role: worker}]").unwrap();
    assert_eq!(config["nodes"], nodes);
    let shipped: Value = serde_yaml::from_str(&shipped_kind_config()).unwrap();
    assert_eq!(
        config["kubeadmConfigPatches"],
        shipped["kubeadmConfigPatches"]
    );

    let calls = s.calls("kind");
    let subcommands: Vec<String> = calls.iter().map(|c| c[..2].join(" ")).collect();
    assert_eq!(
        subcommands,
        [
            "get clusters",
            "create cluster",
            "get nodes",
            "load image-archive",
            "load image-archive"
        ]
    );
    for load in &calls[3..] {
        assert!(!load.iter().any(|a| a == "--nodes"), "{load:?}");
    }
    let waited: Vec<Vec<String>> = s
        .calls("docker")
        .into_iter()
        .filter(|c| c[0] == "exec")
        .collect();
    assert_eq!(
        waited,
        [vec![
            "exec".to_string(),
            "crashlab-control-plane".into(),
            "kubectl".into(),
            "--kubeconfig=/etc/kubernetes/admin.conf".into(),
            "get".into(),
            "nodes".into(),
            "-o".into(),
            r#"jsonpath={range .items[*]}{.metadata.name}|{.status.conditions[?(@.type=="Ready")].status}|{.spec.taints[*].key}{"\n"}{end}"#.into(),
        ]]
    );
    s.assert_no_temporary_files_left();
}

/// The local provider's one node is this host: more is bad usage, said before anything on
/// the host is looked at, with the way to get more nodes; `matrix` asks every provider of
/// its columns before any cluster comes up.
#[test]
fn more_than_one_node_is_kinds_and_the_local_provider_refuses_it_at_once() {
    let s = Standins::new();
    Run::new(s.crashlab(&["cluster", "up", "--provider", "local", "--nodes", "2"]))
        .expect_code(2)
        .stderr_has("the local provider runs one node, this host (`crashlab-local`); --nodes 2 needs a provider that runs nodes in containers")
        .stderr_has("`--provider kind --nodes N` brings up a kind cluster of one control plane and N-1 workers");
    Run::new(s.crashlab(&[
        "matrix",
        "--versions",
        "1.34",
        "--providers",
        "kind,local",
        "--nodes",
        "3",
    ]))
    .expect_code(2)
    .stderr_has("the local provider runs one node");
    Run::new(s.crashlab(&["cluster", "up", "--provider", "kind", "--nodes", "0"]))
        .expect_code(2)
        .stderr_has("--nodes");
    assert!(s.calls("kind").is_empty(), "{:?}", s.calls("kind"));
    assert!(s.calls("docker").is_empty(), "{:?}", s.calls("docker"));
}

/// 1.38 is a pre-release: kind publishes no node image of it, so there is none to pin; the
/// local provider pins it, and a node image built from its binaries runs it.
#[test]
fn a_version_kind_pins_no_image_of_asks_for_a_node_image_before_kind_runs() {
    let s = Standins::new();
    Run::new(s.crashlab(&[
        "cluster",
        "up",
        "--provider",
        "kind",
        "--kubernetes-version",
        "1.38",
    ]))
    .expect_code(2)
    .stderr_has("kind pins no node image of Kubernetes 1.38 (v1.38.0-beta.0): crashlab pins kindest/node images of 1.34 (v1.34.11, default)")
    .stderr_has("another version needs --node-image REF")
    .stderr_has("`tests/kind/prepare-node-image 1.38`");
    assert!(s.calls("kind").is_empty());
    assert!(s.calls("docker").is_empty());
}

#[test]
fn down_deletes_the_cluster() {
    let s = Standins::new();
    s.respond("kind", &["get", "clusters"], "crashlab\n", "", 0);
    s.respond(
        "kind",
        &["delete", "cluster"],
        "",
        "Deleting cluster \"crashlab\" ...\n",
        0,
    );
    let run = Run::new(s.crashlab(&["cluster", "down", "--provider", "kind"]));
    run.expect_code(0);
    assert_eq!(run.stdout(), "kind cluster `crashlab` deleted\n");
    assert_eq!(
        s.calls("kind"),
        [
            words("get clusters"),
            words("delete cluster --name crashlab")
        ]
    );
}

#[test]
fn missing_kind_is_exit_3_with_the_install_hint() {
    let s = Standins::new();
    s.remove("kind");
    for args in [
        &["cluster", "up", "--provider", "kind"][..],
        &["cluster", "down", "--provider", "kind"],
        &["run", "oom", "--provider", "kind"],
    ] {
        Run::new(s.crashlab(args))
            .expect_code(3)
            .stderr_has("error: kind is not installed (no `kind` on PATH)")
            .stderr_has("hint: install kind (https://kind.sigs.k8s.io/")
            .stderr_has("Docker");
    }
    assert!(s.calls("docker").is_empty());
}

#[test]
fn kind_without_a_docker_engine_is_exit_3_naming_docker() {
    let s = Standins::new();
    s.respond(
        "docker",
        &["info"],
        "",
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n",
        1,
    );
    Run::new(s.crashlab(&["cluster", "up", "--provider", "kind"]))
        .expect_code(3)
        .stderr_has("error: kind needs a Docker engine, and `docker info` failed:")
        .stderr_has("Cannot connect to the Docker daemon at unix:///var/run/docker.sock")
        .stderr_has("hint: start the Docker engine");
    s.remove("docker");
    Run::new(s.crashlab(&["cluster", "up", "--provider", "kind"]))
        .expect_code(3)
        .stderr_has("kind needs a Docker engine, and `docker` is not installed")
        .stderr_has("hint: install kind");
    assert!(s.calls("kind").is_empty(), "{:?}", s.calls("kind"));
}

#[test]
fn a_failing_kind_create_is_exit_3_with_kinds_own_output() {
    let s = Standins::new();
    s.respond(
        "kind",
        &["create", "cluster"],
        "",
        "Creating cluster \"crashlab\" ...\n ✗ Preparing nodes 📦\nERROR: failed to create cluster: could not find a log line that matches \"Reached target .*Multi-User System.*|detected cgroup v1\"\n",
        1,
    );
    let run = Run::new(s.crashlab(&[
        "cluster",
        "up",
        "--provider",
        "kind",
        "--kubernetes-version",
        "v1.36",
    ]));
    run.expect_code(3)
        .stderr_has("error: `kind create cluster --name crashlab --config ")
        .stderr_has(" failed (exit status: 1):\nCreating cluster \"crashlab\" ...\n ✗ Preparing nodes 📦\nERROR: failed to create cluster: could not find a log line")
        .stderr_has("hint: the output above is kind's own; `kind export logs --name crashlab`");
    let subcommands: Vec<String> = s.calls("kind").iter().map(|c| c[..2].join(" ")).collect();
    assert_eq!(subcommands, ["get clusters", "create cluster"]);
    s.assert_no_temporary_files_left();
}

#[test]
fn an_unsupported_version_is_a_usage_error_before_kind_runs() {
    let s = Standins::new();
    Run::new(s.crashlab(&[
        "cluster",
        "up",
        "--provider",
        "kind",
        "--kubernetes-version",
        "1.35.4",
    ]))
    .expect_code(2)
    .stderr_has("crashlab pins v1.35.8");
    Run::new(s.crashlab(&[
        "cluster",
        "up",
        "--provider",
        "kind",
        "--kubernetes-version",
        "1.33",
    ]))
    .expect_code(2)
    .stderr_has("supported are 1.34 (v1.34.11, default), 1.35 (v1.35.8), 1.36 (v1.36.4)");
    assert!(s.calls("kind").is_empty());
    assert!(s.calls("docker").is_empty());
}

/// No kubeconfig and no `--provider`: kind and a Docker engine are usable, so crashlab picks
/// kind and creates the cluster. (The stand-in writes no kubeconfig, so the run then stops
/// at connecting to `kind-crashlab`.)
#[test]
fn run_picks_kind_when_no_cluster_is_reachable_and_kind_is_usable() {
    let s = Standins::new();
    let run = Run::new(s.crashlab(&["run", "oom"]));
    run.expect_code(3)
        .stderr_has("no test cluster is reachable; bringing up the kind cluster `crashlab`")
        .stderr_has("the kind cluster `crashlab` is there but its API is not reachable through context `kind-crashlab`");
    let calls = s.calls("kind");
    assert_eq!(calls.len(), 3, "{calls:?}");
    // Whether the cluster exists decides the provider, and is asked again by `up`.
    assert_eq!(calls[0], words("get clusters"));
    assert_eq!(calls[1], words("get clusters"));
    assert_eq!(calls[2][..2], words("create cluster"));
    assert_eq!(arg_after(&calls[2], "--image"), NODE_1_34);
    // The pinned image is present (the stand-in says so), so no fallback to local was needed.
    assert!(
        s.calls("docker")
            .iter()
            .any(|c| c.starts_with(&words("image inspect")) && c.last().unwrap() == NODE_1_34),
        "{:?}",
        s.calls("docker")
    );
}

/// The example workflow stays in step with what crashlab pins and names.
#[test]
fn example_workflow_runs_the_catalogue_on_kind_and_uploads_the_junit_report() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/github-actions-kind.yml");
    let workflow: Value = serde_yaml::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let runs_of = |job: &Value| -> Vec<String> {
        job["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str().map(str::to_owned))
            .collect()
    };

    // One job per pinned Kubernetes minor.
    let job = &workflow["jobs"]["crashlab"];
    let minors: Vec<String> = crashlab::cluster::kind_images::NODE_IMAGES
        .iter()
        .map(|i| i.minor_version())
        .collect();
    let matrix: Vec<String> = job["strategy"]["matrix"]["kubernetes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(matrix, minors);
    assert_eq!(matrix, ["1.34", "1.35", "1.36", "1.37"]);
    let steps = job["steps"].as_sequence().unwrap();
    let runs = runs_of(job);
    assert!(
        runs.iter().any(|r| r.contains(
            "crashlab cluster up --provider kind --kubernetes-version \"${{ matrix.kubernetes }}\""
        )),
        "{runs:?}"
    );
    assert!(
        runs.iter()
            .any(|r| r.contains("crashlab run --all --context kind-crashlab --junit report.xml")),
        "{runs:?}"
    );
    // This version's column of the matrix, as JSON, uploaded for the merge.
    assert!(
        runs.iter().any(|r| r.contains(
            "crashlab matrix --versions \"${{ matrix.kubernetes }}\" --providers kind -o json > \"matrix-${{ matrix.kubernetes }}.json\""
        )),
        "{runs:?}"
    );
    let uploads = |file: &str| {
        steps
            .iter()
            .find(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
                    && s["with"]["path"].as_str() == Some(file)
            })
            .unwrap_or_else(|| panic!("a step uploads {file}"))
    };
    assert_eq!(uploads("report.xml")["if"].as_str(), Some("always()"));
    let result = uploads("matrix-${{ matrix.kubernetes }}.json");
    assert_eq!(result["if"].as_str(), Some("always()"));
    let artifact = result["with"]["name"].as_str().unwrap();
    assert!(steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("helm/kind-action@"))
    }));

    // The merge job waits for every version, takes their results and publishes one table.
    let merge = &workflow["jobs"]["merge"];
    let needs: Vec<&str> = match &merge["needs"] {
        Value::String(s) => vec![s.as_str()],
        v => v
            .as_sequence()
            .expect("needs: a job or a list")
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect(),
    };
    assert_eq!(needs, ["crashlab"]);
    let download = merge["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/download-artifact@"))
        })
        .expect("the merge job downloads the results");
    let pattern = download["with"]["pattern"].as_str().unwrap();
    let prefix = pattern
        .strip_suffix('*')
        .expect("a pattern over the versions");
    assert_eq!(artifact, format!("{prefix}${{{{ matrix.kubernetes }}}}"));
    assert_eq!(download["with"]["merge-multiple"].as_bool(), Some(true));
    let merge_runs = runs_of(merge);
    let merging = merge_runs
        .iter()
        .find(|r| r.contains("crashlab matrix --merge matrix-*.json > matrix.md"))
        .unwrap_or_else(|| panic!("{merge_runs:?}"));
    assert!(
        merging.contains("cat matrix.md >> \"$GITHUB_STEP_SUMMARY\""),
        "{merging}"
    );
}
