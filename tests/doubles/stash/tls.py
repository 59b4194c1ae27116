"""HTTPS as Stash serves it: the user's own certificate pair, almost always self-signed.

Stash looks for `ssl_cert_path`/`ssl_key_path` in its config, else for `stash.crt` and
`stash.key` in its config folder, then in ~/.stash (stashapp/stash
internal/manager/config/config.go, InitTLS). With both files found it serves HTTPS only
(internal/api/server.go, makeTLSConfig) and tells every plugin `"Scheme": "https"`
(pkg/plugin/plugins.go, makeServerConnection). The pair is made by the user, usually with
`openssl req -x509`, for a name such as the machine's, never for the address a plugin connects
to (server_connection's Host is Stash's bind address, often 0.0.0.0).

The certificate is made at test time by the doubles' one generator (tests/doubles/tls.py).
"""

from __future__ import annotations

from pathlib import Path

from ..tls import Certificate, certificate_pem, write_certificate

CERT_FILE = "stash.crt"
KEY_FILE = "stash.key"
COMMON_NAME = "stash.home.arpa"  # the user's name for the machine, not 127.0.0.1


def certificate_pair(expired: bool = False, common_name: str = COMMON_NAME) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) of a self-signed certificate like `openssl req -x509` makes:
    for the machine's name alone."""
    return certificate_pem(common_name, expired=expired)


def write_pair(folder: Path, expired: bool = False) -> Certificate:
    """stash.crt and stash.key in `folder`, where Stash would find them."""
    return write_certificate(folder, *certificate_pair(expired), CERT_FILE, KEY_FILE)
