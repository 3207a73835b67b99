//! The scenarios crashlab knows: the built-in ones embedded from `scenarios/*.yaml`, plus
//! files the user loads with `--file`. Looked up by `metadata.name`.

use std::fmt;
use std::path::{Path, PathBuf};

use super::field_path::FieldPath;
use super::loader::load_str;
use super::locate::locate_nearest;
use super::problem::Problem;
use super::scenario::Scenario;
use super::scenario_error::{Result, ScenarioError};

/// A scenario file compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct BuiltIn {
    /// Path relative to the crate root, used in error messages.
    pub file: &'static str,
    pub text: &'static str,
}

macro_rules! builtin {
    ($name:literal) => {
        BuiltIn {
            file: concat!("scenarios/", $name, ".yaml"),
            text: include_str!(concat!("../../scenarios/", $name, ".yaml")),
        }
    };
}

/// The built-in scenarios, in the order `crashlab list` shows them.
pub const BUILTINS: &[BuiltIn] = &[
    builtin!("exit-1"),
    builtin!("oom"),
    builtin!("liveness"),
    builtin!("liveness-sigkill"),
    builtin!("missing-secret"),
    builtin!("missing-secret-ref"),
    builtin!("postgres-down"),
    builtin!("bad-rollout"),
    // Exit codes and signals.
    builtin!("exit-0-always"),
    builtin!("segfault"),
    builtin!("abort"),
    builtin!("missing-binary"),
    // Runtimes' crash reports.
    builtin!("python-keyerror"),
    builtin!("go-panic"),
    builtin!("java-exception"),
    builtin!("node-heap-oom"),
    // A Job that does not restart its container: a new pod per attempt.
    builtin!("job-never-restart"),
    builtin!("cronjob-backup"),
    // Configuration the app reads.
    builtin!("bad-config"),
    builtin!("missing-configmap-ref"),
    builtin!("readonly-fs"),
    builtin!("port-conflict"),
    // Probes.
    builtin!("liveness-timeout"),
    builtin!("startup-probe-fails"),
    builtin!("slow-start-no-startup-probe"),
    // Dependencies.
    builtin!("dependency-later"),
    // Init containers and sidecars.
    builtin!("init-crash"),
    builtin!("sidecar-crash"),
    // Controls: not crash loops.
    builtin!("readiness-only"),
    builtin!("missing-secret-volume"),
    builtin!("image-never-pull"),
    builtin!("unschedulable"),
];

/// Where a scenario came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn { file: &'static str },
    File { path: PathBuf },
}

impl fmt::Display for Origin {
    /// `built-in scenarios/oom.yaml` or the path as given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::BuiltIn { file } => write!(f, "built-in {file}"),
            Origin::File { path } => write!(f, "{}", path.display()),
        }
    }
}

/// A loaded, validated scenario and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub scenario: Scenario,
    pub origin: Origin,
}

impl Entry {
    pub fn name(&self) -> &str {
        &self.scenario.metadata.name
    }
}

/// Scenarios by name, in the order they were added. Names are unique.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<Entry>,
}

impl Catalogue {
    /// No scenarios; add files with [`Catalogue::add_file`].
    pub fn empty() -> Self {
        Self::default()
    }

    /// The built-in scenarios.
    pub fn builtin() -> Self {
        let mut catalogue = Self::empty();
        for builtin in BUILTINS {
            // Every built-in is loaded by a unit test, so this cannot fail in a tested build.
            catalogue
                .add(
                    builtin.text,
                    builtin.file,
                    Origin::BuiltIn { file: builtin.file },
                )
                .unwrap_or_else(|err| panic!("built-in scenario does not load: {err}"));
        }
        catalogue
    }

    /// The built-in scenarios plus the given files (`--file PATH`, repeatable).
    pub fn with_files<P: AsRef<Path>>(files: &[P]) -> Result<Self> {
        let mut catalogue = Self::builtin();
        for file in files {
            catalogue.add_file(file.as_ref())?;
        }
        Ok(catalogue)
    }

    /// Loads a scenario file and adds it. Fails if the file is invalid or its name is taken.
    pub fn add_file(&mut self, path: &Path) -> Result<&Entry> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            file: path.to_owned(),
            source,
        })?;
        self.add(
            &text,
            &path.display().to_string(),
            Origin::File {
                path: path.to_owned(),
            },
        )
    }

    /// Loads scenario text (named `file` in errors) and adds it.
    pub fn add(&mut self, text: &str, file: &str, origin: Origin) -> Result<&Entry> {
        let scenario = load_str(text, file)?;
        if let Some(existing) = self.find(&scenario.metadata.name) {
            let path = FieldPath::root().key("metadata").key("name");
            return Err(ScenarioError::invalid(
                file,
                locate_nearest(text, 0, &path),
                path,
                Problem::DuplicateScenario {
                    name: scenario.metadata.name.clone(),
                    first: existing.origin.to_string(),
                },
            ));
        }
        self.entries.push(Entry { scenario, origin });
        Ok(self.entries.last().expect("just pushed"))
    }

    /// The scenario named `name`; the error suggests the closest name and lists all.
    pub fn get(&self, name: &str) -> Result<&Entry> {
        self.find(name)
            .ok_or_else(|| ScenarioError::UnknownScenario {
                name: name.to_owned(),
                known: self.names().map(str::to_owned).collect(),
            })
    }

    fn find(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name() == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(Entry::name)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Category;

    const EXPECTED_NAMES: [&str; 32] = [
        "exit-1",
        "oom",
        "liveness",
        "liveness-sigkill",
        "missing-secret",
        "missing-secret-ref",
        "postgres-down",
        "bad-rollout",
        "exit-0-always",
        "segfault",
        "abort",
        "missing-binary",
        "python-keyerror",
        "go-panic",
        "java-exception",
        "node-heap-oom",
        "job-never-restart",
        "cronjob-backup",
        "bad-config",
        "missing-configmap-ref",
        "readonly-fs",
        "port-conflict",
        "liveness-timeout",
        "startup-probe-fails",
        "slow-start-no-startup-probe",
        "dependency-later",
        "init-crash",
        "sidecar-crash",
        "readiness-only",
        "missing-secret-volume",
        "image-never-pull",
        "unschedulable",
    ];

    #[test]
    fn every_builtin_loads_and_is_named_after_its_file() {
        for builtin in BUILTINS {
            let scenario =
                load_str(builtin.text, builtin.file).unwrap_or_else(|err| panic!("{err}"));
            assert_eq!(
                builtin.file,
                format!("scenarios/{}.yaml", scenario.metadata.name)
            );
        }
        let catalogue = Catalogue::builtin();
        assert_eq!(catalogue.names().collect::<Vec<_>>(), EXPECTED_NAMES);
    }

    /// Every `.yaml` file in `scenarios/` is in [`BUILTINS`] (the list is explicit, so a new
    /// file could be forgotten).
    #[test]
    fn builtins_list_every_scenario_file() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml"))
            .map(|n| format!("scenarios/{n}"))
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = BUILTINS.iter().map(|b| b.file.to_owned()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
    }

    #[test]
    fn builtins_follow_the_catalogue_conventions() {
        for entry in Catalogue::builtin().entries() {
            let s = &entry.scenario;
            let name = s.metadata.name.as_str();
            // The workload (or bare Pod) a learner looks for is called `app`, and so is its
            // container, unless the scenario is about another container (init, sidecar).
            assert_eq!(s.spec.target.workload().name, "app", "{name}");
            // The target's manifest (of the last step that applies it) and its pod template.
            let workload = s.spec.target.workload();
            let object = s
                .spec
                .all_manifests()
                .filter(|m| m["kind"] == workload.kind.kind() && m["metadata"]["name"] == "app")
                .last()
                .unwrap_or_else(|| panic!("{name}: no {} app", workload.kind.kind()));
            let template = workload
                .kind
                .pod_template_path()
                .iter()
                .fold(object, |v, k| &v[*k]);
            let (labels, pod) = (&template["metadata"]["labels"], &template["spec"]);
            assert_eq!(labels["app.kubernetes.io/name"], name, "{name}");
            assert_eq!(pod["automountServiceAccountToken"], false, "{name}");
            // Every container runs the crash program (a control scenario may name an image
            // that is not there on purpose) with requests.
            let containers = ["initContainers", "containers"]
                .iter()
                .filter_map(|k| pod[*k].as_array())
                .flatten();
            for c in containers {
                let image = c["image"].as_str().unwrap_or_default();
                assert!(image.starts_with("crashlab.dev/"), "{name}: {image}");
                assert_eq!(c["imagePullPolicy"], "Never", "{name}");
                assert!(c["resources"]["requests"].is_object(), "{name}");
            }
            let truth = s
                .spec
                .ground_truth
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: no groundTruth"));
            assert!(
                !truth.key_facts.is_empty() && !truth.wrong_answers.is_empty(),
                "{name}"
            );
            assert!(s.spec.explanation.contains("--previous"), "{name}");
        }
    }

    #[test]
    fn builtin_categories() {
        let catalogue = Catalogue::builtin();
        let category = |n| {
            catalogue
                .get(n)
                .unwrap()
                .scenario
                .spec
                .ground_truth
                .as_ref()
                .unwrap()
                .category
        };
        assert_eq!(category("oom"), Category::ResourceLimits);
        assert_eq!(category("liveness"), Category::ProbeFailure);
        assert_eq!(category("liveness-sigkill"), Category::ProbeFailure);
        assert_eq!(category("missing-secret"), Category::MissingConfig);
        assert_eq!(category("missing-secret-ref"), Category::MissingConfig);
        assert_eq!(category("postgres-down"), Category::DependencyDown);
    }

    /// The message patterns match the texts the kubelet (docs/kubelet-facts.md §3 and §5, ≥1.26 wording)
    /// and crashprobe really print.
    #[test]
    fn builtin_patterns_match_real_texts() {
        let backoff = "Back-off restarting failed container app in pod app_crashlab-x(0c1d)";
        let samples: &[(&str, &[&str], &[&str])] = &[
            // (scenario, event messages, previous log lines)
            (
                "exit-1",
                &[
                    backoff,
                    // v1.34.4 and v1.35.4 texts, as recorded on the local provider.
                    "Created container: app",
                    "Started container app",
                    "Container created",
                    "Container started",
                ],
                &["fatal: config file /etc/app/config.yaml not found"],
            ),
            ("oom", &[backoff], &[]),
            (
                "liveness",
                &[
                    "Liveness probe failed: HTTP probe failed with statuscode: 500",
                    "Container app failed liveness probe, will be restarted",
                ],
                &["received SIGTERM, shutting down"],
            ),
            (
                "liveness-sigkill",
                &[
                    "Liveness probe failed: HTTP probe failed with statuscode: 500",
                    "Container app failed liveness probe, will be restarted",
                ],
                &["graceful shutdown disabled: ignoring SIGTERM"],
            ),
            (
                "missing-secret",
                &[backoff],
                &[
                    "error: required environment variable DATABASE_URL is not set; cannot connect to database",
                ],
            ),
            (
                "missing-secret-ref",
                &[r#"Error: secret "app-db" not found"#],
                &[],
            ),
            (
                "postgres-down",
                &[backoff],
                &[
                    "error: could not connect to postgres at 10.96.41.7:5432: connection refused (os error 111)",
                ],
            ),
        ];
        let catalogue = Catalogue::builtin();
        for (name, events, logs) in samples {
            let expect = &catalogue.get(name).unwrap().scenario.spec.expect;
            for event in &expect.events {
                let pattern = event.message.as_deref().unwrap_or("");
                let re = regex::Regex::new(pattern).unwrap();
                assert!(
                    events.iter().any(|e| re.is_match(e)),
                    "{name}: event {} /{pattern}/",
                    event.reason
                );
            }
            for pattern in &expect.previous_logs {
                let re = regex::Regex::new(pattern).unwrap();
                assert!(
                    logs.iter().any(|l| re.is_match(l)),
                    "{name}: log /{pattern}/"
                );
            }
            if let Some(waiting) = &expect.waiting_reason
                && let Some(pattern) = &waiting.message
            {
                let re = regex::Regex::new(pattern).unwrap();
                assert!(
                    re.is_match(r#"secret "app-db" not found"#),
                    "{name}: waiting /{pattern}/"
                );
            }
        }
    }

    /// Each explanation is a correct diagnosis: it names every key fact and gives none of
    /// the wrong advice.
    #[test]
    fn explanations_satisfy_their_own_ground_truth() {
        let matches = |pattern: &str, text: &str| {
            regex::RegexBuilder::new(pattern)
                .case_insensitive(true)
                .build()
                .unwrap()
                .is_match(text)
        };
        for entry in Catalogue::builtin().entries() {
            let name = entry.name();
            let text = &entry.scenario.spec.explanation;
            let truth = entry.scenario.spec.ground_truth.as_ref().unwrap();
            for fact in &truth.key_facts {
                assert!(
                    fact.any_of.iter().any(|p| matches(p, text)),
                    "{name}: key fact {:?}",
                    fact.name
                );
            }
            for wrong in &truth.wrong_answers {
                assert!(
                    !wrong.any_of.iter().any(|p| matches(p, text)),
                    "{name}: wrong answer {:?}",
                    wrong.name
                );
            }
        }
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let err = Catalogue::builtin().get("oomm").unwrap_err();
        insta::assert_snapshot!(err.to_string(), @r#"
        unknown scenario "oomm"; did you mean "oom"?
          hint: known scenarios: exit-1, oom, liveness, liveness-sigkill, missing-secret, missing-secret-ref, postgres-down, bad-rollout, exit-0-always, segfault, abort, missing-binary, python-keyerror, go-panic, java-exception, node-heap-oom, job-never-restart, cronjob-backup, bad-config, missing-configmap-ref, readonly-fs, port-conflict, liveness-timeout, startup-probe-fails, slow-start-no-startup-probe, dependency-later, init-crash, sidecar-crash, readiness-only, missing-secret-volume, image-never-pull, unschedulable; `crashlab list` describes them, `--file PATH` loads your own
        "#);
        let err = Catalogue::builtin().get("zzz").unwrap_err();
        assert_eq!(err.headline(), r#"unknown scenario "zzz""#);
    }

    #[test]
    fn user_files_are_added_and_may_not_reuse_a_name() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let mine = dir.join("mine.yaml");
        let text = BUILTINS[0].text.replace("name: exit-1", "name: my-exit");
        std::fs::write(&mine, &text).unwrap();
        let clash = dir.join("clash.yaml");
        std::fs::write(&clash, BUILTINS[1].text).unwrap();

        let catalogue = Catalogue::with_files(&[&mine]).unwrap();
        let entry = catalogue.get("my-exit").unwrap();
        assert_eq!(entry.origin, Origin::File { path: mine.clone() });
        assert_eq!(catalogue.len(), BUILTINS.len() + 1);

        let err = Catalogue::with_files(&[&clash]).unwrap_err();
        let invalid = err.as_invalid().unwrap();
        assert_eq!(invalid.path.to_string(), "metadata.name");
        assert_eq!(
            invalid.problem.to_string(),
            r#"scenario "oom" is already defined by built-in scenarios/oom.yaml"#
        );

        let err = Catalogue::with_files(&[dir.join("absent.yaml")]).unwrap_err();
        assert!(matches!(err, ScenarioError::Read { .. }));
    }
}
