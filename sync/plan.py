"""The field plan: the minimal edit that brings one Plex item in line with one Stash scene.

Pure. `last` is what PlexSync wrote to this item before (sync/ownership.py); it tells PlexSync's
own values apart from values Plex got elsewhere, so that only our own values are ever cleared,
and, with preserve_plex_edits, a person's edits survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stash.urls import same_picture, seen_by
from sync.edit import IMAGE_LOCKS, UNSET, Edit, ImageRef, _Unset
from sync.item import Actor, PlexItem
from sync.ownership import Owned, Picture
from sync.paths import stem
from validation import clean
from validation.clean import fold
from validation.config import PlexSyncConfig
from validation.scene import Scene

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def plan(scene: Scene, item: PlexItem, config: PlexSyncConfig, last: Owned | None,
         *, force: bool = False, recheck_missing: bool = False) -> Edit:
    """force (Sync All, force): write every planned value and image, even ones Plex holds.
    recheck_missing: download again a cover Stash did not have last time, even at the same URL
    (a writer does; a comparison does not count it as a difference)."""
    draft = _Draft(item, config, last or Owned(), force=force, recheck=recheck_missing)
    _plan_fields(draft, scene)
    if config.sync_tags:
        _plan_list(draft, "genre", scene.tags, exact=True)
    if config.sync_performers:
        _plan_actors(draft, scene)
    if config.sync_collections:
        _plan_list(draft, "collection", clean.names([scene.studio or "", *scene.groups]))
    _plan_list(draft, "label", clean.names(config.plex_labels))
    _plan_images(draft, scene.screenshot_url)
    return draft.build()


@dataclass
class _Draft:
    """The edit under construction, plus the record of what PlexSync owns afterwards."""

    item: PlexItem
    config: PlexSyncConfig
    last: Owned
    force: bool = False
    recheck: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)
    remove: dict[str, list[str]] = field(default_factory=dict)
    actors: list[Actor] | None = None
    locks: dict[str, bool] = field(default_factory=dict)
    rating: float | None | _Unset = UNSET
    images: list[ImageRef] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.written = self.last.copy()

    def lock(self, name: str, *, written: bool) -> None:
        """Lock what we write; a matching value gets the lock only if it lacks one."""
        if self.config.lock_fields and (written or name not in self.item.locked):
            self.locks[name] = True

    def set_field(self, name: str, value: str) -> None:
        if name == "userRating":
            self.rating = float(value) if value else None
        else:
            self.fields[name] = value
            self.lock(name, written=True)
        self.written.fields[name] = value

    def own_field(self, name: str, value: str) -> None:
        if name != "userRating":
            self.lock(name, written=False)
        self.written.fields[name] = value

    def build(self) -> Edit:
        return Edit(
            rating_key=self.item.rating_key, section_id=self.item.section_id,
            fields=self.fields, tags=self.tags, remove=self.remove, actors=self.actors,
            locks=self.locks, rating=self.rating, images=self.images,
            written=self.written, skipped=self.skipped,
        )


def _plan_fields(d: _Draft, scene: Scene) -> None:
    config = d.config
    if config.sync_title and scene.title:  # an empty Stash title never blanks Plex's
        _scalar(d, "title", scene.title)
    if config.sync_summary:
        _scalar(d, "summary", scene.details or None)
    if config.sync_studio:
        _scalar(d, "studio", scene.studio)
    if config.sync_date:
        full = scene.date if scene.date and len(scene.date) == 10 else None
        _scalar(d, "originallyAvailableAt", full)
        _scalar(d, "year", str(int(scene.date[:4])) if scene.date else None)
    _scalar(d, "contentRating", clean.line(config.content_rating) or None)
    if config.sync_rating:
        rating = None if scene.rating100 is None else _rating_text(scene.rating100 / 10)
        _scalar(d, "userRating", rating)


def _scalar(d: _Draft, name: str, desired: str | None) -> None:
    current = _current(d, name)
    ours = d.last.fields.get(name)
    if desired is None:  # Stash has no value: only a value PlexSync wrote may go
        if ours is not None and current == ours and current:
            d.set_field(name, "")
        elif ours is not None and current != ours:
            del d.written.fields[name]  # the value now in Plex came from elsewhere
        return
    if current == desired and not d.force:
        d.own_field(name, desired)
    elif not d.config.preserve_plex_edits or _may_replace(d, name, current, ours):
        d.set_field(name, desired)
    else:
        d.skipped.append(f"{name}: kept the value edited in Plex")


def _current(d: _Draft, name: str) -> str:
    raw = d.item.fields.get(name, "")
    if name == "summary":
        return clean.text(raw)
    if name == "originallyAvailableAt" and _DAY.match(raw):
        return raw[:10]
    if name == "userRating" and raw.strip():
        try:
            return _rating_text(float(raw))
        except ValueError:
            d.skipped.append(f"userRating: Plex holds {raw[:20]!r}, not a number; treated as empty")
            return ""
    return clean.line(raw)


def _rating_text(rating: float) -> str:
    return f"{round(rating, 1):g}"


def _may_replace(d: _Draft, name: str, current: str, ours: str | None) -> bool:
    """preserve_plex_edits: is this Plex value empty, ours, or at least not a person's?"""
    if not current or (name == "title" and _is_default_title(current, d.item.files)):
        return True
    if ours is not None:
        return current == ours
    # Plex locks a field a person edits; a user rating is only ever set by a person.
    return name not in d.item.locked and name != "userRating"


def _is_default_title(title: str, files: list[str]) -> bool:
    """Plex names an item after its file when nothing better is known."""
    key = fold(title)
    for file in files:
        name = stem(file)
        if key in (fold(name), fold(name.replace(".", " ").replace("_", " ").strip())):
            return True
    return False


def _plan_list(d: _Draft, kind: str, desired: list[str], *, exact: bool = False) -> None:
    """Exact lists (genres) mirror Stash; managed ones keep names PlexSync never wrote."""
    current = d.item.tags.get(kind, [])
    wanted = desired if exact else _unless_removed_by_person(d, kind, desired, current)
    final = _list_change(d, kind, current, wanted, desired, exact=exact)
    if final is not None:
        d.tags[kind] = final


def _list_change(
    d: _Draft, kind: str, current: list[str], wanted: list[str], record: list[str],
    *, exact: bool, refresh: bool = False,
) -> list[str] | None:
    """The complete final list when `kind` must be written (its removals go into the draft);
    None when it stays. `record` becomes the names PlexSync owns."""
    final, removed = _merge(current, wanted, _folds(d.last.tags.get(kind, [])), exact)
    if _folds(final) == _folds(current) and not refresh and not d.force:
        d.written.tags[kind] = list(record)
        if wanted:
            d.lock(kind, written=False)
        return None
    if exact and not _may_replace_list(d, kind, current):
        d.skipped.append(f"{kind}: kept the list edited in Plex")
        return None
    d.written.tags[kind] = list(record)
    if removed:
        d.remove[kind] = removed
    d.lock(kind, written=True)
    return final


def _unless_removed_by_person(
    d: _Draft, kind: str, desired: list[str], current: list[str]
) -> list[str]:
    if not d.config.preserve_plex_edits:
        return desired
    ours, present = _folds(d.last.tags.get(kind, [])), _folds(current)
    gone = [name for name in desired if _key(name) in ours and _key(name) not in present]
    if gone:
        d.skipped.append(f"{kind}: not re-adding {', '.join(gone)}, removed in Plex")
    return [name for name in desired if name not in gone]


def _merge(
    current: list[str], desired: list[str], ours: set[str], exact: bool
) -> tuple[list[str], list[str]]:
    """(complete final list, current names to remove): correct whether the server replaces
    or appends an indexed tag list. With nothing desired an exact list acts as a managed
    one, so tags Plex got elsewhere are not wiped by an empty scene."""
    want = _folds(desired)
    drop_foreign = exact and bool(desired)
    kept, removed = [], []
    for name in current:
        if _key(name) in want:
            continue
        (removed if drop_foreign or _key(name) in ours else kept).append(name)
    return kept + list(desired), removed


def _may_replace_list(d: _Draft, kind: str, current: list[str]) -> bool:
    if not d.config.preserve_plex_edits or not current:
        return True
    if kind in d.last.tags:
        return _folds(current) == _folds(d.last.tags[kind])
    return kind not in d.item.locked


def _key(name: str) -> str:
    """Names compare cleaned and case-insensitively, as Plex matches tags."""
    return fold(clean.line(name))


def _folds(names: list[str]) -> set[str]:
    return {_key(name) for name in names}


def _plan_actors(d: _Draft, scene: Scene) -> None:
    have = {_key(actor.tag): actor for actor in d.item.actors}
    desired = _desired_actors(scene, have, d.config)
    sent = d.last.actor_thumbs
    # Plex may report a photo in its own form: what PlexSync sent last counts as current. The
    # `t=` of a photo URL moves on any edit of the performer: the same photo for all that.
    new_photo = any(
        actor.thumb and not same_picture(actor.thumb, have[key].thumb, sent.get(key))
        for key, actor in desired.items() if key in have
    )
    names = [actor.tag for actor in desired.values()]
    current = [actor.tag for actor in d.item.actors]
    final = _list_change(d, "actor", current, names, names, exact=True, refresh=new_photo)
    if final is not None:
        d.written.actor_thumbs = {k: a.thumb for k, a in desired.items() if a.thumb}
        d.actors = [desired.get(_key(name)) or have[_key(name)] for name in final]


def _desired_actors(scene: Scene, have: dict[str, Actor],
                    config: PlexSyncConfig) -> dict[str, Actor]:
    desired: dict[str, Actor] = {}
    for performer in scene.performers:
        key = _key(performer.name)
        if key not in desired:
            role = have[key].role if key in have else ""  # a role set in Plex survives
            thumb = seen_by(performer.image_url, config.stash_url_for_plex) \
                if config.actor_photos else ""
            desired[key] = Actor(performer.name, role, thumb)
    return desired


def _plan_images(d: _Draft, url: str | None) -> None:
    toggles = {"poster": d.config.sync_poster, "art": d.config.sync_art}
    for kind, lock_name in IMAGE_LOCKS.items():
        before = d.last.images.get(kind)
        if not toggles[kind] or not url or (_seen(before, url, d.recheck) and not d.force):
            continue  # an unchanged URL (it carries ?t=<updated_at>) costs no download
        uploaded = bool(before and (before.url or before.hash))
        if d.config.preserve_plex_edits and not uploaded and lock_name in d.item.locked:
            d.skipped.append(f"{kind}: kept the image chosen in Plex")
            continue
        # A hash of None makes the writer upload whatever it downloads.
        known = before.hash if before and not d.force else None
        d.images.append(ImageRef(url, kind, known))
        d.written.images[kind] = Picture(url, known)
        d.lock(lock_name, written=True)


def _seen(before: Picture | None, url: str, recheck: bool) -> bool:
    """Plex has the picture at this URL, or Stash had none there last time (its placeholder).

    A cover Stash generates after a scan may keep the URL (same second): only a writer asked
    to recheck downloads such a URL again."""
    if not before:
        return False
    return before.url == url or (before.missing == url and not recheck)
