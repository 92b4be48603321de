"""The self-containment check finds every way a page could fetch something from elsewhere."""

from __future__ import annotations

import base64

from thermidor.report.check import external_references


def test_a_page_with_only_inline_content_stands_alone() -> None:
    svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><use href="#g"/></svg>')
    page = (f'<style>a{{background:url(#x)}}</style><img src="data:image/svg+xml;base64,'
            f'{svg.decode()}" alt="x"><a href="#top">top</a>')  # fmt: skip
    assert external_references(page) == []


def test_external_images_links_styles_scripts_and_fonts_are_found() -> None:
    page = (
        '<img src="https://example.org/a.png"><a href="http://example.org">x</a>'
        '<link rel="stylesheet" href="s.css"><script src="a.js"></script>'
        "<style>@import 'x.css'; @font-face{src:url(https://f.example/f.woff)}</style>"
        '<div style="background:url(http://example.org/b.png)"></div>'
    )
    found = " ".join(external_references(page))
    for what in ("https://example.org/a.png", "http://example.org", "s.css", "script",
                 "@import", "f.woff", "b.png"):  # fmt: skip
        assert what in found


def test_an_svg_image_is_checked_inside() -> None:
    svg = base64.b64encode(b'<svg><image href="https://example.org/p.png"/></svg>').decode()
    found = external_references(f'<img src="data:image/svg+xml;base64,{svg}">')
    assert found and "p.png" in found[0]
