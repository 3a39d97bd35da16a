"""QR codes for feedback rounds, drawn on the server as SVG (no CDN, no script).

The SVG carries its colours as presentation attributes, never a style attribute, so it passes
the strict content security policy wherever it is shown."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, *, title: str = "") -> str:
    """The QR code of `url` as a standalone SVG document that scales to its box."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    # Dark on white with a quiet zone (border 4) so phone cameras read it from a projector.
    code.save(
        out,
        kind="svg",
        scale=1,
        border=4,
        dark="#1f2a30",
        light="#ffffff",
        xmldecl=False,
        svgns=True,
        title=title or None,
        svgclass=None,
        lineclass=None,
        omitsize=True,
    )
    return out.getvalue().decode()
