//! A score as people read it in every validation output.

/// `67%` (rounded to a whole percent).
pub fn pct(score: f64) -> String {
    format!("{:.0}%", score * 100.0)
}
