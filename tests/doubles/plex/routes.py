"""Which request is which (its kind, for counting) and what the double answers to it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import render
from .edits import EditError, parse_edit
from .listing import date_filters
from .store import Store

HTML_ERRORS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    414: "Request-URI Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class Request:
    method: str
    path: str
    params: list[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes = b""

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)


@dataclass
class Response:
    status: int
    body: str = ""
    content_type: str = "text/xml;charset=utf-8"


@dataclass
class Settings:
    """Server-wide values routes read; `replace` is the tag mode."""

    machine_id: str
    version: str
    friendly_name: str
    replace: bool = True


def error(status: int) -> Response:
    title = f"{status} {HTML_ERRORS.get(status, 'Error')}"
    name = HTML_ERRORS.get(status, "Error")
    page = f"<html><head><title>{name}</title></head><body><h1>{title}</h1></body></html>"
    return Response(status, page, "text/html")


Handler = Callable[[Store, Settings, Request, re.Match[str]], Response]


def _root(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    return Response(
        200,
        render.root(
            {
                "machineIdentifier": s.machine_id,
                "version": s.version,
                "friendlyName": s.friendly_name,
                "platform": "Linux",
                "platformVersion": "6.1",
                "myPlex": 0,
                "multiuser": 0,
                "allowMediaDeletion": 1,
                "allowSync": 0,
                "transcoderActiveVideoSessions": 0,
                "transcoderVideo": 1,
                "updatedAt": store.now(),
            }
        ),
    )


def _identity(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    return Response(
        200,
        render.container([], size=0, claimed=1, machineIdentifier=s.machine_id, version=s.version),
    )


def _library(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    return Response(200, render.library())


def _sections(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    with store.lock:
        all_sections = list(store.sections.values())
        scanning = {x.key for x in all_sections if store.scanning(x.key)}
        return Response(200, render.sections(all_sections, scanning))


def _paging(req: Request) -> tuple[int, int | None]:
    start = req.headers.get("X-Plex-Container-Start") or req.param("X-Plex-Container-Start")
    size = req.headers.get("X-Plex-Container-Size") or req.param("X-Plex-Container-Size")
    return int(start or 0), None if size is None else int(size)


def _listing(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    start, size = _paging(req)
    with store.lock:
        section = store.sections.get(int(m["sid"]))
        if section is None:
            return error(404)
        total, items = 0, []
        if section.type == "movie" and req.param("type") in (None, "1"):
            total, items = store.page(section.key, start, size, req.param("title"),
                                      date_filters(req.params), req.param("sort"))
        return Response(200, render.listing(section, items, total, start, store))


def _edit(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    section = store.sections.get(int(m["sid"]))
    if section is None:
        return error(404)
    if req.param("type") != "1" or section.type != "movie":
        return error(400)
    ids = req.param("id")
    try:
        plan = parse_edit(req.params)
        # An empty id selects nothing, so PMS edits the whole section, as without one.
        store.edit(section.key, ids.split(",") if ids else None, plan, s.replace)
    except EditError as exc:
        return error(exc.status)
    return Response(200)


def _refresh(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    sid = int(m["sid"])
    if sid not in store.sections:
        return error(404)
    if req.param("force") != "1":
        store.scan(sid, req.param("path"), time.monotonic())
    return Response(200)


def _metadata(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    start, size = _paging(req)
    with store.lock:
        found = [store.items[k] for k in m["ids"].split(",") if k in store.items]
        found = found[start : None if size is None else start + size]
        if not found:
            return error(404)
        pairs = [(i, store.sections[i.section_id]) for i in found]
        return Response(200, render.metadata(pairs, store))


def _images(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    with store.lock:
        item = store.items.get(m["rk"])
        if item is None:
            return error(404)
        return Response(200, render.images(item, _image_kind(m)))


def _upload(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    url = req.param("url")
    if m["rk"] not in store.items:
        return error(404)
    if not req.body and not url:
        return error(400)
    store.upload(m["rk"], _image_kind(m), req.body or None, None if req.body else url)
    return Response(200)


def _image_kind(m: re.Match[str]) -> str:
    return "poster" if m["kind"] == "posters" else "art"


def _rate(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    key, raw = req.param("key"), req.param("rating")
    if req.param("identifier") != render.IDENTIFIER or raw is None:
        return error(400)
    try:
        rating = float(raw)
    except ValueError:
        return error(400)
    if rating != -1 and not 0 <= rating <= 10:
        return error(400)
    if key not in store.items:
        return error(404)
    store.rate(key, rating)
    return Response(200)


def _activities(store: Store, s: Settings, req: Request, m: re.Match[str]) -> Response:
    with store.lock:
        scanning = [x for x in store.sections.values() if store.scanning(x.key)]
        return Response(200, render.activities(scanning))


_ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    (method, re.compile(f"^{pattern}$"), kind, handler)
    for method, pattern, kind, handler in [
        ("GET", "/", "root", _root),
        ("GET", "/identity", "identity", _identity),
        ("GET", "/library/?", "library", _library),
        ("GET", "/library/sections/?", "sections", _sections),
        ("GET", r"/library/sections/(?P<sid>\d+)/all", "listing", _listing),
        ("PUT", r"/library/sections/(?P<sid>\d+)/all", "edit", _edit),
        ("GET", r"/library/sections/(?P<sid>\d+)/refresh", "refresh", _refresh),
        ("GET", r"/library/metadata/(?P<ids>\d+(,\d+)*)", "metadata", _metadata),
        ("GET", r"/library/metadata/(?P<rk>\d+)/(?P<kind>posters)", "posters", _images),
        ("GET", r"/library/metadata/(?P<rk>\d+)/(?P<kind>arts)", "arts", _images),
        ("POST", r"/library/metadata/(?P<rk>\d+)/(?P<kind>posters)", "upload_poster", _upload),
        ("POST", r"/library/metadata/(?P<rk>\d+)/(?P<kind>arts)", "upload_art", _upload),
        ("PUT", "/:/rate", "rate", _rate),
        ("GET", "/activities", "activities", _activities),
    ]
]


def _not_found(store: Store, s: Settings, req: Request, m: re.Match[str] | None) -> Response:
    return error(404)


def resolve(method: str, path: str) -> tuple[str, Handler, re.Match[str] | None]:
    """The kind of a request and the handler answering it (unknown routes answer 404)."""
    for route_method, pattern, kind, handler in _ROUTES:
        if route_method == method and (m := pattern.match(path)):
            return kind, handler, m
    return "unknown", _not_found, None
