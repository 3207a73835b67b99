//! The runner's only module that talks to kube-rs: the [`Cluster`] the runner uses on a
//! real API server (namespaces, server-side apply through discovery, the Pod + Event watch,
//! previous logs and node versions). Everything else in the runner works on plain values and
//! streams, so it can be tested without an API server.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use futures::{Stream, StreamExt, future};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod, ServiceAccount};
use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::{GroupVersionKind, ObjectMeta};
use kube::discovery::{ApiCapabilities, ApiResource, Scope};
use kube::runtime::{WatchStreamExt, conditions, wait::await_condition, watcher};
use serde_json::Value;

use crate::timeline::{Observation, Observed};

use super::api_message::{api_message, causes};
use super::capacity::NodeRoom;
use super::cluster::Cluster;
use super::container_logs::LogRead;
use super::error::{Error, Result};
use super::manifest::{ManifestId, in_namespace, manifest_id};
use super::namespace::namespace_labels;
use super::observe::{LogError, LogSource, WatchItem};

/// Field manager of every server-side apply, so `kubectl get -o yaml --show-managed-fields`
/// shows which fields crashlab set.
pub const FIELD_MANAGER: &str = "crashlab";

/// Discovery answers by (apiVersion, kind), shared by every scenario of a run.
type DiscoveryCache = Arc<Mutex<HashMap<(String, String), (ApiResource, ApiCapabilities)>>>;

/// The [`Cluster`] of a kube client. Cheap to clone; clones share the discovery cache.
#[derive(Clone)]
pub struct ClusterClient {
    client: Client,
    discovery: DiscoveryCache,
}

impl ClusterClient {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            discovery: Arc::default(),
        }
    }

    /// The API resource serving `id`'s kind, through discovery (cached for the run).
    async fn resolve(&self, id: &ManifestId) -> Result<(ApiResource, ApiCapabilities)> {
        let key = (id.api_version(), id.kind.clone());
        if let Some(hit) = self
            .discovery
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(hit.clone());
        }
        let gvk = GroupVersionKind::gvk(&id.group, &id.version, &id.kind);
        let found = kube::discovery::pinned_kind(&self.client, &gvk)
            .await
            .map_err(|e| {
                classify(e, |message| Error::UnknownKind {
                    api_version: id.api_version(),
                    kind: id.kind.clone(),
                    name: id.name.clone(),
                    message,
                })
            })?;
        self.discovery
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, found.clone());
        Ok(found)
    }

    /// Namespace `name`: missing, not crashlab's (no managed-by label), or crashlab's.
    pub async fn lookup_namespace(&self, name: &str) -> Result<super::gc::NamespaceLookup> {
        use super::gc::NamespaceLookup;
        let api = Api::<Namespace>::all(self.client.clone());
        let ns = api.get_opt(name).await.map_err(|e| Error::Unreachable {
            message: format!("reading namespace {name}: {}", api_message(&e)),
        })?;
        let Some(ns) = ns else {
            return Ok(NamespaceLookup::Missing);
        };
        let ours = ns
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(super::namespace::MANAGED_BY_LABEL))
            .is_some_and(|v| v == super::namespace::MANAGED_BY_VALUE);
        if !ours {
            return Ok(NamespaceLookup::NotCrashlabs);
        }
        Ok(NamespaceLookup::Crashlabs(namespace_info(ns)))
    }
}

fn namespace_info(ns: Namespace) -> super::gc::NamespaceInfo {
    super::gc::NamespaceInfo {
        name: ns.metadata.name.unwrap_or_default(),
        annotations: ns.metadata.annotations.unwrap_or_default(),
        created_at: ns.metadata.creation_timestamp.map(|t| t.0),
        terminating: ns.metadata.deletion_timestamp.is_some(),
    }
}

impl Cluster for ClusterClient {
    type Logs = PodLogs;

    /// `gitVersion` of the API server; the first call of a run, so failure means unreachable.
    async fn server_version(&self) -> Result<String> {
        let info = self
            .client
            .apiserver_version()
            .await
            .map_err(|e| Error::Unreachable {
                message: api_message(&e),
            })?;
        Ok(info.git_version)
    }

    /// Creates the scenario's namespace with crashlab's labels.
    async fn create_namespace(&self, name: &str, scenario: &str, kept: bool) -> Result<()> {
        let mut annotations = super::owner::Owner::current().annotations();
        if kept {
            annotations.insert(super::owner::KEPT_ANNOTATION.to_owned(), "true".to_owned());
        }
        let ns = Namespace {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                labels: Some(namespace_labels(scenario)),
                annotations: Some(annotations),
                ..Default::default()
            },
            ..Default::default()
        };
        Api::<Namespace>::all(self.client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .map_err(|e| {
                classify(e, |message| Error::CreateNamespace {
                    namespace: name.to_owned(),
                    message,
                })
            })?;
        Ok(())
    }

    /// Waits (with a watch) until the namespace's `default` ServiceAccount exists. The
    /// caller's deploy timeout bounds the wait.
    async fn wait_default_service_account(&self, namespace: &str) -> Result<()> {
        let api = Api::<ServiceAccount>::namespaced(self.client.clone(), namespace);
        await_condition(api, "default", |sa: Option<&ServiceAccount>| sa.is_some())
            .await
            .map_err(|e| Error::Unreachable {
                message: format!("waiting for ServiceAccount {namespace}/default: {e}"),
            })?;
        Ok(())
    }

    /// Server-side applies manifest number `index` into `namespace` (field manager
    /// [`FIELD_MANAGER`], forcing conflicts), whatever its kind, by resolving it through
    /// discovery.
    async fn apply(&self, namespace: &str, index: usize, manifest: &Value) -> Result<()> {
        let id = manifest_id(index, manifest)?;
        let (resource, caps) = self.resolve(&id).await?;
        if caps.scope == Scope::Cluster {
            return Err(Error::ClusterScoped {
                kind: id.kind,
                name: id.name,
            });
        }
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), namespace, &resource);
        let object = in_namespace(manifest, namespace);
        api.patch(
            &id.name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&object),
        )
        .await
        .map_err(|e| {
            classify(e, |message| Error::Apply {
                kind: id.kind.clone(),
                name: id.name.clone(),
                message,
            })
        })?;
        Ok(())
    }

    /// The object `kind`/`name` of `namespace` as JSON (for rollout status).
    async fn get_workload(
        &self,
        namespace: &str,
        kind: crate::scenario::WorkloadKind,
        name: &str,
    ) -> Result<Value> {
        let (group, version) = match kind.api_version().split_once('/') {
            Some((g, v)) => (g.to_owned(), v.to_owned()),
            None => (String::new(), kind.api_version().to_owned()),
        };
        let id = ManifestId {
            group,
            version,
            kind: kind.kind().to_owned(),
            name: name.to_owned(),
        };
        let (resource, _) = self.resolve(&id).await?;
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), namespace, &resource);
        let object = api.get(name).await.map_err(|e| {
            classify(e, |message| Error::Apply {
                kind: id.kind.clone(),
                name: id.name.clone(),
                message: format!("reading it back: {message}"),
            })
        })?;
        Ok(serde_json::to_value(object).unwrap_or_default())
    }

    /// Pods and core/v1 Events of `namespace`, merged into one stream of observations stamped
    /// with their arrival time. Watch failures are passed on as [`WatchItem::Error`] and the
    /// watchers retry with kube-runtime's default back-off; the stream never ends by itself.
    fn watch(&self, namespace: &str) -> impl Stream<Item = WatchItem> + Send + 'static {
        let pods = watcher(
            Api::<Pod>::namespaced(self.client.clone(), namespace),
            watcher::Config::default(),
        )
        .default_backoff()
        .filter_map(|r| {
            future::ready(match r {
                Ok(watcher::Event::Apply(p) | watcher::Event::InitApply(p)) => {
                    Some(arrived(Observed::Pod {
                        object: Box::new(strip_pod(p)),
                    }))
                }
                Ok(watcher::Event::Delete(p)) => Some(arrived(Observed::PodDeleted {
                    name: p.metadata.name.unwrap_or_default(),
                })),
                Ok(watcher::Event::Init | watcher::Event::InitDone) => None,
                Err(e) => Some(WatchItem::Error(format!("watching pods: {e}"))),
            })
        });
        let events = watcher(
            Api::<Event>::namespaced(self.client.clone(), namespace),
            watcher::Config::default(),
        )
        .default_backoff()
        .filter_map(|r| {
            future::ready(match r {
                Ok(watcher::Event::Apply(e) | watcher::Event::InitApply(e)) => {
                    Some(arrived(Observed::Event {
                        object: Box::new(strip_event(e)),
                    }))
                }
                // Events expire (TTL); their deletion says nothing about the scenario.
                Ok(_) => None,
                Err(e) => Some(WatchItem::Error(format!("watching events: {e}"))),
            })
        });
        futures::stream::select(pods, events)
    }

    /// Previous-container logs of pods in `namespace`.
    fn logs(&self, namespace: &str) -> PodLogs {
        PodLogs {
            api: Api::namespaced(self.client.clone(), namespace),
        }
    }

    /// `status.nodeInfo.kubeletVersion` of `node`.
    async fn node_room(&self) -> Result<NodeRoom, String> {
        let lp = kube::api::ListParams::default();
        let nodes = Api::<Node>::all(self.client.clone())
            .list(&lp)
            .await
            .map_err(|e| api_message(&e))?;
        let pods = Api::<Pod>::all(self.client.clone())
            .list(&lp.fields("status.phase!=Succeeded,status.phase!=Failed"))
            .await
            .map_err(|e| api_message(&e))?;
        Ok(super::capacity::room_of(&nodes.items, &pods.items))
    }

    async fn kubelet_version(&self, node: &str) -> Result<String, String> {
        let node = Api::<Node>::all(self.client.clone())
            .get(node)
            .await
            .map_err(|e| api_message(&e))?;
        Ok(node
            .status
            .and_then(|s| s.node_info)
            .map(|i| i.kubelet_version)
            .unwrap_or_default())
    }

    /// The restart back-off of the first Ready node's kubelet, from its `/configz` and
    /// `/metrics` through the API server's node proxy. Anything unreadable (no permission, no
    /// node) leaves the kubelet defaults for that part, said in `because`.
    async fn kubelet_backoff(&self) -> crate::timeline::kubelet_backoff::KubeletBackoff {
        use crate::timeline::kubelet_backoff::{KubeletBackoff, derive};
        let nodes = match Api::<Node>::all(self.client.clone())
            .list(&Default::default())
            .await
        {
            Ok(n) => n.items,
            Err(e) => {
                return KubeletBackoff::defaults(&format!(
                    "nodes not readable ({}); kubelet defaults assumed",
                    api_message(&e)
                ));
            }
        };
        let ready = |n: &Node| {
            n.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        };
        let Some(name) = nodes
            .iter()
            .find(|n| ready(n))
            .and_then(|n| n.metadata.name.clone())
        else {
            return KubeletBackoff::defaults("no Ready node; kubelet defaults assumed");
        };
        let get = |path: String| {
            let client = self.client.clone();
            async move {
                let req = http::Request::get(path)
                    .body(Vec::new())
                    .map_err(|e| e.to_string())?;
                client.request_text(req).await.map_err(|e| api_message(&e))
            }
        };
        let configz = get(format!("/api/v1/nodes/{name}/proxy/configz"))
            .await
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
        let metrics = get(format!("/api/v1/nodes/{name}/proxy/metrics"))
            .await
            .ok();
        derive(configz.as_ref(), metrics.as_deref())
    }

    /// Every namespace labelled as crashlab's (`app.kubernetes.io/managed-by=crashlab`).
    async fn crashlab_namespaces(&self) -> Result<Vec<super::gc::NamespaceInfo>> {
        let api = Api::<Namespace>::all(self.client.clone());
        let selector = format!(
            "{}={}",
            super::namespace::MANAGED_BY_LABEL,
            super::namespace::MANAGED_BY_VALUE
        );
        let list = api
            .list(&kube::api::ListParams::default().labels(&selector))
            .await
            .map_err(|e| Error::Unreachable {
                message: format!("listing crashlab's namespaces: {}", api_message(&e)),
            })?;
        Ok(list.items.into_iter().map(namespace_info).collect())
    }

    /// Requests deletion of `namespace` with foreground propagation. Returns the UID of the
    /// namespace being deleted, or `None` when it is already gone.
    async fn delete_namespace(&self, namespace: &str) -> Result<Option<String>> {
        let api = Api::<Namespace>::all(self.client.clone());
        match api.delete(namespace, &DeleteParams::foreground()).await {
            Ok(either) => Ok(either.left().and_then(|ns| ns.metadata.uid)),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(None),
            Err(e) => Err(classify(e, |message| Error::DeleteNamespace {
                namespace: namespace.to_owned(),
                message,
            })),
        }
    }

    /// Waits (watching, not polling) until the namespace with `uid` no longer exists.
    async fn namespace_gone(&self, namespace: &str, uid: &str) -> Result<()> {
        let api = Api::<Namespace>::all(self.client.clone());
        await_condition(api, namespace, conditions::is_deleted(uid))
            .await
            .map(|_| ())
            .map_err(|e| Error::DeleteNamespace {
                namespace: namespace.to_owned(),
                message: e.to_string(),
            })
    }
}

/// [`LogSource`] backed by `GET /api/v1/namespaces/{ns}/pods/{pod}/log?previous=true`.
pub struct PodLogs {
    api: Api<Pod>,
}

impl LogSource for PodLogs {
    fn previous_logs(
        &self,
        pod: &str,
        container: &str,
    ) -> impl Future<Output = Result<String, LogError>> + Send {
        self.read(pod, container, true)
    }

    fn final_logs(
        &self,
        pod: &str,
        container: &str,
    ) -> impl Future<Output = Result<String, LogError>> + Send {
        self.read(pod, container, false)
    }
}

impl PodLogs {
    fn read(
        &self,
        pod: &str,
        container: &str,
        previous: bool,
    ) -> impl Future<Output = Result<String, LogError>> + Send + use<> {
        let api = self.api.clone();
        let (pod, container) = (pod.to_owned(), container.to_owned());
        async move {
            match super::container_logs::read_logs(&api, &pod, &container, previous).await {
                LogRead::Text(text) => Ok(text),
                LogRead::Removed(text) => Err(LogError::Gone(text)),
                LogRead::Failed(message) => Err(LogError::Retry(message)),
            }
        }
    }
}

fn arrived(what: Observed) -> WatchItem {
    WatchItem::Observed(Observation {
        received_at: Timestamp::now(),
        what,
    })
}

/// Drops `managedFields`, which only say who wrote what and would triple the recordings.
fn strip_pod(mut p: Pod) -> Pod {
    p.metadata.managed_fields = None;
    p
}

fn strip_event(mut e: Event) -> Event {
    e.metadata.managed_fields = None;
    e
}

/// Connection-level failures become [`Error::Unreachable`]; API answers go through `specific`.
fn classify(e: kube::Error, specific: impl FnOnce(String) -> Error) -> Error {
    match &e {
        kube::Error::HyperError(_) | kube::Error::Service(_) => Error::Unreachable {
            message: causes(&e),
        },
        _ => specific(api_message(&e)),
    }
}
