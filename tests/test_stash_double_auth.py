"""Authentication and picture routes of the Stash double, as Stash answers them."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from stashapi.stashapp import StashInterface

from tests.doubles.stash import StashDouble, tiny_png
from tests.doubles.stash.auth import Verdict, authorize

KEY = "api-key-secret"
SESSION = "sess-secret"


@pytest.fixture
def secured() -> Iterator[StashDouble]:
    with StashDouble(api_key=KEY, session=SESSION) as double:
        yield double


@pytest.fixture
def open_stash() -> Iterator[StashDouble]:
    with StashDouble() as double:
        yield double


def gql(stash: StashDouble, query: str = "{ version { version } }", **kwargs) -> requests.Response:
    return requests.post(f"{stash.url}/graphql", json={"query": query}, timeout=30, **kwargs)


def test_decision_table() -> None:
    assert authorize(KEY, KEY, False, "/graphql", True) is Verdict.ALLOW_BY_KEY
    assert authorize(KEY, "wrong", True, "/graphql", True) is Verdict.UNAUTHORIZED
    assert authorize(None, "any", True, "/graphql", False) is Verdict.UNAUTHORIZED
    assert authorize(None, "any", True, "/graphql", True) is Verdict.UNAUTHORIZED
    assert authorize(KEY, None, True, "/graphql", True) is Verdict.ALLOW_BY_SESSION
    assert authorize(KEY, None, False, "/graphql", True) is Verdict.UNAUTHORIZED
    assert authorize(KEY, None, False, "/scene/1/screenshot", True) is Verdict.LOGIN_REDIRECT
    assert authorize(None, None, False, "/graphql", False) is Verdict.ALLOW_ANONYMOUS
    # A password without an API key: only a session gets in.
    assert authorize(None, None, True, "/graphql", True) is Verdict.ALLOW_BY_SESSION
    assert authorize(None, None, False, "/graphql", True) is Verdict.UNAUTHORIZED


def test_credentials_required_when_configured(secured: StashDouble) -> None:
    assert gql(secured).status_code == 401
    assert gql(secured, headers={"ApiKey": KEY}).status_code == 200
    assert gql(secured, cookies={"session": SESSION}).status_code == 200
    assert gql(secured, cookies={"session": "forged"}).status_code == 401
    assert gql(secured, headers={"ApiKey": "wrong"},
               cookies={"session": SESSION}).status_code == 401
    assert requests.post(f"{secured.url}/graphql?apikey={KEY}",
                         json={"query": "{ version { version } }"}, timeout=30).ok


def test_session_login_is_refreshed_by_set_cookie(secured: StashDouble) -> None:
    response = gql(secured, cookies={"session": SESSION})
    assert response.cookies.get("session") == SESSION
    assert gql(secured, headers={"ApiKey": KEY}).cookies.get("session") is None


def test_stashapi_with_session_then_api_key_after_expiry(secured: StashDouble) -> None:
    client = StashInterface(secured.server_connection())
    api_key = client.call_GQL("{ configuration { general { apiKey } } }")
    assert api_key["configuration"]["general"]["apiKey"] == KEY
    secured.expire_session()
    with pytest.raises(Exception, match="401"):
        client.find_scene(1, fragment="id")
    with pytest.raises(Exception, match="401"):
        StashInterface(secured.server_connection())
    by_key = StashInterface({**secured.server_connection(), "ApiKey": KEY})
    assert by_key.find_scene(1, fragment="id") is None
    assert secured.counts["rejected"] == 2


def test_force_api_key_switches_from_cookie(secured: StashDouble) -> None:
    client = StashInterface(secured.server_connection(), force_api_key=True)
    secured.expire_session()
    assert client.find_scene(1, fragment="id") is None


def test_no_auth_needed_when_not_configured(open_stash: StashDouble) -> None:
    assert gql(open_stash).status_code == 200
    assert gql(open_stash, cookies={"session": "stale"}).status_code == 200
    assert gql(open_stash, headers={"ApiKey": "unexpected"}).status_code == 401
    key = gql(open_stash, "{ configuration { general { apiKey } } }").json()
    assert key["data"]["configuration"]["general"]["apiKey"] == ""
    open_stash.expire_session()
    assert StashInterface(open_stash.server_connection()).find_scene(1, fragment="id") is None


def test_scene_screenshot_bytes_and_default_svg(open_stash: StashDouble) -> None:
    cover = tiny_png("cover-1")
    with_cover = open_stash.add_scene(title="A", cover=cover)
    without = open_stash.add_scene(title="B")
    urls = screenshot_urls(open_stash)
    image = requests.get(urls[with_cover], timeout=30)
    assert image.status_code == 200
    assert image.headers["Content-Type"] == "image/png"
    assert image.content == cover
    placeholder = requests.get(urls[without], timeout=30)
    assert placeholder.status_code == 200
    assert placeholder.headers["Content-Type"] == "image/svg+xml"
    assert placeholder.content.startswith(b"<svg")
    assert open_stash.counts["screenshot"] == 2


def test_new_cover_changes_bytes_and_cache_buster(open_stash: StashDouble) -> None:
    scene = open_stash.add_scene(title="A", cover=tiny_png("v1"))
    before = screenshot_urls(open_stash)[scene]
    open_stash.clock.advance(2)
    open_stash.update_scene(scene, cover=tiny_png("v2"))
    after = screenshot_urls(open_stash)[scene]
    assert after != before
    assert requests.get(after, timeout=30).content == tiny_png("v2")
    assert tiny_png("v1") != tiny_png("v2")


def test_jpeg_cover_keeps_its_type(open_stash: StashDouble) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 16 + b"\xff\xd9"
    scene = open_stash.add_scene(cover=jpeg)
    image = requests.get(screenshot_urls(open_stash)[scene], timeout=30)
    assert image.headers["Content-Type"] == "image/jpeg" and image.content == jpeg


def test_performer_image_and_default(open_stash: StashDouble) -> None:
    picture = tiny_png("jane")
    jane = open_stash.add_performer("Jane", image=picture)
    john = open_stash.add_performer("John")
    open_stash.add_scene(performers=[jane, john])
    data = gql(open_stash, "{ findScenes { scenes { performers { id image_path } } } }").json()
    paths = {int(p["id"]): p["image_path"]
             for p in data["data"]["findScenes"]["scenes"][0]["performers"]}
    assert "default=true" not in paths[jane] and paths[john].endswith("&default=true")
    assert requests.get(paths[jane], timeout=30).content == picture
    default = requests.get(paths[john], timeout=30)
    assert default.headers["Content-Type"] == "image/svg+xml"
    assert open_stash.counts["performer_image"] == 2


def test_images_redirect_to_login_without_credentials(secured: StashDouble) -> None:
    scene = secured.add_scene(cover=tiny_png("x"))
    url = f"{secured.url}/scene/{scene}/screenshot?t=1"
    bare = requests.get(url, timeout=30, allow_redirects=False)
    assert bare.status_code == 302
    assert bare.headers["Location"].startswith("/login")
    followed = requests.get(url, timeout=30)
    assert followed.status_code == 200
    assert followed.headers["Content-Type"].startswith("text/html")
    assert requests.get(url, timeout=30, headers={"ApiKey": KEY}).content == tiny_png("x")
    assert requests.get(url, timeout=30, cookies={"session": SESSION}).content == tiny_png("x")
    assert requests.get(url, timeout=30, headers={"ApiKey": "bad"}).status_code == 401


def test_unknown_image_is_404(open_stash: StashDouble) -> None:
    assert requests.get(f"{open_stash.url}/scene/42/screenshot", timeout=30).status_code == 404
    assert requests.get(f"{open_stash.url}/nothing", timeout=30).status_code == 404


def test_base_url_follows_host_header(open_stash: StashDouble) -> None:
    open_stash.add_scene()
    response = gql(open_stash, "{ findScenes { scenes { paths { screenshot } } } }",
                   headers={"Host": f"localhost:{open_stash.port}"})
    screenshot = response.json()["data"]["findScenes"]["scenes"][0]["paths"]["screenshot"]
    assert screenshot.startswith(f"http://localhost:{open_stash.port}/scene/")


def test_latency_delays_answers(open_stash: StashDouble) -> None:
    open_stash.latency = 0.2
    started = time.monotonic()
    assert gql(open_stash).ok
    assert time.monotonic() - started >= 0.2


def screenshot_urls(stash: StashDouble) -> dict[int, str]:
    data = gql(stash, "{ findScenes(filter: {per_page: -1}) "
                      "{ scenes { id paths { screenshot } } } }").json()["data"]
    return {int(s["id"]): s["paths"]["screenshot"] for s in data["findScenes"]["scenes"]}


# --- a password without an API key, sessions as real Stash keeps them -------------------------

def _with(stash: StashDouble, *cookies: str) -> requests.Response:
    header = "; ".join(f"session={value}" for value in cookies)
    return gql(stash, headers={"Cookie": header} if cookies else {})


def test_password_stash_refuses_anonymous_and_any_key(password_stash: StashDouble) -> None:
    assert _with(password_stash).status_code == 401
    assert gql(password_stash, headers={"ApiKey": "guess"}).status_code == 401
    cookie = password_stash.server_connection()["SessionCookie"]
    assert cookie["MaxAge"] == 3600 and cookie["Value"].startswith(SESSION)
    assert _with(password_stash, cookie["Value"]).json()["data"]["version"]["version"]
    keyless = gql(password_stash, "{ configuration { general { apiKey } } }",
                  headers={"Cookie": f"session={cookie['Value']}"}).json()
    assert keyless["data"]["configuration"]["general"]["apiKey"] == ""


def test_each_run_gets_a_new_cookie_and_each_request_a_refreshed_one(
        password_stash: StashDouble) -> None:
    first = password_stash.server_connection()["SessionCookie"]["Value"]
    assert password_stash.server_connection()["SessionCookie"]["Value"] != first
    response = _with(password_stash, first)
    refreshed = response.cookies.get("session")
    assert response.ok and refreshed not in (None, first)
    header = response.headers["Set-Cookie"]
    assert "Path=/" in header and "Max-Age=3600" in header and "SameSite=Lax" in header
    assert "Expires=" in header and "GMT" in header
    assert gql(password_stash, headers={"ApiKey": "x"}).cookies.get("session") is None


def test_a_session_lapses_max_age_after_its_last_refresh(password_stash: StashDouble) -> None:
    clock = password_stash.clock
    original = password_stash.server_connection()["SessionCookie"]["Value"]
    clock.advance(3000)
    refreshed = _with(password_stash, original).cookies["session"]  # still valid: refreshed
    clock.advance(1000)  # 4000 s after the original, 1000 s after the refresh
    assert _with(password_stash, original).status_code == 401
    assert _with(password_stash, refreshed).ok
    # Two session cookies in one request: Go reads the first (net/http Request.Cookie).
    assert _with(password_stash, original, refreshed).status_code == 401
    assert _with(password_stash, refreshed, original).ok
    password_stash.expire_session()  # every cookie issued so far, at once
    assert _with(password_stash, refreshed).status_code == 401
    assert _with(password_stash, password_stash.server_connection()["SessionCookie"]["Value"]).ok


def test_stashapi_works_on_a_password_stash_session(password_stash: StashDouble) -> None:
    client = StashInterface(password_stash.server_connection(), force_api_key=True)
    assert client.find_scene(1, fragment="id") is None
    assert "ApiKey" not in client.s.headers  # nothing to switch to: it stays on the cookie
