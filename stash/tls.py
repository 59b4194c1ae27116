"""TLS to Stash's own server: trust the certificate Stash serves, not the public authorities.

Stash serves HTTPS when it finds `stash.crt` and `stash.key` in its config folder (then in
~/.stash, unless ssl_cert_path points elsewhere) and then tells plugins `"Scheme": "https"`
(stashapp/stash internal/manager/config/config.go InitTLS, pkg/plugin/plugins.go). Users make
that pair themselves, almost always self-signed and for a name that is not the address a plugin
is given (server_connection's Host is Stash's bind address, often 0.0.0.0). So:

- with the certificate found where Stash looks for it, the connection is verified against that
  certificate alone, without a host name check and without its dates: the trust comes from the
  file Stash itself serves, not from an authority's promise that runs out (Stash keeps serving
  an expired one, and a browser lets its user click through);
- without it (ssl_cert_path elsewhere), it is not verified: the connection goes to the address
  Stash gave the plugin, on Stash's own machine.

Standard library only: the hook imports this when Stash speaks HTTPS.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path

CERT_FILE = "stash.crt"
# OpenSSL's X509_V_FLAG_NO_CHECK_TIME: the ssl module passes any flag through but names no
# constant for this one.
_NO_CHECK_TIME = 0x200000


def certificate_file(config_dir: str | None) -> Path | None:
    """Where Stash found its certificate, in Stash's own order; None when it is elsewhere."""
    folders = [Path(config_dir)] if config_dir else []
    folders.append(Path(os.path.expanduser("~/.stash")))  # as is, when there is no home
    for folder in folders:
        if (folder / CERT_FILE).is_file():
            return folder / CERT_FILE
    return None


def client_context(cafile: Path | None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    if cafile is None:
        context.verify_mode = ssl.CERT_NONE
        return context
    context.load_verify_locations(cafile=str(cafile))
    # The file may hold a certificate an authority signed (and its chain): it is trusted itself.
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | _NO_CHECK_TIME
    return context


def explain(exc: BaseException, cafile: Path | None) -> str | None:
    """One line for a certificate Stash serves that is not the one in its config folder."""
    if not isinstance(exc, ssl.SSLCertVerificationError) or cafile is None:
        return None
    reason = getattr(exc, "verify_message", None) or "it does not verify"
    return (f"Stash serves another HTTPS certificate than {cafile} (OpenSSL: {reason}): restart "
            "Stash if you replaced that file; if Stash's ssl_cert_path points at another "
            f"certificate, copy that one to {cafile}")
