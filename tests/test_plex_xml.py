"""Plex's XML read into plain data (plex/xml.py): full items, sections, listing pages."""

import xml.etree.ElementTree as ET

import pytest

from plex import xml
from plex.sections import Section
from sync.index_refresh import ListedItem
from sync.item import Actor
from sync.matching import IndexEntry

EMPTY_FIELDS = dict.fromkeys(xml.FIELDS, "")


VIDEO_XML = """
<MediaContainer size="1" librarySectionID="3">
  <Video ratingKey="101" key="/library/metadata/101" type="movie" subtype="clip"
      title="Real Title" titleSort="Real" studio="Studio X" summary="Para one.&#10;&#10;Two."
      contentRating="XXX" originallyAvailableAt="2024-03-05" year="2024" userRating="8.0"
      librarySectionID="3" librarySectionTitle="Clips">
    <Media id="1"><Part id="1" key="/library/parts/1/file.mp4" file="/plex/a/my_scene.mp4"
        size="10"/></Media>
    <Media id="2"><Part id="2" file="D:\\Media\\b.mkv" size="11"/></Media>
    <Genre id="1" tag="Outdoor"/><Genre id="2" tag="Blonde"/>
    <Collection id="3" tag="Studio X"/><Label id="4" tag="Stash"/>
    <Role id="5" tag="Jane" role="Nurse" thumb="http://x/p.jpg"/><Role id="6" tag="John"/>
    <Field name="title" locked="1"/><Field name="genre" locked="1"/>
    <Field name="thumb" locked="1"/><Field name="summary" locked="0"/>
  </Video>
</MediaContainer>
"""


def test_parse_item_reads_a_full_video_element():
    parsed = xml.item(ET.fromstring(VIDEO_XML).find("Video"))
    assert parsed.rating_key == "101" and parsed.section_id == 3
    assert parsed.fields == {
        "title": "Real Title", "titleSort": "Real", "studio": "Studio X",
        "summary": "Para one.\n\nTwo.", "contentRating": "XXX",
        "originallyAvailableAt": "2024-03-05", "year": "2024", "userRating": "8.0",
    }
    assert parsed.tags == {"genre": ["Outdoor", "Blonde"], "collection": ["Studio X"],
                           "label": ["Stash"]}
    assert parsed.actors == [Actor("Jane", "Nurse", "http://x/p.jpg"), Actor("John")]
    assert parsed.locked == {"title", "genre", "thumb"}
    assert parsed.files == ["/plex/a/my_scene.mp4", "D:\\Media\\b.mkv"]


def test_parse_item_fills_absent_attributes_and_refuses_items_without_keys():
    bare = xml.item(ET.fromstring('<Video ratingKey="7" librarySectionID="1"/>'))
    assert bare.fields == EMPTY_FIELDS and bare.actors == [] and bare.files == []
    with pytest.raises(ValueError):
        xml.item(ET.fromstring('<Video librarySectionID="1"/>'))
    with pytest.raises(ValueError):
        xml.item(ET.fromstring('<Video ratingKey="7"/>'))


def test_sections_keep_numbered_directories_with_their_locations():
    container = ET.fromstring(
        '<MediaContainer><Directory key="3" title="Clips" type="movie" scannedAt="17">'
        '<Location path="/a"/><Location path="/b"/></Directory>'
        '<Directory key="x" title="Odd" type="movie"/>'
        '<Directory key="4" title="Music" type="artist" updatedAt="9"/></MediaContainer>')
    assert xml.sections(container) == [Section(3, "Clips", "movie", ("/a", "/b"), "17"),
                                       Section(4, "Music", "artist", (), "9")]


def test_a_listing_page_reads_every_part_and_the_total():
    container = ET.fromstring(
        '<MediaContainer size="3" totalSize="5">'
        '<Video ratingKey="1" addedAt="1700000000"><Media><Part file="/a/1.mp4" size="10"/>'
        '</Media><Media><Part file="/a/1b.mp4"/></Media></Video>'
        '<Video ratingKey="2"/>'
        '<Video><Media><Part file="/a/orphan.mp4" size="3"/></Media></Video></MediaContainer>')
    items, videos, total = xml.listing_page(container, 3)
    assert items == [
        ListedItem("1", 3, 1_700_000_000, (IndexEntry("1", 3, "/a/1.mp4", 10),
                                           IndexEntry("1", 3, "/a/1b.mp4", None))),
        ListedItem("2", 3, None, ())]  # an item without a file still counts as an item
    assert (videos, total) == (3, 5)
