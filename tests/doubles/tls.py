"""Certificates made at test time, for doubles that serve HTTPS.

The `openssl` command makes them (the project's Python environment has no `cryptography`
package, and the standard library cannot make certificates). Each is self-signed, so it is its
own authority: a client trusts it by passing the certificate file as its CA bundle. An EC key
keeps generation to a few milliseconds.
"""

from __future__ import annotations

import ipaddress
import shutil
import ssl
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class Certificate:
    cert: Path  # PEM certificate: what a client is told to trust
    key: Path   # PEM private key, for the server only

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def _alt_name(name: str) -> str:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return f"DNS:{name}"
    return f"IP:{name}"


def make_certificate(folder: Path, names: Sequence[str] = LOOPBACK,
                     stem: str = "server") -> Certificate:
    """A self-signed certificate valid for `names` (host names, wildcards or IP addresses)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the openssl command is needed to make test certificates")
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / f"{stem}.crt", folder / f"{stem}.key"
    san = ",".join(_alt_name(name) for name in names)
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", f"/CN={names[0]}", "-addext", f"subjectAltName={san}"],
        check=True, capture_output=True, timeout=30,
    )
    return Certificate(cert, key)
