//! The processes of the local cluster, in start order, with their command lines and the
//! check that says each is ready before the next one starts.

use std::ffi::OsString;
use std::path::PathBuf;

use super::Binaries;
use super::layout::{self, Layout};
use super::pki::Pki;

/// How the supervisor decides a component is up.
#[derive(Debug, Clone, PartialEq)]
pub enum Readiness {
    /// A unix socket exists.
    Socket(PathBuf),
    /// A plain-HTTP GET on 127.0.0.1 answers 200.
    Http { port: u16, path: &'static str },
    /// A TCP port on 127.0.0.1 accepts connections (TLS endpoints; the API's own readiness
    /// is checked afterwards through the API).
    Tcp(u16),
    /// A command exits 0 (the API server's `/readyz`, asked with kubectl: RBAC bootstrap must
    /// be done before the controller manager may start).
    Command(PathBuf, Vec<OsString>),
}

#[derive(Debug, Clone)]
pub struct Component {
    pub name: &'static str,
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub ready: Readiness,
}

/// Every component, in the order they must start (and the reverse order they stop).
pub fn components(l: &Layout, pki: &Pki, bins: &Binaries) -> Vec<Component> {
    let a = |s: &str| OsString::from(s);
    let p = |p: PathBuf| p.into_os_string();
    let kv = |k: &str, v: PathBuf| {
        let mut s = OsString::from(format!("--{k}="));
        s.push(v);
        s
    };
    let etcd_client = format!("http://127.0.0.1:{}", layout::ETCD_CLIENT_PORT);
    let etcd_peer = format!("http://127.0.0.1:{}", layout::ETCD_PEER_PORT);
    vec![
        Component {
            name: "containerd",
            program: bins.containerd.clone(),
            args: vec![a("--config"), p(l.config_file("containerd.toml"))],
            ready: Readiness::Socket(l.containerd_socket()),
        },
        Component {
            name: "etcd",
            program: bins.etcd.clone(),
            args: vec![
                a("--name=crashlab"),
                kv("data-dir", l.etcd_data()),
                a(&format!("--listen-client-urls={etcd_client}")),
                a(&format!("--advertise-client-urls={etcd_client}")),
                a(&format!("--listen-peer-urls={etcd_peer}")),
                a(&format!("--initial-advertise-peer-urls={etcd_peer}")),
                a(&format!("--initial-cluster=crashlab={etcd_peer}")),
                a("--listen-metrics-urls="),
                a("--log-level=warn"),
            ],
            ready: Readiness::Http {
                port: layout::ETCD_CLIENT_PORT,
                path: "/health",
            },
        },
        Component {
            name: "kube-apiserver",
            program: bins.kube("kube-apiserver"),
            args: vec![
                a(&format!("--etcd-servers={etcd_client}")),
                a("--bind-address=127.0.0.1"),
                a(&format!("--secure-port={}", layout::APISERVER_PORT)),
                // The `kubernetes` Service's endpoint; loopback is refused there, and the
                // bridge address stays on this machine.
                a(&format!("--advertise-address={}", layout::NODE_IP)),
                kv("tls-cert-file", pki.cert("apiserver")),
                kv("tls-private-key-file", pki.key("apiserver")),
                kv("client-ca-file", pki.ca_cert()),
                kv(
                    "kubelet-client-certificate",
                    pki.cert("apiserver-kubelet-client"),
                ),
                kv("kubelet-client-key", pki.key("apiserver-kubelet-client")),
                kv("service-account-key-file", pki.sa_pub()),
                kv("service-account-signing-key-file", pki.sa_key()),
                a("--service-account-issuer=https://kubernetes.default.svc"),
                a("--authorization-mode=Node,RBAC"),
                a(&format!(
                    "--service-cluster-ip-range={}",
                    layout::SERVICE_CIDR
                )),
                a("--allow-privileged=true"),
                a(
                    "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota,NodeRestriction",
                ),
                a("--kubelet-preferred-address-types=InternalIP,Hostname"),
                a("--profiling=false"),
            ],
            ready: Readiness::Command(
                bins.kube("kubectl"),
                vec![
                    a("--kubeconfig"),
                    p(l.kubeconfig("admin")),
                    a("get"),
                    a("--raw"),
                    a("/readyz"),
                    a("--request-timeout=2s"),
                ],
            ),
        },
        Component {
            name: "kube-controller-manager",
            program: bins.kube("kube-controller-manager"),
            args: vec![
                kv("kubeconfig", l.kubeconfig("controller-manager")),
                kv(
                    "authentication-kubeconfig",
                    l.kubeconfig("controller-manager"),
                ),
                kv(
                    "authorization-kubeconfig",
                    l.kubeconfig("controller-manager"),
                ),
                a("--bind-address=127.0.0.1"),
                kv("service-account-private-key-file", pki.sa_key()),
                kv("root-ca-file", pki.ca_cert()),
                kv("cluster-signing-cert-file", pki.ca_cert()),
                kv("cluster-signing-key-file", pki.ca_key()),
                a("--use-service-account-credentials"),
                // The node's pod CIDR is fixed by the CNI config; no IPAM controller.
                a("--controllers=*,-nodeipam"),
                a("--leader-elect=false"),
                a(&format!(
                    "--service-cluster-ip-range={}",
                    layout::SERVICE_CIDR
                )),
                a("--profiling=false"),
            ],
            ready: Readiness::Tcp(10257),
        },
        Component {
            name: "kube-scheduler",
            program: bins.kube("kube-scheduler"),
            args: vec![
                kv("config", l.config_file("scheduler.yaml")),
                kv("authentication-kubeconfig", l.kubeconfig("scheduler")),
                kv("authorization-kubeconfig", l.kubeconfig("scheduler")),
                a("--bind-address=127.0.0.1"),
            ],
            ready: Readiness::Tcp(10259),
        },
        Component {
            name: "kubelet",
            program: bins.kube("kubelet"),
            args: vec![
                kv("config", l.config_file("kubelet.yaml")),
                kv("kubeconfig", l.kubeconfig("kubelet")),
                a(&format!("--hostname-override={}", layout::NODE_NAME)),
                a(&format!("--node-ip={}", layout::NODE_IP)),
                kv("root-dir", l.kubelet_root()),
            ],
            ready: Readiness::Http {
                port: 10248,
                path: "/healthz",
            },
        },
        Component {
            name: "kube-proxy",
            program: bins.kube("kube-proxy"),
            args: vec![kv("config", l.config_file("kube-proxy.yaml"))],
            ready: Readiness::Http {
                port: 10256,
                path: "/healthz",
            },
        },
    ]
}

/// Names of all components, in start order.
pub const NAMES: &[&str] = &[
    "containerd",
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
];
