//! Column alignment as Go's text/tabwriter does it for kubectl: every cell but a row's last is
//! padded to its column's widest cell plus `padding` (at least `min_width`), counted in
//! characters.

/// `rows` of cells, aligned; trailing spaces are never added to a row's last cell.
pub fn align(rows: &[Vec<String>], min_width: usize, padding: usize) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[i] = widths[i].max(cell.chars().count() + padding).max(min_width);
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < row.len() {
                    let pad = widths[i].saturating_sub(cell.chars().count());
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn pads_all_but_the_last_cell() {
        let rows = vec![
            vec!["NAME".to_owned(), "STATUS".to_owned(), "AGE".to_owned()],
            vec![
                "app".to_owned(),
                "CrashLoopBackOff".to_owned(),
                "3m".to_owned(),
            ],
        ];
        assert_eq!(
            align(&rows, 6, 3),
            [
                "NAME   STATUS              AGE",
                "app    CrashLoopBackOff   3m"
            ]
        );
    }
}
