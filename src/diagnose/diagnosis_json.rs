//! `crashlab diagnose -o json`: the [`Diagnosis`] with the document's `schemaVersion` first.
//! Field names are a public contract: add, never rename; a change that breaks a reader raises
//! the version.

use serde::Serialize;

use super::diagnosis::Diagnosis;

/// The version of the diagnosis document this crashlab writes.
pub const DIAGNOSIS_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct DiagnosisDocument<'a> {
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    #[serde(flatten)]
    diagnosis: &'a Diagnosis,
}

/// The document, pretty-printed, ending in a newline.
pub fn render_json(diagnosis: &Diagnosis) -> String {
    let doc = DiagnosisDocument {
        schema_version: DIAGNOSIS_SCHEMA_VERSION,
        diagnosis,
    };
    serde_json::to_string_pretty(&doc).expect("a diagnosis serializes") + "\n"
}
