"""Links into Plex Web, the web app every Plex Media Server serves at `<plex_url>/web`.

An item's page is `#!/server/<machineIdentifier>/details?key=<the item's key, URL-encoded>`, as
python-plexapi builds it (pkkid/python-plexapi: plexapi/base.py PlexPartialObject.getWebURL ->
plexapi/server.py PlexServer._buildWebURL, the key quoted by plexapi/utils.py joinArgs); plexapi
defaults to app.plex.tv/desktop, the server's own copy lives under /web/index.html.
"""

from __future__ import annotations

from urllib.parse import quote


def item_url(plex_url: str, machine_identifier: str, rating_key: str) -> str:
    key = quote(f"/library/metadata/{rating_key}", safe="")
    return (f"{plex_url.rstrip('/')}/web/index.html#!/server/{machine_identifier}"
            f"/details?key={key}")
