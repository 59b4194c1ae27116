"""Everything PlexSync knows about one scene, gathered for Stash's web UI (the Plex tab).

The imperative half of the scene status: Stash's scene, PlexSync's record of it, its queued jobs
and dead letter, and where Plex has it now. Plex being down or set up wrongly is a fact like the
others (the tab still shows what PlexSync itself knows), never a failure of the whole answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stash.protocol import PluginInput, UserError
from sync.failure import Kind
from sync.matching import Match, decide, match
from sync.paths import to_plex
from sync.state import SceneRecord
from sync_queue.dead_letters import DeadLetter
from sync_queue.job import Job
from validation.scene import Scene
from worker.index import Index
from worker.outage import classify
from worker.ports import StashPort
from worker.services import Services

# Dead letters are few (one per failed scene, purged after a while): a scan finds one scene's.
_LETTERS = 1_000_000


@dataclass
class PlexView:
    """Where Plex has the scene now: its match, library names and what links need."""

    match: Match | None = None
    verdict: str | None = None  # sync / review / not_found (sync.matching.decide)
    libraries: dict[int, str] = field(default_factory=dict)
    machine: str | None = None
    error: str | None = None  # Plex unreachable or a wrong setting: the message to show


@dataclass
class SceneFacts:
    scene: Scene
    record: SceneRecord | None
    jobs: list[Job]
    letter: DeadLetter | None
    plex: PlexView
    plex_paths: list[str]  # the scene's files as Plex should see them (path_map)
    content: str  # the scene's content hash and the settings' fingerprint: whether the record
    settings: str  # holds this version is sync/freshness.py's to say


def scene_id_arg(plugin_input: PluginInput) -> int:
    raw = plugin_input.args.get("scene_id")
    try:
        scene_id = int(str(raw))
    except ValueError:
        raise UserError(f"scene_id must be a scene's number, got {raw!r}") from None
    if scene_id <= 0:
        raise UserError(f"scene_id must be a scene's number, got {raw!r}")
    return scene_id


def stash_scene(stash: StashPort, scene_id: int) -> Scene:
    """The scene as Stash has it now; a deleted or broken one is the user's to know."""
    fetched = stash.scenes_by_id([scene_id])
    if scene_id in fetched.broken:
        raise UserError(f"Stash could not deliver scene {scene_id}: {fetched.broken[scene_id]}")
    raw: dict[str, Any] | None = fetched.found.get(scene_id)
    if raw is None:
        raise UserError(f"Stash has no scene {scene_id} (deleted?)")
    return Scene.from_stash(raw)


def gather(services: Services, scene_id: int) -> SceneFacts:
    stores, config = services.stores, services.config
    scene = stash_scene(services.stash, scene_id)
    letters = [x for x in stores.dead.list(limit=_LETTERS) if x.scene_id == scene_id]
    return SceneFacts(
        scene=scene,
        record=stores.state.get_many([scene_id]).get(scene_id),
        jobs=stores.queue.scene_jobs(scene_id),
        letter=letters[0] if letters else None,
        plex=look_in_plex(services, scene),
        plex_paths=[to_plex(f.path, config.path_map) for f in scene.files],
        content=scene.content_hash(),
        settings=config.plan_fingerprint(),
    )


def look_in_plex(services: Services, scene: Scene) -> PlexView:
    """The scene matched against Plex's path index (the cached one, as the worker uses)."""
    view = PlexView()
    config, plex = services.config, services.plex
    try:
        index = Index(plex, services.stores.index_cache).current()
        view.match = match(scene.files, config.path_map, index)
        view.verdict = decide(view.match, config.strict_matching)
        view.libraries = {s.key: s.title for s in plex.sections()}
        view.machine = plex.machine_identifier()
    except Exception as exc:
        failure = classify(exc)
        if failure.kind not in (Kind.TRANSIENT, Kind.CONFIG):
            raise  # a bug is not a fact about Plex
        view.error = failure.message
    return view
