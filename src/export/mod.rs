//! Exports scenarios as verified fixtures for other eval suites: HolmesGPT eval folders and
//! k8s-ai-bench tasks. Each case's setup runs `crashlab reproduce` (which fails when the
//! incident did not reproduce) and its cleanup runs `crashlab gc --namespace`. Pure apart
//! from [`write`]: the files of a case are a function of the scenario.

mod advice;
mod case;
mod conclusion;
mod difficulty;
mod error;
mod file;
mod holmesgpt;
mod k8s_ai_bench;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use case::{Case, Evidence, SCENARIO_FILE};
pub use difficulty::Difficulty;
pub use error::{Error, Result};
pub use file::CaseFile;

/// The suites whose layout crashlab writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Holmesgpt,
    K8sAiBench,
}

impl Format {
    /// The case's directory name and its files.
    pub fn render(self, case: &Case) -> (String, Vec<CaseFile>) {
        match self {
            Format::Holmesgpt => (holmesgpt::folder(case), holmesgpt::files(case)),
            Format::K8sAiBench => (k8s_ai_bench::folder(case), k8s_ai_bench::files(case)),
        }
    }
}

/// Writes every case under `dir` and returns the case directories. Checks first that no case
/// directory exists with files in it (unless `force`, which replaces them), so a refusal
/// writes nothing.
pub fn write(format: Format, dir: &Path, cases: &[Case], force: bool) -> Result<Vec<PathBuf>> {
    let rendered: Vec<(PathBuf, Vec<CaseFile>)> = cases
        .iter()
        .map(|c| {
            let (name, files) = format.render(c);
            (dir.join(name), files)
        })
        .collect();
    for (path, _) in &rendered {
        if !force && !is_empty_or_missing(path)? {
            return Err(Error::NotEmpty { path: path.clone() });
        }
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    for (path, files) in &rendered {
        if force && path.exists() {
            std::fs::remove_dir_all(path).map_err(io(path))?;
        }
        std::fs::create_dir_all(path).map_err(io(path))?;
        for f in files {
            let p = path.join(f.name);
            std::fs::write(&p, &f.text).map_err(io(&p))?;
            if f.executable {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))
                    .map_err(io(&p))?;
            }
        }
    }
    Ok(rendered.into_iter().map(|(p, _)| p).collect())
}

fn is_empty_or_missing(path: &Path) -> Result<bool> {
    match std::fs::read_dir(path) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(source) => Err(Error::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}
