//! What a diagnostic tool under `crashlab validate` may read of the cluster.
//!
//! By default ([`ToolScope::Namespace`]) the tool's kubeconfig carries a ServiceAccount token
//! bound by RBAC to reading its incident's namespace (every resource and subresource: pods,
//! logs, events, Services, ConfigMaps, Secrets, workloads) plus the cluster-scoped reads a
//! diagnosis needs (nodes, storage classes, persistent volumes, its own Namespace object). A
//! tool that lists pods in all namespaces is refused (`forbidden`) instead of reading the
//! neighbouring incidents of a parallel run. [`ToolScope::Cluster`] hands the tool the
//! kubeconfig crashlab itself uses.
//!
//! Everything is created in or owned by the incident's namespace: the ServiceAccount, Role and
//! RoleBinding live in it, and the ClusterRole and ClusterRoleBinding carry an owner reference
//! to the Namespace, so Kubernetes' garbage collector deletes them with it (also after
//! `kill -9`, when `crashlab gc` deletes the namespace).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::api::{Api, ListParams, PostParams};
use kube::config::{AuthInfo, KubeConfigOptions, Kubeconfig};
use kube::{Client, Config, Resource};

/// `--tool-scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ToolScope {
    /// A token that reads the incident's namespace only (and nodes).
    #[default]
    Namespace,
    /// crashlab's own kubeconfig: the whole cluster (incidents then run one at a time).
    Cluster,
}

/// The ServiceAccount, Role and RoleBinding, in the incident's namespace.
pub const TOOL_ACCOUNT: &str = "crashlab-tool";
/// How long the token lives: longer than any incident's calls (`--repeat` included).
const TOKEN_SECONDS: i64 = 3600;
/// How long RBAC may take to let the new token read (the authorizer's caches).
const GRANT_WAIT: Duration = Duration::from_secs(10);

/// The rules of the namespace Role: read everything in it.
fn namespace_rules() -> Vec<PolicyRule> {
    vec![read(&["*"], &["*"], &[])]
}

/// The rules of the ClusterRole: the cluster-scoped reads of a diagnosis.
fn cluster_rules(namespace: &str) -> Vec<PolicyRule> {
    vec![
        read(&[""], &["nodes", "persistentvolumes"], &[]),
        read(&["storage.k8s.io"], &["storageclasses"], &[]),
        read(&["scheduling.k8s.io"], &["priorityclasses"], &[]),
        read(&[""], &["namespaces"], &[namespace]),
    ]
}

fn read(groups: &[&str], resources: &[&str], names: &[&str]) -> PolicyRule {
    let strings = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    PolicyRule {
        api_groups: Some(strings(groups)),
        resources: Some(strings(resources)),
        resource_names: (!names.is_empty()).then(|| strings(names)),
        verbs: strings(&["get", "list", "watch"]),
        ..PolicyRule::default()
    }
}

/// Name of the cluster-scoped objects of one namespace's grant.
pub fn cluster_role_name(namespace: &str) -> String {
    format!("{TOOL_ACCOUNT}-{namespace}")
}

/// The kubeconfig crashlab itself uses, reduced to `context` (its cluster and user only) and
/// written to `dir/kubeconfig` (mode 0600).
pub fn write_admin_kubeconfig(context: &str, dir: &Path) -> Result<PathBuf, String> {
    let mut kc = Kubeconfig::read().map_err(|e| e.to_string())?;
    let named = kc
        .contexts
        .iter()
        .find(|c| c.name == context)
        .cloned()
        .ok_or_else(|| format!("context `{context}` is not in the kubeconfig"))?;
    if let Some(c) = &named.context {
        kc.clusters.retain(|x| x.name == c.cluster);
        kc.auth_infos.retain(|u| Some(&u.name) == c.user.as_ref());
    }
    kc.contexts = vec![named];
    kc.current_context = Some(context.to_owned());
    write_private(&kc, &dir.join("kubeconfig"))
}

fn write_private(kc: &Kubeconfig, path: &Path) -> Result<PathBuf, String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let yaml = serde_yaml::to_string(kc).map_err(|e| e.to_string())?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(yaml.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.to_owned())
}

/// `admin` (a kubeconfig of one context) with its user replaced by `token` and its context's
/// namespace set: what the tool of `namespace` gets.
pub fn scoped_kubeconfig(admin: &Kubeconfig, namespace: &str, token: &str) -> Kubeconfig {
    let mut kc = admin.clone();
    let user = cluster_role_name(namespace);
    kc.auth_infos = vec![kube::config::NamedAuthInfo {
        name: user.clone(),
        auth_info: Some(AuthInfo {
            token: Some(token.to_owned().into()),
            ..AuthInfo::default()
        }),
        other: Default::default(),
    }];
    for c in &mut kc.contexts {
        if let Some(ctx) = c.context.as_mut() {
            ctx.user = Some(user.clone());
            ctx.namespace = Some(namespace.to_owned());
        }
    }
    kc
}

/// Grants the tool of `namespace` its reads and writes its kubeconfig into `dir` (one file per
/// namespace). Waits until the token can list the namespace's pods, and checks that it cannot
/// list those of `kube-system`: a cluster whose authorizer lets every token read everything
/// (no RBAC) is reported, not trusted.
pub async fn grant_namespace_read(
    client: &Client,
    admin: &Kubeconfig,
    namespace: &str,
    dir: &Path,
) -> Result<PathBuf, String> {
    let ns = Api::<Namespace>::all(client.clone())
        .get(namespace)
        .await
        .map_err(|e| format!("reading namespace {namespace}: {e}"))?;
    let owner = OwnerReference {
        api_version: "v1".to_owned(),
        kind: "Namespace".to_owned(),
        name: namespace.to_owned(),
        uid: ns.meta().uid.clone().unwrap_or_default(),
        ..OwnerReference::default()
    };
    let labels = Some(
        [(
            "app.kubernetes.io/managed-by".to_owned(),
            "crashlab".to_owned(),
        )]
        .into(),
    );
    let meta = |name: &str, namespaced: bool| ObjectMeta {
        name: Some(name.to_owned()),
        namespace: namespaced.then(|| namespace.to_owned()),
        labels: labels.clone(),
        owner_references: (!namespaced).then(|| vec![owner.clone()]),
        ..ObjectMeta::default()
    };
    let subject = Subject {
        kind: "ServiceAccount".to_owned(),
        name: TOOL_ACCOUNT.to_owned(),
        namespace: Some(namespace.to_owned()),
        ..Subject::default()
    };
    let cluster_name = cluster_role_name(namespace);
    let pp = PostParams::default();
    let sa = Api::<ServiceAccount>::namespaced(client.clone(), namespace);
    create(
        &sa,
        &ServiceAccount {
            metadata: meta(TOOL_ACCOUNT, true),
            ..ServiceAccount::default()
        },
    )
    .await?;
    create(
        &Api::<Role>::namespaced(client.clone(), namespace),
        &Role {
            metadata: meta(TOOL_ACCOUNT, true),
            rules: Some(namespace_rules()),
        },
    )
    .await?;
    create(
        &Api::<RoleBinding>::namespaced(client.clone(), namespace),
        &RoleBinding {
            metadata: meta(TOOL_ACCOUNT, true),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".to_owned(),
                kind: "Role".to_owned(),
                name: TOOL_ACCOUNT.to_owned(),
            },
            subjects: Some(vec![subject.clone()]),
        },
    )
    .await?;
    create(
        &Api::<ClusterRole>::all(client.clone()),
        &ClusterRole {
            metadata: meta(&cluster_name, false),
            rules: Some(cluster_rules(namespace)),
            ..ClusterRole::default()
        },
    )
    .await?;
    create(
        &Api::<ClusterRoleBinding>::all(client.clone()),
        &ClusterRoleBinding {
            metadata: meta(&cluster_name, false),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".to_owned(),
                kind: "ClusterRole".to_owned(),
                name: cluster_name.clone(),
            },
            subjects: Some(vec![subject]),
        },
    )
    .await?;
    let token = sa
        .create_token_request(
            TOOL_ACCOUNT,
            &pp,
            &TokenRequest {
                spec: TokenRequestSpec {
                    expiration_seconds: Some(TOKEN_SECONDS),
                    ..TokenRequestSpec::default()
                },
                ..TokenRequest::default()
            },
        )
        .await
        .map_err(|e| format!("requesting a token for {namespace}/{TOOL_ACCOUNT}: {e}"))?
        .status
        .map(|s| s.token)
        .ok_or_else(|| {
            format!("the token request for {namespace}/{TOOL_ACCOUNT} returned no token")
        })?;

    let kc = scoped_kubeconfig(admin, namespace, &token);
    let scoped = Client::try_from(
        Config::from_custom_kubeconfig(kc.clone(), &KubeConfigOptions::default())
            .await
            .map_err(|e| format!("the tool's kubeconfig: {e}"))?,
    )
    .map_err(|e| format!("the tool's kubeconfig: {e}"))?;
    let own = Api::<Pod>::namespaced(scoped.clone(), namespace);
    let deadline = tokio::time::Instant::now() + GRANT_WAIT;
    loop {
        match own.list(&ListParams::default().limit(1)).await {
            Ok(_) => break,
            Err(e) if tokio::time::Instant::now() >= deadline => {
                return Err(format!(
                    "the tool's token still cannot list pods in {namespace} after {}s: {e}",
                    GRANT_WAIT.as_secs()
                ));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let other = Api::<Pod>::namespaced(scoped, "kube-system");
    match other.list(&ListParams::default().limit(1)).await {
        Err(kube::Error::Api(s)) if s.code == 403 => {}
        Ok(_) => {
            return Err(format!(
                "the cluster lets the tool's token read namespace kube-system although it is \
                 bound to {namespace} only (is RBAC authorization off?); pass --tool-scope \
                 cluster to run the tool with your own kubeconfig, knowingly"
            ));
        }
        Err(e) => return Err(format!("checking the tool's token: {e}")),
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write_private(&kc, &dir.join(format!("{namespace}.kubeconfig")))
}

/// The grants of one `validate` run: one per incident's namespace, made on the first call of
/// the tool there and reused by the next (`--repeat`, `--moments`).
pub struct NamespaceGrants {
    client: Client,
    admin: Kubeconfig,
    dir: PathBuf,
    /// One cell per namespace: a grant waits only for another call on the same incident,
    /// never for a neighbour's (the crashloop moment gives the tool a window, not the queue).
    granted: std::sync::Mutex<std::collections::HashMap<String, Arc<GrantCell>>>,
}

type GrantCell = tokio::sync::OnceCell<Result<PathBuf, String>>;

impl NamespaceGrants {
    /// Grants made with `client`, whose tool kubeconfigs are `admin` with a token instead of
    /// its user, written into `dir`.
    pub fn new(client: Client, admin_kubeconfig: &Path, dir: PathBuf) -> Result<Self, String> {
        let admin = Kubeconfig::read_from(admin_kubeconfig).map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            admin,
            dir,
            granted: Default::default(),
        })
    }

    /// The kubeconfig of the tool of `namespace`.
    pub async fn kubeconfig_for(&self, namespace: &str) -> Result<PathBuf, String> {
        let cell = self
            .granted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(namespace.to_owned())
            .or_default()
            .clone();
        cell.get_or_init(|| grant_namespace_read(&self.client, &self.admin, namespace, &self.dir))
            .await
            .clone()
    }
}

/// Creates `obj`; one that exists already (a repeated call) is fine.
async fn create<K>(api: &Api<K>, obj: &K) -> Result<(), String>
where
    K: Resource<DynamicType = ()>
        + Clone
        + serde::Serialize
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    match api.create(&PostParams::default(), obj).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
        Err(e) => Err(format!(
            "creating {} {}: {e}",
            K::kind(&()),
            obj.meta().name.as_deref().unwrap_or_default()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scoped_kubeconfig_keeps_the_cluster_and_swaps_the_user_for_the_token() {
        let admin: Kubeconfig = serde_yaml::from_str(
            r#"
apiVersion: v1
kind: Config
current-context: crashlab-local
clusters:
- name: crashlab-local
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: Q0E=}
users:
- name: admin
  user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}
contexts:
- name: crashlab-local
  context: {cluster: crashlab-local, user: admin}
"#,
        )
        .unwrap();
        let kc = scoped_kubeconfig(&admin, "crashlab-abc", "TOKEN");
        let yaml = serde_yaml::to_string(&kc).unwrap();
        assert!(!yaml.contains("client-key-data"), "{yaml}");
        assert!(yaml.contains("token: TOKEN"), "{yaml}");
        assert!(yaml.contains("namespace: crashlab-abc"), "{yaml}");
        assert!(yaml.contains("certificate-authority-data: Q0E="), "{yaml}");
        assert_eq!(kc.current_context.as_deref(), Some("crashlab-local"));
    }

    #[test]
    fn the_grant_reads_and_never_writes() {
        for r in namespace_rules()
            .into_iter()
            .chain(cluster_rules("crashlab-abc"))
        {
            assert_eq!(r.verbs, ["get", "list", "watch"], "{r:?}");
        }
        let ns = cluster_rules("crashlab-abc")
            .into_iter()
            .find(|r| r.resources.as_deref() == Some(&["namespaces".to_owned()][..]))
            .unwrap();
        assert_eq!(ns.resource_names, Some(vec!["crashlab-abc".to_owned()]));
    }
}
