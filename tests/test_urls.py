"""Stash's picture URLs (pure): routes, other addresses, cache-busters."""

from __future__ import annotations

import pytest

from stash.urls import rebase, route, same_picture, seen_by, without_cache_buster

SHOT = "https://stash.example.com/scene/12/screenshot?t=1700000000"


@pytest.mark.parametrize(("url", "expected"), [
    (SHOT, "/scene/12/screenshot?t=1700000000"),
    # external_host with a path (a proxy serving Stash under /stash): Stash itself has no /stash
    ("https://x.example/stash/performer/7/image?t=5&default=true",
     "/performer/7/image?t=5&default=true"),
    ("http://127.0.0.1:9999/studio/3/image", "/studio/3/image"),
    ("http://h/something/else", "/something/else"),  # not a picture route: kept whole
])
def test_route_is_what_every_address_of_stash_serves(url: str, expected: str) -> None:
    assert route(url) == expected


def test_rebase_keeps_path_and_query_on_another_address() -> None:
    assert rebase(SHOT, "http://127.0.0.1:9999") == \
        "http://127.0.0.1:9999/scene/12/screenshot?t=1700000000"
    assert rebase(SHOT, "http://nas.lan/stash/") == \
        "http://nas.lan/stash/scene/12/screenshot?t=1700000000"
    assert seen_by(SHOT, "") == SHOT and seen_by(None, "http://x") == ""


def test_same_picture_ignores_only_the_cache_buster() -> None:
    photo = "http://nas:9999/performer/7/image?t=1"
    assert without_cache_buster(photo) == "http://nas:9999/performer/7/image"
    assert same_picture(photo, None, "http://nas:9999/performer/7/image?t=2")
    assert not same_picture(photo, "http://other:9999/performer/7/image?t=1")
    assert not same_picture(photo, "http://nas:9999/performer/8/image?t=1", "")
