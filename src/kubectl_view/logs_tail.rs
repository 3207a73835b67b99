//! The end of `kubectl logs --previous`: the last `n` lines, and how many there were.

/// The last `n` lines of `text` (a trailing newline ends the last line, it does not start
/// an empty one) and the total line count.
pub fn logs_tail(text: &str, n: usize) -> (Vec<&str>, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let total = lines.len();
    (lines[total.saturating_sub(n)..].to_vec(), total)
}
