//! A kube client for a context of the kubeconfig in effect, checked by asking the API server
//! its version.

use std::time::Duration;

use kube::config::KubeConfigOptions;

/// How long the API server may take to say its version.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// A client for `context` and the server's version (`v1.34.4`); the error says why not.
pub async fn client_for(context: &str) -> Result<(kube::Client, String), String> {
    let client = client_unchecked(context).await?;
    let version = tokio::time::timeout(ANSWER_WITHIN, client.apiserver_version())
        .await
        .map_err(|_| format!("no answer within {}s", ANSWER_WITHIN.as_secs()))?
        .map_err(|e| e.to_string())?;
    Ok((client, version.git_version))
}

/// A client for `context`, without asking the server anything: the first request says
/// whether it answers.
pub async fn client_unchecked(context: &str) -> Result<kube::Client, String> {
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let config = kube::Config::from_kubeconfig(&options)
        .await
        .map_err(|e| e.to_string())?;
    kube::Client::try_from(config).map_err(|e| e.to_string())
}
