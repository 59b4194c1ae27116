"""The Plex double's real-server modes (issue 12), seen through the real plexapi client: not Plex
at all, a read-only token, refused long request lines, HTTPS, stacked multi-part items."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from plexapi.exceptions import BadRequest, Unauthorized

from tests.doubles.plex import PlexDouble
from tests.doubles.plex.client import connect, loopback_session
from tests.doubles.plex.faults import IMPOSTORS
from tests.doubles.tls import make_certificate


@pytest.mark.parametrize("impostor", sorted(IMPOSTORS))
def test_an_impostor_answers_every_request_alike(plex: PlexDouble, impostor: str) -> None:
    plex.impostor = impostor
    session = loopback_session()
    status, body, content_type = IMPOSTORS[impostor]
    for path in ("/identity", "/", "/library/sections"):
        reply = session.get(f"{plex.url}{path}", headers={"X-Plex-Token": plex.token})
        assert (reply.status_code, reply.text) == (status, body)
        assert reply.headers["Content-Type"] == content_type
    plex.impostor = None
    assert "machineIdentifier" in session.get(f"{plex.url}/identity").text


@pytest.mark.parametrize(("status", "raised"), [(401, Unauthorized), (403, BadRequest)])
def test_a_read_only_token_reads_but_may_not_edit(plex: PlexDouble, status: int,
                                                  raised: type[Exception]) -> None:
    sid = plex.add_section("Scenes", ["/data"])
    rk = plex.add_item(sid, "/data/a.mp4")
    plex.read_only_token = "shared-user-token"
    plex.read_only_status = status
    shared = connect(plex, token="shared-user-token")  # GET / answers
    assert [s.title for s in shared.library.sections()] == ["Scenes"]
    assert shared.fetchItem(int(rk)).title == "a"
    with pytest.raises(raised, match=rf"\({status}\)"):
        shared.query("/library")
    with pytest.raises(raised, match=rf"\({status}\)"):
        shared.query(f"/library/sections/{sid}/all?type=1&id={rk}&title.value=x",
                     method=shared._session.put)
    assert plex.item(rk)["fields"]["title"] == "a"
    owner = connect(plex)
    owner.query("/library")
    owner.query(f"/library/sections/{sid}/all?type=1&id={rk}&title.value=x",
                method=owner._session.put)
    assert plex.item(rk)["fields"]["title"] == "x"


@pytest.mark.parametrize("status", [414, 400])
def test_request_lines_over_the_limit_are_refused(plex: PlexDouble, status: int) -> None:
    plex.faults.max_request_line = 200
    plex.faults.long_line_status = status
    session = loopback_session()
    short = session.get(f"{plex.url}/identity?x={'a' * 100}")
    long = session.get(f"{plex.url}/identity?x={'a' * 200}")
    assert short.status_code == 200 and long.status_code == status
    assert plex.counts["too_long"] == 1 and plex.counts["identity"] == 1


def test_https_with_a_certificate_made_at_test_time(tmp_path: Path) -> None:
    certificate = make_certificate(tmp_path)
    with PlexDouble(tls=certificate) as plex:
        assert plex.url.startswith("https://127.0.0.1:")
        session = loopback_session()
        with pytest.raises(requests.exceptions.SSLError, match="self-signed certificate"):
            session.get(f"{plex.url}/identity")
        assert session.get(f"{plex.url}/identity", verify=str(certificate.cert)).ok
        plex.go_down()
        plex.come_up()  # listens with TLS again
        assert session.get(f"{plex.url}/identity", verify=str(certificate.cert)).ok


def test_a_plex_direct_certificate_does_not_match_an_ip_address(tmp_path: Path) -> None:
    certificate = make_certificate(tmp_path, ["*.0123abcd.plex.direct"])
    with PlexDouble(tls=certificate) as plex, \
            pytest.raises(requests.exceptions.SSLError, match="IP address mismatch"):
        loopback_session().get(f"{plex.url}/identity", verify=str(certificate.cert))


def test_a_stacked_item_holds_every_part_in_one_media(plex: PlexDouble) -> None:
    sid = plex.add_section("Scenes", ["/data"])
    rk = plex.add_item(sid, "/data/movie - part1.mp4", size=1)
    plex.stack(rk, "/data/movie - part2.mp4", size=2)
    (item,) = connect(plex).library.sectionByID(sid).all()
    assert len(item.media) == 1
    assert [p.file for p in item.media[0].parts] == ["/data/movie - part1.mp4",
                                                     "/data/movie - part2.mp4"]
    assert plex.item(rk)["files"] == [p.file for p in item.media[0].parts]
