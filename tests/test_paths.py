import unicodedata

import pytest

from sync.paths import basename, folder, is_windows, normalize, stem, to_plex
from validation.config import parse_path_map


@pytest.mark.parametrize(
    ("stash", "rules", "plex"),
    [
        ("/data/a/x.mp4", "/data=/media", "/media/a/x.mp4"),
        ("/data/a/x.mp4", "/data/=/media/", "/media/a/x.mp4"),
        ("/data/abc/x.mp4", "/data/a=/media/a", "/data/abc/x.mp4"),  # component boundary
        ("/data/a", "/data/a=/media/a", "/media/a"),
        ("/data/a/x.mp4", "/data=/media;/data/a=/special", "/special/x.mp4"),  # longest first
        ("/Data/a/x.mp4", "/data=/media", "/Data/a/x.mp4"),  # POSIX prefixes keep case
        ("/data/a/x.mp4", "/=/srv", "/srv/data/a/x.mp4"),
        ("/data/a/x.mp4", "", "/data/a/x.mp4"),
        ("/data/a/x.mp4", "data=/media", "/data/a/x.mp4"),  # relative vs absolute
    ],
)
def test_posix_prefix_mapping(stash, rules, plex):
    assert to_plex(stash, parse_path_map(rules)) == plex


@pytest.mark.parametrize(
    ("stash", "rules", "plex"),
    [
        ("/data/Studio/x.mp4", "/data=D:\\Media", "D:\\Media\\Studio\\x.mp4"),
        ("/data/Studio/x.mp4", "/data=D:/Media", "D:/Media/Studio/x.mp4"),
        ("/data/Studio/x.mp4", "/data=\\\\nas\\share", "\\\\nas\\share\\Studio\\x.mp4"),
        ("/data/Studio/x.mp4", "/data=D:", "D:\\Studio\\x.mp4"),
        ("C:\\Videos\\Studio\\x.mp4", "c:\\videos=/media", "/media/Studio/x.mp4"),
        ("C:/Videos/Studio/x.mp4", "C:\\VIDEOS\\=/media", "/media/Studio/x.mp4"),
        ("C:\\Videos2\\x.mp4", "C:\\Videos=/media", "C:\\Videos2\\x.mp4"),
        ("\\\\?\\C:\\Videos\\x.mp4", "C:\\Videos=/media", "/media/x.mp4"),
        ("\\\\NAS\\Share\\x.mp4", "\\\\nas\\share=/mnt/nas", "/mnt/nas/x.mp4"),
        ("\\\\?\\UNC\\nas\\share\\x.mp4", "\\\\nas\\share=/mnt/nas", "/mnt/nas/x.mp4"),
        ("\\\\nas\\share\\x.mp4", "C:\\nas\\share=/wrong", "\\\\nas\\share\\x.mp4"),
    ],
)
def test_windows_prefix_mapping(stash, rules, plex):
    assert to_plex(stash, parse_path_map(rules)) == plex


def test_mapping_keeps_the_file_name_exactly():
    name = "Caf\u00e9 \u201cquoted\u201d \U0001f600 [1080p].mp4"
    assert to_plex(f"/data/{name}", [("/data", "/media")]) == f"/media/{name}"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("/media/a/x.mp4", "/media/a/x.mp4"),
        ("/media//a///x.mp4", "/media/a/x.mp4"),
        ("/media/a/", "/media/a"),
        ("/", "/"),
        ("/Media/A.MP4", "/Media/A.MP4"),  # POSIX stays case-sensitive
        ("D:\\Media\\A.MP4", "d:/media/a.mp4"),
        ("d:/media/a.mp4", "d:/media/a.mp4"),
        ("D:\\\\Media\\\\A.mp4", "d:/media/a.mp4"),
        ("\\\\?\\D:\\Media\\A.mp4", "d:/media/a.mp4"),
        ("\\\\?\\UNC\\Server\\Share\\A.mp4", "//server/share/a.mp4"),
        ("\\\\?\\unc\\Server\\Share\\A.mp4", "//server/share/a.mp4"),
        ("\\\\Server\\Share\\A.mp4", "//server/share/a.mp4"),
        ("D:\\", "d:"),
        ("relative/x.mp4", "relative/x.mp4"),
    ],
)
def test_normalize(raw, key):
    assert normalize(raw) == key


def test_normalize_applies_nfc():
    nfd = unicodedata.normalize("NFD", "/media/Caf\u00e9.mp4")
    assert nfd != "/media/Caf\u00e9.mp4"
    assert normalize(nfd) == "/media/Caf\u00e9.mp4"


def test_every_windows_spelling_of_one_file_has_one_key():
    spellings = [
        "C:\\Media\\Scene.mp4", "c:/media/scene.mp4", "\\\\?\\C:\\MEDIA\\Scene.mp4",
        "C:\\Media\\\\Scene.mp4", "C:/Media/Scene.MP4",
    ]
    assert len({normalize(s) for s in spellings}) == 1


def test_basename_folder_and_stem():
    assert basename("/a/b/c.mp4") == "c.mp4"
    assert folder("/a/b/c.mp4") == "/a/b"
    assert basename("C:\\a\\b\\c.mp4") == "c.mp4"
    assert folder("C:\\a\\b\\c.mp4") == "C:\\a\\b"
    assert basename("/a/b\\c.mp4") == "b\\c.mp4"  # a backslash is a POSIX name character
    assert basename("c.mp4") == "c.mp4" and folder("c.mp4") == ""
    assert stem("/a/My.Scene.2024.mp4") == "My.Scene.2024"
    assert stem("/a/.hidden") == ".hidden"
    assert stem("/a/noext") == "noext"


def test_is_windows():
    assert is_windows("C:\\x") and is_windows("c:/x") and is_windows("\\\\nas\\s")
    assert is_windows("//nas/s") and is_windows("D:")
    assert not is_windows("/data") and not is_windows("data/C:")
