//! Where the local cluster keeps everything: one state directory it owns, and the fixed
//! network plan (kind's defaults: pods 10.244.0.0/16, services 10.96.0.0/16).

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// Name of the kube context, cluster and user the provider writes.
pub const CONTEXT: &str = "crashlab-local";
/// Node name registered by the kubelet.
pub const NODE_NAME: &str = "crashlab-local";
/// The bridge the CNI plugin attaches pods to. Its address is the node's InternalIP, so the
/// API server reaches the kubelet without leaving the machine.
pub const BRIDGE: &str = "crashlab0";
pub const NODE_IP: Ipv4Addr = Ipv4Addr::new(10, 244, 0, 1);
pub const POD_SUBNET: &str = "10.244.0.0/24";
pub const CLUSTER_CIDR: &str = "10.244.0.0/16";
pub const SERVICE_CIDR: &str = "10.96.0.0/16";
/// First service address: the `kubernetes` Service.
pub const SERVICE_IP: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 1);
/// Cluster DNS address given to pods. No DNS Service exists at it, so a pod's lookups are
/// refused by the service guard instead of reaching the machine's resolver.
pub const CLUSTER_DNS: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 10);
pub const APISERVER_PORT: u16 = 6443;
pub const ETCD_CLIENT_PORT: u16 = 23790;
pub const ETCD_PEER_PORT: u16 = 23800;
/// Parent cgroup (in every v1 hierarchy) of everything the kubelet creates.
pub const CGROUP_ROOT: &str = "crashlab";

/// Paths under the state directory.
#[derive(Debug, Clone)]
pub struct Layout {
    pub root: PathBuf,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// `$CRASHLAB_STATE_DIR`, else `/var/lib/crashlab/local`.
    pub fn default_root() -> PathBuf {
        std::env::var_os("CRASHLAB_STATE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/var/lib/crashlab/local"))
    }

    fn p(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
    pub fn logs(&self) -> PathBuf {
        self.p("logs")
    }
    pub fn log(&self, component: &str) -> PathBuf {
        self.logs().join(format!("{component}.log"))
    }
    pub fn config(&self) -> PathBuf {
        self.p("config")
    }
    pub fn config_file(&self, name: &str) -> PathBuf {
        self.config().join(name)
    }
    pub fn kubeconfig(&self, who: &str) -> PathBuf {
        self.config().join(format!("{who}.kubeconfig"))
    }
    /// The admin kubeconfig with embedded certificates, handed to users.
    pub fn admin_kubeconfig(&self) -> PathBuf {
        self.p("kubeconfig")
    }
    pub fn containerd(&self) -> PathBuf {
        self.p("containerd")
    }
    pub fn containerd_socket(&self) -> PathBuf {
        self.containerd().join("containerd.sock")
    }
    pub fn etcd_data(&self) -> PathBuf {
        self.p("etcd")
    }
    pub fn kubelet_root(&self) -> PathBuf {
        self.p("kubelet")
    }
    pub fn pod_logs(&self) -> PathBuf {
        self.p("pod-logs")
    }
    pub fn cni_conf_dir(&self) -> PathBuf {
        self.p("cni/net.d")
    }
    pub fn cni_ipam_dir(&self) -> PathBuf {
        self.p("cni/ipam")
    }
    pub fn images(&self) -> PathBuf {
        self.p("images")
    }
    pub fn supervisor_pid(&self) -> PathBuf {
        self.p("supervisor.pid")
    }
    pub fn status_file(&self) -> PathBuf {
        self.p("status.json")
    }
    pub fn cluster_file(&self) -> PathBuf {
        self.p("cluster.json")
    }
    pub fn sysctl_backup(&self) -> PathBuf {
        self.p("sysctl-backup.json")
    }
    pub fn is(&self, path: &Path) -> bool {
        path.starts_with(&self.root)
    }
}
