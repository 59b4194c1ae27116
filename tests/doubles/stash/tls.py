"""HTTPS as Stash serves it: the user's own certificate pair, almost always self-signed.

Stash looks for `ssl_cert_path`/`ssl_key_path` in its config, else for `stash.crt` and
`stash.key` in its config folder, then in ~/.stash (stashapp/stash
internal/manager/config/config.go, InitTLS). With both files found it serves HTTPS only
(internal/api/server.go, makeTLSConfig) and tells every plugin `"Scheme": "https"`
(pkg/plugin/plugins.go, makeServerConnection). The pair is made by the user, usually with
`openssl req -x509`, for a name such as the machine's, never for the address a plugin connects
to (server_connection's Host is Stash's bind address, often 0.0.0.0).

The certificate is generated at test time (no key material in the repository) and once per test
process: key generation is the slow part.
"""

from __future__ import annotations

import datetime
import functools
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CERT_FILE = "stash.crt"
KEY_FILE = "stash.key"
COMMON_NAME = "stash.home.arpa"  # the user's name for the machine, not 127.0.0.1


@functools.lru_cache(maxsize=4)
def certificate_pair(expired: bool = False, common_name: str = COMMON_NAME) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) of a self-signed certificate like `openssl req -x509` makes."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = (now - datetime.timedelta(days=730), now - datetime.timedelta(days=365)) \
        if expired else (now - datetime.timedelta(days=1), now + datetime.timedelta(days=365))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def write_pair(folder: Path, expired: bool = False) -> tuple[Path, Path]:
    """stash.crt and stash.key in `folder`, where Stash would find them."""
    cert_pem, key_pem = certificate_pair(expired)
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / CERT_FILE, folder / KEY_FILE
    cert.write_bytes(cert_pem)
    key.write_bytes(key_pem)
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
