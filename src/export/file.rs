//! A file of an exported case: where it goes in the case directory, its text, its mode.

/// One file of a case, relative to the case directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    pub name: &'static str,
    pub text: String,
    /// Scripts the suites execute directly (`chmod +x`).
    pub executable: bool,
}

impl CaseFile {
    pub fn text(name: &'static str, text: String) -> Self {
        Self {
            name,
            text,
            executable: false,
        }
    }

    pub fn script(name: &'static str, text: String) -> Self {
        Self {
            name,
            text,
            executable: true,
        }
    }
}

/// `# ` before every line of `text`, wrapped at about 90 columns.
pub fn comment(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split_whitespace() {
        if line.len() + 1 + word.len() > 90 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    if line.len() > 1 {
        out.push_str(&line);
        out.push('\n');
    }
    out
}
