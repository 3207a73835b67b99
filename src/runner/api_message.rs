//! Turning kube-rs errors into one line a person can act on.

/// The API server's own message when there is one (`pods "x" is forbidden: ...`), else the
/// client's description of the failure with its causes.
pub(crate) fn api_message(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) if !s.message.is_empty() => s.message.clone(),
        other => causes(other),
    }
}

/// The error and its sources, `: `-separated, so "connection refused" is not hidden behind
/// "client error (Connect)".
pub(crate) fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}
