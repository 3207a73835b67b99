//! `crashlab diagnose` as a person reads it: the cause first, then each step in the order to
//! check it, then the commands to run next.

use std::fmt::Write;

use super::diagnosis::Diagnosis;

/// Text width for wrapped paragraphs.
const WIDTH: usize = 96;

pub fn render_human(d: &Diagnosis) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "pod {}/{}, container {}",
        d.namespace, d.pod, d.container
    );
    out.push('\n');
    match d.category {
        Some(c) => {
            let _ = writeln!(out, "cause: {c} (confidence {})", d.confidence.as_str());
        }
        None => out.push_str("cause: none found\n"),
    }
    wrap_into(&mut out, &d.summary, "  ", "  ");
    if let Some(fix) = &d.fix {
        out.push('\n');
        out.push_str("fix:\n");
        wrap_into(&mut out, fix, "  ", "  ");
    }
    out.push('\n');
    out.push_str("evidence, in the order to check it:\n");
    let width = d
        .evidence
        .iter()
        .map(|s| s.step.title().len())
        .max()
        .unwrap_or(0);
    for (i, step) in d.evidence.iter().enumerate() {
        let head = format!("  {}. {:<width$}  ", i + 1, step.step.title());
        let indent = " ".repeat(head.chars().count());
        let mut found = step.found.clone();
        if let Some(c) = step.points_to {
            found.push_str(&format!("  → {c}"));
        }
        wrap_into(&mut out, &found, &head, &indent);
        for detail in &step.details {
            wrap_into(
                &mut out,
                detail,
                &format!("{indent}· "),
                &format!("{indent}  "),
            );
        }
    }
    if !d.next_commands.is_empty() {
        out.push('\n');
        out.push_str("next:\n");
        for c in &d.next_commands {
            let _ = writeln!(out, "  {}", c.command);
            let _ = writeln!(out, "      # {}", c.why);
        }
    }
    out
}

/// Appends `text` wrapped at [`WIDTH`], the first line after `first`, the others after `rest`.
/// Words longer than a line stay whole.
fn wrap_into(out: &mut String, text: &str, first: &str, rest: &str) {
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let len = line.chars().count();
        if !empty && len + 1 + word.chars().count() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_whole_and_indents() {
        let mut out = String::new();
        let text = "word ".repeat(30);
        wrap_into(&mut out, &text, "> ", "  ");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH));
        assert!(lines[0].starts_with("> word"));
        assert!(lines[1].starts_with("  word"));
    }
}
