"""A bar chart of the ranked units' scores as PNG (Pillow; labels are department codes)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from scorecards.bulletin import BulletinContent

WIDTH, HEIGHT, MARGIN = 960, 420, 50
GROUP_COLOURS = ("#c0392b", "#2c7fb8", "#41ab5d", "#8856a7", "#f39c12")


def score_chart_png(b: BulletinContent) -> bytes:
    """Scores of the ranked units, grouped by peer group, as PNG bytes (deterministic)."""
    rows = [r for r in b.rankings if r.score is not None]
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    base, top = HEIGHT - MARGIN, MARGIN
    draw.line([(MARGIN, base), (WIDTH - 10, base)], fill="black")
    draw.line([(MARGIN, top), (MARGIN, base)], fill="black")
    for tick in range(0, 101, 20):
        y = base - (base - top) * tick / 100
        draw.line([(MARGIN - 4, y), (MARGIN, y)], fill="black")
        draw.text((8, y - 6), str(tick), fill="black", font=font)
    if rows:
        groups = list(dict.fromkeys(r.group for r in rows))
        slot = (WIDTH - MARGIN - 20) / len(rows)
        for i, r in enumerate(rows):
            x0 = MARGIN + 10 + i * slot
            y = base - (base - top) * max(min(r.score or 0.0, 100.0), 0.0) / 100
            colour = GROUP_COLOURS[groups.index(r.group) % len(GROUP_COLOURS)]
            draw.rectangle([x0, y, x0 + slot * 0.7, base], fill=colour)
            draw.text((x0, base + 6), r.code[:6], fill="black", font=font)
            draw.text((x0, y - 14), f"{r.score:.1f}", fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
