//! `--tls`: a throw-away certificate authority and a server certificate for `localhost` and
//! `127.0.0.1`, so the sandbox exercises licctl's `--ca-cert` path the way a real on-premises
//! BigFix or VSPC with an internal CA does.
//!
//! A separate CA (rather than one self-signed leaf) keeps the trust file honest: what
//! `LICCTL_CA_CERT` points at is a CA certificate, as it would be in production.

use std::path::PathBuf;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

use crate::error::{Error, Result};

/// The CA certificate on disk, kept for the sandbox's lifetime (the directory is removed when
/// the last handle to the sandbox goes away).
pub(super) struct CaFile {
    /// Owns the directory; dropping it deletes the file.
    _dir: tempfile::TempDir,
    /// `<dir>/licctl-sandbox-ca.pem`.
    pub path: PathBuf,
}

/// Generates the CA and the server certificate, writes the CA's PEM to a temporary file and
/// returns it with the acceptor that serves the server certificate.
pub(super) fn setup() -> Result<(TlsAcceptor, CaFile)> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Error::internal(format!("sandbox tls: {what}: {e}"))
    };

    let ca_key = KeyPair::generate().map_err(|e| fail("generating the CA key", &e))?;
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| fail("CA parameters", &e))?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "licctl sandbox CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key)
        .map_err(|e| fail("signing the CA certificate", &e))?;

    let leaf_key = KeyPair::generate().map_err(|e| fail("generating the server key", &e))?;
    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(|e| fail("server certificate parameters", &e))?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf_params.use_authority_key_identifier_extension = true;
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca)
        .map_err(|e| fail("signing the server certificate", &e))?;

    let dir = tempfile::Builder::new()
        .prefix("licctl-sandbox-")
        .tempdir()
        .map_err(|e| fail("creating a temporary directory", &e))?;
    let path = dir.path().join("licctl-sandbox-ca.pem");
    std::fs::write(&path, ca.pem()).map_err(|e| fail("writing the CA certificate", &e))?;

    let chain = vec![leaf.der().clone(), CertificateDer::from(ca.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    // An explicit provider, so that no process-wide default has to be installed first.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail("protocol versions", &e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| fail("server certificate", &e))?;
    // The server speaks HTTP/1.1 only; say so, so that clients never try h2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];

    Ok((
        TlsAcceptor::from(Arc::new(config)),
        CaFile { _dir: dir, path },
    ))
}
