//! Places chart labels in rows so that none overlaps another: each label goes to the first
//! row where it fits after the labels already there.

/// Rough width of `text` in pixels at `font_px` (a sans-serif average; enough to keep
/// labels apart).
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().count() as f64 * font_px * 0.58
}

/// For each label `(left x, width)`, in the order given, the row (0, 1, …) it goes in; at
/// most `rows` rows, the last one taking what fits nowhere.
pub fn rows_for(labels: &[(f64, f64)], rows: usize, gap: f64) -> Vec<usize> {
    let rows = rows.max(1);
    let mut right = vec![f64::NEG_INFINITY; rows];
    labels
        .iter()
        .map(|(x, w)| {
            let row = (0..rows)
                .find(|r| *x >= right[*r] + gap)
                .unwrap_or(rows - 1);
            right[row] = right[row].max(x + w);
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_labels_go_to_the_next_row() {
        let rows = rows_for(
            &[(0.0, 50.0), (20.0, 50.0), (60.0, 10.0), (30.0, 10.0)],
            2,
            4.0,
        );
        assert_eq!(rows, [0, 1, 0, 1]);
    }
}
