//! The parts of a run's text output every text reporter shares: the header, leftovers, each
//! scenario's verdict with its checks (expected vs observed), and the tally.

use std::io::Write;

use owo_colors::Style;

use crate::expect::Outcome;
use crate::expect::duration::{elapsed, go_duration};
use crate::runner::capacity::ParallelChoice;
use crate::runner::{ScenarioReport, Verdict};
use crate::timeline::kubelet_backoff::KubeletBackoff;

use super::Result;
use super::paint::Painter;

/// Scenarios passed, failed and in error so far.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

pub fn write_leftovers(out: &mut impl Write, namespaces: &[(String, String)]) -> Result<()> {
    let s = if namespaces.len() == 1 { "" } else { "s" };
    writeln!(
        out,
        "deleted {} namespace{s} left by crashlab runs that are gone:",
        namespaces.len()
    )?;
    for (ns, why) in namespaces {
        writeln!(out, "  {ns}: {why}")?;
    }
    Ok(())
}

pub fn write_run_started(
    out: &mut impl Write,
    count: usize,
    context: &str,
    server_version: &str,
    backoff: Option<&KubeletBackoff>,
    parallel: Option<&ParallelChoice>,
) -> Result<()> {
    let s = if count == 1 { "" } else { "s" };
    let pre_release = match crate::k8s_version::pre_release_of(server_version) {
        Some(_) => ", a pre-release",
        None => "",
    };
    writeln!(
        out,
        "running {count} scenario{s} on {context} (Kubernetes {server_version}{pre_release})"
    )?;
    if let Some(b) = backoff {
        writeln!(
            out,
            "kubelet back-off: {} doubling up to {} (profile {}: {})",
            go_duration(b.initial_s.into()),
            go_duration(b.max_s.into()),
            crate::cluster::KubeletProfile::label_of_curve(b.initial_s, b.max_s),
            b.because
        )?;
    }
    if let Some(p) = parallel.filter(|_| count > 1) {
        writeln!(out, "--parallel auto: {}", p.because)?;
    }
    Ok(())
}

/// `oom  PASS in 39.1s`, the error if any, and every check with expected and observed.
pub fn write_verdict(
    out: &mut impl Write,
    p: Painter,
    r: &ScenarioReport,
    tally: &mut Tally,
) -> Result<()> {
    let (word, style) = match r.verdict {
        Verdict::Pass => {
            tally.passed += 1;
            ("PASS", Style::new().green().bold())
        }
        Verdict::Fail => {
            tally.failed += 1;
            ("FAIL", Style::new().red().bold())
        }
        Verdict::Error => {
            tally.errors += 1;
            ("ERROR", Style::new().magenta().bold())
        }
    };
    let name = p.paint(&r.name, Style::new().bold());
    let verdict = p.paint(word, style);
    writeln!(
        out,
        "{name}  {verdict} in {}{}",
        elapsed(r.elapsed_s),
        pods_judged(&r.observed)
    )?;
    if let Some(e) = &r.error {
        let label = p.paint("error:", Style::new().magenta().bold());
        writeln!(out, "  {label} {e}")?;
    }
    for c in &r.checks {
        let mark = match c.outcome {
            Outcome::Met => p.paint("✓", Style::new().green()),
            Outcome::Contradicted => p.paint("✗", Style::new().red()),
            Outcome::Pending => p.paint("…", Style::new().yellow()),
        };
        let pending = if c.outcome == Outcome::Pending {
            p.paint(" (undecided)", Style::new().yellow())
        } else {
            String::new()
        };
        writeln!(out, "  {mark} {}{pending}", c.name)?;
        let dim = Style::new().dimmed();
        writeln!(out, "      {} {}", p.paint("expected", dim), c.expected)?;
        writeln!(out, "      {} {}", p.paint("observed", dim), c.observed)?;
    }
    Ok(())
}

/// `, 2 pods: app-7x2kq on crashlab-worker, app-9zr4t on crashlab-worker2` when the target
/// meant more than one pod (a DaemonSet's, one per node; a Job's retries); nothing for one.
fn pods_judged(observed: &crate::expect::ObservedSummary) -> String {
    if observed.pods.len() < 2 {
        return String::new();
    }
    let pods: Vec<String> = observed
        .pods
        .iter()
        .map(|pod| match observed.nodes.get(pod) {
            Some(node) => format!("{pod} on {node}"),
            None => format!("{pod} on no node yet"),
        })
        .collect();
    format!(", {} pods: {}", pods.len(), pods.join(", "))
}

/// `1 scenario: 1 passed, 0 failed, 0 errors in 44.1s`, after a blank line.
pub fn write_tally(out: &mut impl Write, p: Painter, t: Tally, elapsed_s: f64) -> Result<()> {
    let total = t.passed + t.failed + t.errors;
    let s = if total == 1 { "" } else { "s" };
    let mut parts = vec![p.paint(&format!("{} passed", t.passed), Style::new().green())];
    let failed = format!("{} failed", t.failed);
    parts.push(if t.failed > 0 {
        p.paint(&failed, Style::new().red().bold())
    } else {
        failed
    });
    let errors = format!("{} error{}", t.errors, if t.errors == 1 { "" } else { "s" });
    parts.push(if t.errors > 0 {
        p.paint(&errors, Style::new().magenta().bold())
    } else {
        errors
    });
    writeln!(out)?;
    writeln!(
        out,
        "{total} scenario{s}: {} in {}",
        parts.join(", "),
        elapsed(elapsed_s)
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(server_version: &str) -> String {
        let mut out = Vec::new();
        write_run_started(&mut out, 2, "kind-crashlab", server_version, None, None).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_pre_release_server_is_said_to_be_one() {
        assert_eq!(
            started("v1.38.0-beta.0"),
            "running 2 scenarios on kind-crashlab (Kubernetes v1.38.0-beta.0, a pre-release)\n"
        );
        assert_eq!(
            started("v1.34.4"),
            "running 2 scenarios on kind-crashlab (Kubernetes v1.34.4)\n"
        );
    }

    #[test]
    fn several_pods_are_named_with_their_nodes() {
        let mut observed = crate::expect::ObservedSummary {
            pods: vec!["app-a".into(), "app-b".into()],
            ..Default::default()
        };
        observed
            .nodes
            .insert("app-a".into(), "crashlab-worker".into());
        assert_eq!(
            pods_judged(&observed),
            ", 2 pods: app-a on crashlab-worker, app-b on no node yet"
        );
        observed.pods.truncate(1);
        assert_eq!(pods_judged(&observed), "");
    }
}
