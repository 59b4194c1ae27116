"""A requests session's own connection pool, called without requests' per-request machinery.

For the requests PlexSync sends once or twice per scene (Plex's edit PUT and poster upload,
Stash's cover download). requests' Session.request spends about 300 µs of Python per call
merging settings, cookies and hooks and parsing the URL again; the same request through the
urllib3 pool of the session's own adapter costs a fraction (perf.md §1.3). What stays the
session's:

- the pool: the one requests would use, chosen by the session's adapter for the URL with the
  session's verification (a pinned certificate, REQUESTS_CA_BUNDLE) and TLS set-up, through
  requests' own API for it (2.32 and later; older releases get no pool);
- a proxy: when the environment names one for the URL, there is no pool and the caller keeps
  requests' own path (rare, and correct before fast);
- the retries of the adapter, and the failures, raised as the same requests exceptions requests
  raises for them (ConnectionError, ConnectTimeout, ReadTimeout, SSLError, ChunkedEncodingError
  ...), wrapping the same urllib3 errors, so callers classify one set of types.

Over plain HTTP a request first goes over a kept-alive http.client connection beside the pool
(stash/direct.py: a third of urllib3's cost again); whatever that cannot send, the pool sends.

Used by plex/http.py and stash/client.py; requests is imported by whoever builds a session.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import requests
from requests import exceptions as rex
from requests.utils import select_proxy
from urllib3 import exceptions as u3
from urllib3.util import Timeout

from stash.direct import BodyTimedOut, Direct, Unsent


class Pool(NamedTuple):
    pool: Any  # urllib3's HTTPConnectionPool
    retries: Any  # the adapter's urllib3 Retry
    direct: Direct | None  # kept-alive http.client connections beside it (plain HTTP)


def pool_for(session: requests.Session, url: str) -> Pool | None:
    """The session's pool for `url` (scheme, host and port), or None where requests' own path
    must be kept. Raises what requests raises for an unusable CA bundle path."""
    settings = session.merge_environment_settings(url, {}, None, None, None)
    if select_proxy(url, settings["proxies"]) is not None:
        return None
    adapter = session.get_adapter(url)
    connect = getattr(adapter, "get_connection_with_tls_context", None)
    if connect is None:  # requests before 2.32: its older API would ignore `verify`
        return None
    request = requests.PreparedRequest()
    request.prepare(method="GET", url=url)
    pool = connect(request, settings["verify"], proxies={}, cert=settings["cert"])
    adapter.cert_verify(pool, url, settings["verify"], settings["cert"])
    return Pool(pool, adapter.max_retries, Direct(pool) if pool.scheme == "http" else None)


def send(pool: Pool, method: str, target: str, headers: dict[str, str], timeout: float,
         body: bytes | None = None) -> tuple[Any, bytes]:
    """urllib3's answer (status, headers) and its whole body, decoded as requests decodes it."""
    if pool.direct is not None:
        try:
            answer, data = pool.direct.send(method, target, headers, timeout, body)
        except Unsent:
            pass  # the pool sends it, and says in requests' words what is wrong
        except BodyTimedOut as exc:
            raise rex.ConnectionError(exc) from exc
        except u3.ReadTimeoutError as exc:
            raise rex.ReadTimeout(exc) from exc
        else:
            return answer, _read(answer) if data is None else data
    answer = _open(pool, method, target, headers, timeout, body)
    return answer, _read(answer)


# requests' translations of urllib3's errors, first match wins, as its own except clauses
# read them: a body being read (requests/models.py Response.iter_content), a request being
# sent (requests/adapters.py HTTPAdapter.send), and the reason a MaxRetryError gives there.
Table = tuple[tuple[type[BaseException], type[rex.RequestException]], ...]
_READING: Table = ((u3.ProtocolError, rex.ChunkedEncodingError),
                   (u3.DecodeError, rex.ContentDecodingError),
                   (u3.ReadTimeoutError, rex.ConnectionError), (u3.SSLError, rex.SSLError))
_SENDING: Table = ((u3.ProtocolError, rex.ConnectionError), (OSError, rex.ConnectionError),
                   (u3.ClosedPoolError, rex.ConnectionError), (u3.ProxyError, rex.ProxyError),
                   (u3.SSLError, rex.SSLError), (u3.ReadTimeoutError, rex.ReadTimeout),
                   (u3.InvalidHeader, rex.InvalidHeader))
_RETRY_REASONS: Table = ((u3.NewConnectionError, rex.ConnectionError),
                         (u3.ConnectTimeoutError, rex.ConnectTimeout),
                         (u3.ResponseError, rex.RetryError), (u3.ProxyError, rex.ProxyError),
                         (u3.SSLError, rex.SSLError))


def _types(table: Table) -> tuple[type[BaseException], ...]:
    return tuple(theirs for theirs, _ in table)


def _translated(exc: BaseException, table: Table, default: type[rex.RequestException]
                ) -> rex.RequestException:
    ours = next((ours for theirs, ours in table if isinstance(exc, theirs)), default)
    return ours(exc)


def _read(answer: Any) -> bytes:
    try:
        return answer.read(decode_content=True)  # type: ignore[no-any-return]
    except _types(_READING) as exc:
        raise _translated(exc, _READING, rex.ConnectionError) from exc


def _open(pool: Pool, method: str, target: str, headers: dict[str, str], timeout: float,
          body: bytes | None) -> Any:
    try:
        return pool.pool.urlopen(method, target, body=body, headers=headers, redirect=False,
                                 assert_same_host=False, preload_content=False,
                                 decode_content=False, retries=pool.retries,
                                 timeout=Timeout(connect=timeout, read=timeout))
    except u3.MaxRetryError as exc:  # what gave up decides; the retry error is wrapped
        ours = _translated(exc.reason, _RETRY_REASONS, rex.ConnectionError)  # type: ignore[arg-type]
        raise type(ours)(exc) from exc
    except _types(_SENDING) as exc:
        raise _translated(exc, _SENDING, rex.ConnectionError) from exc
