//! Which servers the host's TLS trusts: the web PKI's roots, plus the
//! certificates a user adds (`--ca-file`, `SSL_CERT_FILE`) for a
//! TLS-inspecting proxy, a private upstream or a test's fake.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

/// Why the extra certificates could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("reading the CA file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the CA file {path} is not PEM certificates: {detail}")]
    NotPem { path: PathBuf, detail: String },
    #[error("the CA file {path} holds no certificate")]
    Empty { path: PathBuf },
    #[error("the CA file {path} holds a certificate rustls refuses as a root: {detail}")]
    Refused { path: PathBuf, detail: String },
    #[error("TLS configuration: {0}")]
    Config(String),
}

/// The web roots and the certificates added to them.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    extra: Vec<CertificateDer<'static>>,
    /// Where each added certificate came from, for messages.
    sources: Vec<PathBuf>,
}

impl Trust {
    /// The web PKI's roots only (`webpki-roots`).
    pub fn web() -> Self {
        Self::default()
    }

    /// The web roots, plus `SSL_CERT_FILE` when it is set and not empty,
    /// plus `ca_file`.
    pub fn from_env_and(ca_file: Option<&Path>) -> Result<Self, TrustError> {
        let mut trust = Self::web();
        if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
            trust.add_pem_file(Path::new(&path))?;
        }
        if let Some(path) = ca_file {
            trust.add_pem_file(path)?;
        }
        Ok(trust)
    }

    /// Adds every certificate of a PEM file; a file with none is an error,
    /// since it was named to be trusted.
    pub fn add_pem_file(&mut self, path: &Path) -> Result<usize, TrustError> {
        let bytes = std::fs::read(path).map_err(|source| TrustError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.add_pem(&bytes, path)
    }

    /// Adds every certificate of PEM text; `origin` names it in errors.
    pub fn add_pem(&mut self, pem: &[u8], origin: &Path) -> Result<usize, TrustError> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TrustError::NotPem {
                path: origin.to_owned(),
                detail: e.to_string(),
            })?;
        if certs.is_empty() {
            return Err(TrustError::Empty {
                path: origin.to_owned(),
            });
        }
        // Checked now, so that a bad file is named before any request.
        let mut probe = RootCertStore::empty();
        for cert in &certs {
            probe.add(cert.clone()).map_err(|e| TrustError::Refused {
                path: origin.to_owned(),
                detail: e.to_string(),
            })?;
        }
        let count = certs.len();
        self.sources
            .extend(std::iter::repeat_n(origin.to_owned(), count));
        self.extra.extend(certs);
        Ok(count)
    }

    /// How many certificates were added to the web roots.
    pub fn added(&self) -> usize {
        self.extra.len()
    }

    /// The files the added certificates came from, each once.
    pub fn sources(&self) -> Vec<PathBuf> {
        let mut sources = self.sources.clone();
        sources.dedup();
        sources
    }

    /// A rustls client configuration (the `ring` provider, as
    /// wasmtime-wasi-http and the upload use) that offers HTTP/2 and
    /// HTTP/1.1 by ALPN.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TrustError> {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.into(),
        };
        for cert in &self.extra {
            roots
                .add(cert.clone())
                .map_err(|e| TrustError::Config(e.to_string()))?;
        }
        let mut config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| TrustError::Config(e.to_string()))?
                .with_root_certificates(roots)
                .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_pem_refuses_text_without_a_certificate() {
        let mut trust = Trust::web();
        let err = trust
            .add_pem(b"not a certificate\n", Path::new("x.pem"))
            .unwrap_err();
        assert!(matches!(err, TrustError::Empty { .. }), "{err}");
        assert!(err.to_string().contains("x.pem"));
        assert_eq!(trust.added(), 0);
    }

    #[test]
    fn add_pem_takes_every_certificate_of_a_bundle() {
        let a = rcgen::generate_simple_self_signed(vec!["a.test".to_owned()]).unwrap();
        let b = rcgen::generate_simple_self_signed(vec!["b.test".to_owned()]).unwrap();
        let bundle = format!("{}{}", a.cert.pem(), b.cert.pem());
        let mut trust = Trust::web();
        assert_eq!(
            trust
                .add_pem(bundle.as_bytes(), Path::new("bundle.pem"))
                .unwrap(),
            2
        );
        assert_eq!(trust.sources(), vec![PathBuf::from("bundle.pem")]);
        let config = trust.client_config().unwrap();
        assert_eq!(config.alpn_protocols[0], b"h2");
    }

    #[test]
    fn add_pem_file_names_a_missing_file() {
        let err = Trust::web()
            .add_pem_file(Path::new("/nonexistent/ca.pem"))
            .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }
}
