//! Whether to colour output, decided once for the whole process: `--color auto|always|never`,
//! then `NO_COLOR` (https://no-color.org: set and non-empty turns colour off in `auto`), then
//! whether the stream is a terminal. Every writer asks here: the human reporter (stdout), the
//! progress spinner and crashlab's own log lines (stderr).

use std::io::IsTerminal;
use std::sync::OnceLock;

/// `--color`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when the stream is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    Always,
    Never,
}

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Records the choice (the first call wins; without one, `auto`).
pub fn set(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

fn choice() -> ColorChoice {
    CHOICE.get().copied().unwrap_or_default()
}

/// Colour on stdout.
pub fn stdout() -> bool {
    decide(choice(), std::io::stdout().is_terminal(), no_color())
}

/// Colour (and spinners) on stderr.
pub fn stderr() -> bool {
    decide(choice(), std::io::stderr().is_terminal(), no_color())
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// The rule, pure.
pub fn decide(choice: ColorChoice, terminal: bool, no_color: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_choices_win_auto_needs_a_terminal_without_no_color() {
        for (choice, terminal, no_color, want) in [
            (ColorChoice::Always, false, true, true),
            (ColorChoice::Never, true, false, false),
            (ColorChoice::Auto, true, false, true),
            (ColorChoice::Auto, true, true, false),
            (ColorChoice::Auto, false, false, false),
        ] {
            assert_eq!(
                decide(choice, terminal, no_color),
                want,
                "{choice:?} {terminal} {no_color}"
            );
        }
    }
}
