//! Escaping for everything placed in the report's HTML and SVG: text and attribute values
//! alike. Log lines, event messages and names come from the cluster (or from whoever wrote
//! the result file) and must never become markup.

/// `s` with `&`, `<`, `>`, `"` and `'` replaced by their entities; safe in text and in
/// quoted attribute values, in HTML and in SVG.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in XML (SVG).
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `s`, with `…` when cut (labels inside charts).
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_from_the_cluster_stays_text() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("a\u{1b}[31mb\tc\n"), "a\u{FFFD}[31mb\tc\n");
    }

    #[test]
    fn clip_keeps_short_text() {
        assert_eq!(clip("CrashLoopBackOff", 20), "CrashLoopBackOff");
        assert_eq!(clip("CrashLoopBackOff", 6), "Crash…");
    }
}
