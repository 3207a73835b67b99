//! A conformance verdict: the cluster did what upstream Kubernetes does, or not, or it could
//! not be told here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Conforms,
    /// Measured, and not what upstream does.
    Differs,
    /// Not measured on this cluster; the row says why. Never counted as a pass.
    NotMeasurable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::Differs => "differs",
            Verdict::NotMeasurable => "not measurable here",
        }
    }

    /// The verdict of several: any difference wins; else conforms when anything was measured.
    pub fn of(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        let mut any_measured = false;
        for v in verdicts {
            match v {
                Verdict::Differs => return Verdict::Differs,
                Verdict::Conforms => any_measured = true,
                Verdict::NotMeasurable => {}
            }
        }
        if any_measured {
            Verdict::Conforms
        } else {
            Verdict::NotMeasurable
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::*;

    #[test]
    fn a_difference_wins_and_nothing_measured_is_not_a_pass() {
        assert_eq!(Verdict::of([Conforms, Differs, NotMeasurable]), Differs);
        assert_eq!(Verdict::of([Conforms, NotMeasurable]), Conforms);
        assert_eq!(Verdict::of([NotMeasurable, NotMeasurable]), NotMeasurable);
        assert_eq!(Verdict::of([]), NotMeasurable);
    }
}
