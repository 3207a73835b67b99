//! The configuration file the logs say does not parse is mounted from a ConfigMap or Secret:
//! that object's content is what to fix.

use crate::diagnose::config_refs::mounted_file;
use crate::diagnose::ctx::Ctx;
use crate::diagnose::diagnosis::Clue;
use crate::diagnose::input::Presence;
use crate::diagnose::log_lines::LineKind;
use crate::diagnose::rule::{Check, Needs, Rule};
use crate::scenario::Category;

pub(super) const RULE: Rule = Rule {
    name: "bad-config-source",
    needs: &[Needs::Logs, Needs::Spec, Needs::ConfigRefs],
    gives: "missing-config (3) when the file the line that explains the exit says does not parse is a key of a mounted ConfigMap or Secret",
    check: Check::One(clue),
};

fn clue(ctx: &Ctx) -> Option<Clue> {
    let Some((
        _,
        LineKind::BadConfig {
            file: Some(file),
            line,
        },
    )) = &ctx.key_line
    else {
        return None;
    };
    let source = mounted_file(&ctx.input.pod, ctx.spec?, file)?;
    let (kind, name, key) = (source.kind, &source.name, &source.key);
    let at = line
        .as_ref()
        .map(|l| format!("line {l} of "))
        .unwrap_or_default();
    let exists = matches!(
        ctx.input.lookups.get(&(kind, name.clone())),
        Some(Presence::Present { .. })
    );
    let state = if exists {
        "which exists and is mounted: its content is wrong, nothing is missing"
    } else {
        "whose content is wrong"
    };
    let edit = ctx.kubectl(&format!("edit {} {name}", kind.resource()));
    Some(
        Clue::new(
            Category::MissingConfig,
            3,
            format!(
                "{file} is key {key} of {} {name}, {state}.",
                kind.as_str()
            ),
        )
        .fix(format!(
            "Correct {at}{key} in {} {name} (`{edit}`, or apply the fixed manifest). The kubelet updates the mounted file within about a minute and the next restart reads it. Check configuration files in CI before they reach the cluster.",
            kind.as_str()
        ))
        .command(
            ctx.kubectl(&format!("get {} {name} -o yaml", kind.resource())),
            "the file as the app reads it",
        ),
    )
}
