"""PlexSync's settings: one validated model, with the defaults Stash cannot store.

Stash sends only the settings a user has saved, so every default lives here. Stash types a
setting as STRING, NUMBER or BOOLEAN; values arrive as JSON strings, numbers and booleans.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stash import log
from stash.protocol import UserError

BOOLEAN_SETTINGS = (
    "strict_matching", "preserve_plex_edits", "lock_fields", "trigger_plex_scan",
    "sync_title", "sync_summary", "sync_studio", "sync_date", "sync_tags", "sync_performers",
    "sync_collections", "sync_rating", "sync_poster", "sync_art", "actor_photos",
)

# plex_certificate's value that turns the certificate check off.
ANY_CERTIFICATE = "any"


class ConfigError(UserError):
    """A setting is missing or invalid; the message names it and says what is expected."""


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_path_map(value: str) -> list[tuple[str, str]]:
    """``/stash/a=/plex/a;/stash/b=/plex/b`` -> pairs, longest Stash prefix first."""
    pairs: list[tuple[str, str]] = []
    for raw in value.split(";"):
        rule = raw.strip()
        if not rule:
            continue
        stash_prefix, sep, plex_prefix = rule.partition("=")
        if not sep or not stash_prefix.strip() or not plex_prefix.strip():
            raise ValueError(
                f"path_map rule {rule!r} is not of the form /stash/prefix=/plex/prefix"
            )
        pairs.append((stash_prefix.strip(), plex_prefix.strip()))
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


class PlexSyncConfig(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    plex_url: str = Field(description="Plex server URL, e.g. http://127.0.0.1:32400")
    plex_token: str = Field(description="X-Plex-Token of an account that may edit the libraries")
    plex_library: list[str] = Field(
        default_factory=list,
        description="Section names to sync; empty means every movie-type section.",
    )
    path_map: list[tuple[str, str]] = Field(
        default_factory=list,
        description="Stash path prefix -> Plex path prefix rules.",
    )
    plex_certificate: str | None = Field(
        default=None,
        description="HTTPS only: a PEM file with the certificate (or its authority) to trust, "
        "or 'any' to accept any certificate; empty = the system's authorities.",
    )
    data_dir: str | None = Field(default=None, description="Where PlexSync keeps its state.")
    strict_matching: bool = Field(
        default=True,
        description="Skip sync on low-confidence matches (safer). "
        "False = sync anyway with warning logged.",
    )
    preserve_plex_edits: bool = Field(
        default=False,
        description="Preserve manual Plex edits. True = only update empty fields, "
        "False = Stash always wins.",
    )
    lock_fields: bool = Field(default=True, description="Lock every field PlexSync writes.")
    trigger_plex_scan: bool = Field(
        default=True, description="Ask Plex to scan the folder of a scene Stash just created."
    )
    sync_title: bool = True
    sync_summary: bool = True
    sync_studio: bool = True
    sync_date: bool = True
    sync_tags: bool = True
    sync_performers: bool = True
    sync_collections: bool = True
    sync_rating: bool = False
    sync_poster: bool = True
    sync_art: bool = False
    actor_photos: bool = False
    stash_url_for_plex: str = Field(
        default="", description="Stash's address as the Plex server reaches it (actor photos)."
    )
    content_rating: str = Field(default="", max_length=64)
    plex_labels: list[str] = Field(default_factory=list)
    max_retries: int = Field(default=5, ge=0, le=50)
    plex_timeout: int = Field(default=30, ge=1, le=600)
    plex_concurrency: int = Field(default=4, ge=1, le=16)

    @field_validator("plex_url", mode="before")
    @classmethod
    def _check_url(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("plex_url is not set (e.g. http://127.0.0.1:32400)")
        url = value.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"plex_url {url!r} must be an http(s) URL with a host")
        return url

    @field_validator("stash_url_for_plex", mode="before")
    @classmethod
    def _check_stash_url(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return value
        url = value.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError(f"stash_url_for_plex {url!r} must be an http(s) URL with a host "
                             "(e.g. http://192.168.1.10:9999)")
        return url

    @field_validator("plex_token", mode="before")
    @classmethod
    def _check_token(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("plex_token is not set")
        return value.strip()

    @field_validator("plex_library", "plex_labels", mode="before")
    @classmethod
    def _check_list(cls, value: Any) -> Any:
        return _split_list(value) if isinstance(value, str) else value

    @field_validator("path_map", mode="before")
    @classmethod
    def _check_path_map(cls, value: Any) -> Any:
        return parse_path_map(value) if isinstance(value, str) else value

    @field_validator("plex_certificate", mode="before")
    @classmethod
    def _check_certificate(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return None if isinstance(value, str) else value
        text = value.strip()
        if text.lower() == ANY_CERTIFICATE:
            return ANY_CERTIFICATE
        path = Path(text).expanduser()
        if not path.is_file():
            raise ValueError(f"no file at {text!r}: give the PEM file of the certificate to "
                             f"trust, or {ANY_CERTIFICATE!r} to accept any certificate")
        return str(path)

    @field_validator("data_dir", mode="before")
    @classmethod
    def _check_data_dir(cls, value: Any) -> Any:
        return value.strip() or None if isinstance(value, str) else value

    @field_validator("content_rating", mode="before")
    @classmethod
    def _check_content_rating(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator(*BOOLEAN_SETTINGS, mode="before")
    @classmethod
    def _check_bool(cls, value: Any) -> bool:
        # Truthy strings such as "yes" or "false" must not silently flip a safety setting.
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false, got {value!r}")
        return value

    @field_validator("max_retries", "plex_timeout", "plex_concurrency", mode="before")
    @classmethod
    def _check_number(cls, value: Any) -> Any:
        # Stash sends NUMBER settings as JSON numbers, sometimes as floats such as 5.0.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"must be a number, got {value!r}")
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"must be a whole number, got {value!r}")
        return int(value)

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> PlexSyncConfig:
        """Validate Stash's settings map; every problem is named in one ConfigError."""
        cleaned = {k: v for k, v in (settings or {}).items() if v is not None}
        try:
            return cls(**cleaned)
        except ValidationError as exc:
            raise ConfigError(describe_errors(exc)) from None

    def plan_fingerprint(self) -> str:
        """Changes when a setting that shapes what is written to Plex changes."""
        plumbing = {"plex_url", "plex_token", "plex_certificate", "data_dir", "max_retries",
                    "plex_timeout", "plex_concurrency", "trigger_plex_scan", "strict_matching"}
        values = {k: v for k, v in self.model_dump().items() if k not in plumbing}
        return hashlib.sha1(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]

    def redacted(self) -> dict[str, Any]:
        values = self.model_dump()
        values["plex_token"] = "***" if self.plex_token else ""
        return values

    def log_config(self) -> None:
        for key, value in self.redacted().items():
            log.debug(f"setting {key} = {value!r}")


def describe_errors(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "settings"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "is not set"
        problems.append(f"{field}: {message}")
    return "Invalid PlexSync settings: " + "; ".join(problems)
