"""The only way WeasyPrint may load anything while rendering the report.

Allowed: ``data:`` URLs, and ``file:`` URLs that resolve (after ``..`` and symlinks) to an existing
file inside one of the template folders. Everything else — http(s), ftp, any other file, redirects —
is refused and recorded. WeasyPrint logs a refused resource as a warning and renders on, so a hostile
string that somehow became markup could neither read a local file nor reach the network.

Several roots allow a partial ``--templates`` override: a file missing from the override folder
(say it only restyles ``report.css`` and ships no logo) is served from the packaged templates.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

ALLOWED_PROTOCOLS = frozenset({"data", "file"})


class TemplateFetcher(URLFetcher):
    """data: URLs, and files inside the template folders; nothing else."""

    def __init__(self, roots: list[Path] | tuple[Path, ...]):
        super().__init__(timeout=5, allowed_protocols=set(ALLOWED_PROTOCOLS), allow_redirects=False)
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.requested: list[str] = []  # every URL WeasyPrint asked for, in order
        self.refused: list[str] = []  # the ones refused

    def _refuse(self, url: str, why: str) -> URLFetchingError:
        self.refused.append(url)
        return URLFetchingError(f"xlcost report: refused {url[:200]!r}: {why}")

    def _local_file(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "file URL on another host")
        path = Path(unquote(parts.path)).resolve()
        for i, root in enumerate(self.roots):
            if not path.is_relative_to(root):
                continue
            if path.is_file():
                return path
            # A partial override folder: serve the same relative path from the packaged templates.
            relative = path.relative_to(root)
            for fallback in self.roots[i + 1:]:
                candidate = (fallback / relative).resolve()
                if candidate.is_relative_to(fallback) and candidate.is_file():
                    return candidate
            raise self._refuse(url, "no such template file")
        raise self._refuse(url, "outside the template folder")

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme not in ALLOWED_PROTOCOLS:
            raise self._refuse(url, "only data: and template files may be loaded")
        if scheme == "data":
            return super().fetch(url, headers)
        path = self._local_file(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})
