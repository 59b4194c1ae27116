"""Build the plugin zip and a Stash plugin-source index (Settings > Plugins > Available Plugins).

    python packaging/build.py [--out dist] [--date "YYYY-MM-DD HH:MM:SS"]

Writes <out>/plexsync.zip (the plugin folder's content: what Stash unpacks into
plugins/plexsync/) and <out>/index.yml in Stash's package-list format. Publish both side by side
and add the index.yml URL as a plugin source in Stash.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import zipfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("validation", "sync", "worker", "sync_queue", "plex", "stash", "tasks")
FILES = ("plexsync.py", "plexsync.yml", "requirements.txt", "README.md")
# A fixed time inside the zip, so the same source gives the same bytes and the same sha256.
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def plugin_files() -> list[Path]:
    files = [ROOT / name for name in FILES]
    for package in PACKAGES:
        files += sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)
    files += sorted(p for p in (ROOT / "ui").iterdir() if p.suffix in (".js", ".css"))
    return files


def build_zip(target: Path) -> str:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in plugin_files():
            info = zipfile.ZipInfo(str(path.relative_to(ROOT)), ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return hashlib.sha256(target.read_bytes()).hexdigest()


def manifest_field(name: str) -> str:
    for line in (ROOT / "plexsync.yml").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"plexsync.yml has no {name}")


def version() -> str:
    base = manifest_field("version")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return base
    return f"{base}-{commit}"


def index_yml(sha256: str, date: str) -> str:
    description = manifest_field("description").replace('"', "'")
    return (
        "- id: plexsync\n"
        "  name: PlexSync\n"
        "  metadata:\n"
        f"    description: \"{description}\"\n"
        f"  version: {version()}\n"
        f"  date: \"{date}\"\n"
        "  requires: []\n"
        "  path: plexsync.zip\n"
        f"  sha256: {sha256}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "dist"))
    parser.add_argument("--date", default=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sha256 = build_zip(out / "plexsync.zip")
    (out / "index.yml").write_text(index_yml(sha256, args.date))
    print(f"wrote {out / 'plexsync.zip'} and {out / 'index.yml'} (sha256 {sha256})")


if __name__ == "__main__":
    main()
