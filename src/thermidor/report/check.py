"""Whether a page stands alone: no reference to anything outside itself."""

from __future__ import annotations

import base64
import binascii
import re
from html.parser import HTMLParser

URL_ATTRS = frozenset({"src", "href", "srcset", "poster", "data", "action", "formaction",
                       "background", "xlink:href"})  # fmt: skip
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)


def _inside(ref: str) -> bool:
    ref = ref.strip()
    return ref.startswith("#") or ref.startswith("data:") or ref == ""


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append("<script> (a report needs no script)")
        if tag == "link":
            self.found.append(f"<link {dict(attrs)}>")
        if tag == "style":
            self._in_style = True
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRS and not _inside(value):
                self.found.append(f"{tag} {name}={value[:80]}")
            if name in URL_ATTRS and value.startswith(SVG_DATA):
                self.found.extend(f"inside an SVG image: {x}" for x in _svg(value))
            if name == "style":
                self._css(value)

    def handle_decl(self, decl: str) -> None:
        if "://" in decl:  # a DOCTYPE naming a DTD by URL
            self.found.append(f"<!{decl[:80]}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _css(self, text: str) -> None:
        if CSS_IMPORT.search(text):
            self.found.append("CSS @import")
        for ref in CSS_URL.findall(text):
            if not _inside(ref):
                self.found.append(f"CSS url({ref[:80]})")


SVG_DATA = "data:image/svg+xml;base64,"


def _svg(uri: str) -> list[str]:
    try:
        text = base64.b64decode(uri[len(SVG_DATA) :], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ["an SVG data URI that does not decode"]
    return external_references(text)


def external_references(page: str) -> list[str]:
    """Everything in the page that would be fetched from elsewhere (empty when it stands alone)."""
    scan = _Scan()
    scan.feed(page)
    scan.close()
    return scan.found
