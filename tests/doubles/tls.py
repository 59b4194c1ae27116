"""Certificates made at test time, for the doubles that serve HTTPS (no key material in the
repository).

`cryptography` (a test dependency, pyproject.toml) makes them, in-process and on any platform.
Each is self-signed, so it is its own authority: a client trusts it by passing the certificate
file as its CA bundle. Its extensions are those a CA certificate needs under OpenSSL's strict
checks (Python 3.13's default contexts use them). An EC key keeps generation quick; each kind
is made once per test process all the same.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK = ("127.0.0.1", "localhost")
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Certificate:
    cert: Path  # PEM certificate: what a client is told to trust
    key: Path   # PEM private key, for the server only

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def _alt_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


@functools.lru_cache(maxsize=16)
def certificate_pem(common_name: str, names: tuple[str, ...] = (),
                    expired: bool = False) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) of a self-signed certificate for `common_name`, valid for
    `names` (host names, wildcards or IP addresses; none: the common name alone, as
    `openssl req -x509` makes one without -addext)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = (now - 730 * DAY, now - 365 * DAY) if expired else (now - DAY, now + 365 * DAY)
    usage = x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, encipher_only=False,
                          decipher_only=False)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                       critical=False)
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([_alt_name(name) for name in names]), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def write_certificate(folder: Path, cert_pem: bytes, key_pem: bytes,
                      cert_file: str, key_file: str) -> Certificate:
    folder.mkdir(parents=True, exist_ok=True)
    certificate = Certificate(folder / cert_file, folder / key_file)
    certificate.cert.write_bytes(cert_pem)
    certificate.key.write_bytes(key_pem)
    return certificate


def make_certificate(folder: Path, names: Sequence[str] = LOOPBACK,
                     stem: str = "server") -> Certificate:
    """A self-signed certificate valid for `names`, as `<stem>.crt` and `<stem>.key`."""
    return write_certificate(folder, *certificate_pem(names[0], tuple(names)),
                             f"{stem}.crt", f"{stem}.key")
