//! The app's last log line says a write failed on a read-only file system: the root file
//! system is read-only (`readOnlyRootFilesystem`) or the path is on a read-only volume.

use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::log_words::says;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "read-only-fs",
    needs: &[Needs::Logs, Needs::Spec],
    gives: "missing-config (2) when the line that explains the exit is a write to a read-only file system, naming the read-only mount or root file system",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((LineKind::ReadOnlyFs(path), text)) = ctx.explaining_line() else {
        return None;
    };
    let path = path.as_deref();
    let root_read_only = ctx
        .spec
        .and_then(|c| c.security_context.as_ref())
        .and_then(|s| s.read_only_root_filesystem)
        == Some(true);
    let shown = path.unwrap_or("the path it writes to");
    let mount = path.and_then(|p| {
        ctx.spec?
            .volume_mounts
            .iter()
            .flatten()
            .filter(|m| {
                p == m.mount_path
                    || p.starts_with(&format!("{}/", m.mount_path.trim_end_matches('/')))
            })
            .max_by_key(|m| m.mount_path.len())
    });
    let mut sentence = format!(
        "{}: it cannot write {shown}, which is on a read-only file system.",
        says(ctx, text)
    );
    let fix = match mount {
        Some(m) if m.read_only == Some(true) => {
            sentence.push_str(&format!(
                " {shown} is on volume {} mounted read-only at {}.",
                m.name, m.mount_path
            ));
            format!(
                "Mount volume {} writable at {} (readOnly: false) if the app must write there, or move the app's state to a writable volume such as an emptyDir.",
                m.name, m.mount_path
            )
        }
        _ if root_read_only => {
            sentence.push_str(&format!(
                " The container's securityContext sets readOnlyRootFilesystem: true, and no writable volume is mounted at {shown}."
            ));
            format!(
                "Keep readOnlyRootFilesystem and mount a writable volume (an emptyDir) at {shown}, where the app keeps its state."
            )
        }
        _ => format!(
            "Mount a writable volume (an emptyDir) at {shown}, or point the app at a writable path."
        ),
    };
    Some(Clue::new(Category::MissingConfig, 2, sentence).fix(fix))
}
