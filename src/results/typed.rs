//! A JSON text read as a typed document, its errors located: the file, line, column and the
//! field's path.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::result_error::{Result, ResultError};

/// `text` read as `T`; `kind` names what it was read as in errors (`a run result`).
pub fn typed<T: DeserializeOwned>(text: &str, file: &Path, kind: &'static str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.classify() != serde_json::error::Category::Data {
            return syntax(file, &inner);
        }
        ResultError::Shape {
            file: file.to_path_buf(),
            kind,
            line: inner.line(),
            column: inner.column(),
            path: if path == "." { String::new() } else { path },
            message: strip_location(&inner),
        }
    })?;
    // Trailing characters after the document (two results pasted into one file).
    de.end().map_err(|e| syntax(file, &e))?;
    Ok(value)
}

pub(super) fn syntax(file: &Path, e: &serde_json::Error) -> ResultError {
    ResultError::Syntax {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: strip_location(e),
    }
}

/// serde_json's message without its own " at line L column C" (the error says it first).
fn strip_location(e: &serde_json::Error) -> String {
    let message = e.to_string();
    message
        .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
        .unwrap_or(&message)
        .to_owned()
}
