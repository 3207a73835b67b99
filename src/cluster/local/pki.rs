//! Certificates for the local cluster: one CA, a serving certificate for the API server and
//! the kubelet, and one client certificate per component (the identities
//! `hack/local-up-cluster.sh` uses).

use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

use super::LocalError;

/// A client identity: file stem, common name and organisation (group).
pub struct Identity {
    pub stem: &'static str,
    pub common_name: &'static str,
    pub organization: Option<&'static str>,
}

/// Client identities of the components. `admin` is in `system:masters`, as in kind.
pub const CLIENTS: &[Identity] = &[
    Identity {
        stem: "admin",
        common_name: "crashlab-admin",
        organization: Some("system:masters"),
    },
    Identity {
        stem: "controller-manager",
        common_name: "system:kube-controller-manager",
        organization: None,
    },
    Identity {
        stem: "scheduler",
        common_name: "system:kube-scheduler",
        organization: None,
    },
    Identity {
        stem: "kube-proxy",
        common_name: "system:kube-proxy",
        organization: None,
    },
    // The API server's client identity towards the kubelet (logs, exec).
    Identity {
        stem: "apiserver-kubelet-client",
        common_name: "kube-apiserver-kubelet-client",
        organization: Some("system:masters"),
    },
];

/// Paths of everything this module writes under `<state>/pki`.
#[derive(Debug, Clone)]
pub struct Pki {
    pub dir: PathBuf,
}

impl Pki {
    pub fn new(state_dir: &Path) -> Self {
        Self {
            dir: state_dir.join("pki"),
        }
    }
    pub fn ca_cert(&self) -> PathBuf {
        self.dir.join("ca.crt")
    }
    pub fn ca_key(&self) -> PathBuf {
        self.dir.join("ca.key")
    }
    pub fn cert(&self, stem: &str) -> PathBuf {
        self.dir.join(format!("{stem}.crt"))
    }
    pub fn key(&self, stem: &str) -> PathBuf {
        self.dir.join(format!("{stem}.key"))
    }
    pub fn sa_key(&self) -> PathBuf {
        self.dir.join("sa.key")
    }
    pub fn sa_pub(&self) -> PathBuf {
        self.dir.join("sa.pub")
    }

    /// Generates every certificate unless the CA already exists (a cluster that is brought up
    /// again keeps its identity, so kubeconfigs handed out stay valid).
    pub fn ensure(
        &self,
        node_name: &str,
        node_ip: IpAddr,
        service_ip: IpAddr,
    ) -> Result<(), LocalError> {
        if self.ca_cert().exists() && self.ca_key().exists() && self.sa_key().exists() {
            return Ok(());
        }
        fs::create_dir_all(&self.dir).map_err(|e| LocalError::io(&self.dir, e))?;

        let ca_key = KeyPair::generate().map_err(LocalError::pki)?;
        let mut ca_params =
            CertificateParams::new(Vec::<String>::new()).map_err(LocalError::pki)?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "crashlab-local-ca");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca_params.not_after = rcgen::date_time_ymd(2099, 1, 1);
        let ca_cert = ca_params.self_signed(&ca_key).map_err(LocalError::pki)?;
        let ca_key_pem = ca_key.serialize_pem();
        let issuer = Issuer::new(ca_params, ca_key);

        let loopback: IpAddr = [127, 0, 0, 1].into();
        let server_sans = vec![
            SanType::DnsName("localhost".try_into().map_err(LocalError::pki)?),
            SanType::DnsName("kubernetes".try_into().map_err(LocalError::pki)?),
            SanType::DnsName("kubernetes.default".try_into().map_err(LocalError::pki)?),
            SanType::DnsName(
                "kubernetes.default.svc"
                    .try_into()
                    .map_err(LocalError::pki)?,
            ),
            SanType::DnsName(
                "kubernetes.default.svc.cluster.local"
                    .try_into()
                    .map_err(LocalError::pki)?,
            ),
            SanType::DnsName(node_name.try_into().map_err(LocalError::pki)?),
            SanType::IpAddress(loopback),
            SanType::IpAddress(node_ip),
            SanType::IpAddress(service_ip),
        ];
        self.issue(
            &issuer,
            "apiserver",
            "kube-apiserver",
            None,
            server_sans.clone(),
            true,
        )?;
        // The kubelet's serving certificate doubles as its client certificate (system:node:<name>).
        let node_cn = format!("system:node:{node_name}");
        self.issue(
            &issuer,
            "kubelet",
            &node_cn,
            Some("system:nodes"),
            server_sans,
            true,
        )?;
        for id in CLIENTS {
            self.issue(
                &issuer,
                id.stem,
                id.common_name,
                id.organization,
                Vec::new(),
                false,
            )?;
        }

        let sa = KeyPair::generate().map_err(LocalError::pki)?;
        write_private(&self.sa_key(), &sa.serialize_pem())?;
        write(&self.sa_pub(), &sa.public_key_pem())?;
        write(&self.ca_cert(), &ca_cert.pem())?;
        write_private(&self.ca_key(), &ca_key_pem)?;
        Ok(())
    }

    fn issue(
        &self,
        issuer: &Issuer<'_, KeyPair>,
        stem: &str,
        common_name: &str,
        organization: Option<&str>,
        sans: Vec<SanType>,
        server: bool,
    ) -> Result<(), LocalError> {
        let key = KeyPair::generate().map_err(LocalError::pki)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(LocalError::pki)?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        if let Some(o) = organization {
            params.distinguished_name.push(DnType::OrganizationName, o);
        }
        params.subject_alt_names = sans;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = if server {
            vec![
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ]
        } else {
            vec![ExtendedKeyUsagePurpose::ClientAuth]
        };
        params.not_after = rcgen::date_time_ymd(2099, 1, 1);
        let cert = params.signed_by(&key, issuer).map_err(LocalError::pki)?;
        write(&self.cert(stem), &cert.pem())?;
        write_private(&self.key(stem), &key.serialize_pem())?;
        Ok(())
    }
}

fn write(path: &Path, text: &str) -> Result<(), LocalError> {
    fs::write(path, text).map_err(|e| LocalError::io(path, e))
}

fn write_private(path: &Path, text: &str) -> Result<(), LocalError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| LocalError::io(path, e))?;
    std::io::Write::write_all(&mut f, text.as_bytes()).map_err(|e| LocalError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_a_chain_that_openssl_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let pki = Pki::new(dir.path());
        pki.ensure(
            "crashlab-local",
            [10, 244, 0, 1].into(),
            [10, 96, 0, 1].into(),
        )
        .unwrap();
        for stem in ["apiserver", "kubelet", "admin", "kube-proxy"] {
            let out = std::process::Command::new("openssl")
                .args(["verify", "-CAfile"])
                .arg(pki.ca_cert())
                .arg(pki.cert(stem))
                .output()
                .expect("openssl is installed");
            assert!(
                out.status.success(),
                "{stem}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let text = std::process::Command::new("openssl")
            .args([
                "x509",
                "-noout",
                "-subject",
                "-ext",
                "subjectAltName",
                "-in",
            ])
            .arg(pki.cert("kubelet"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("O = system:nodes"), "{text}");
        assert!(text.contains("CN = system:node:crashlab-local"), "{text}");
        assert!(text.contains("IP Address:10.244.0.1"), "{text}");
    }

    #[test]
    fn keeps_an_existing_ca() {
        let dir = tempfile::tempdir().unwrap();
        let pki = Pki::new(dir.path());
        pki.ensure("n", [10, 244, 0, 1].into(), [10, 96, 0, 1].into())
            .unwrap();
        let before = fs::read(pki.ca_cert()).unwrap();
        pki.ensure("n", [10, 244, 0, 1].into(), [10, 96, 0, 1].into())
            .unwrap();
        assert_eq!(before, fs::read(pki.ca_cert()).unwrap());
    }
}
