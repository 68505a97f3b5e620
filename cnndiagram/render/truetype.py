"""Render stage: the few facts about a TrueType file that embedding it in a PDF needs.

Only the fonts shipped with the package are read (tools/build_font.py makes them): the
character-to-glyph map (cmap format 4), the em size and bounding box (head), and the
vertical metrics (hhea, OS/2). Glyph advances come from the same metrics table the
layout measures with, so a PDF advances text exactly as the layout measured it.
"""

from __future__ import annotations

import struct
from functools import lru_cache
from typing import NamedTuple


class FontFacts(NamedTuple):
    data: bytes
    postscript_name: str
    units_per_em: int
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    glyphs: dict[int, int]  # code point -> glyph id
    advances: tuple[int, ...]  # glyph id -> advance width in font units


def _tables(data: bytes) -> dict[str, bytes]:
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for index in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * index : 28 + 16 * index])
        tables[tag.decode("latin-1")] = data[offset : offset + length]
    return tables


def _cmap(table: bytes) -> dict[int, int]:
    """The Unicode BMP subtable (format 4): segments of code points to glyph ids."""
    count = struct.unpack(">H", table[2:4])[0]
    for index in range(count):
        platform, encoding, offset = struct.unpack(">HHI", table[4 + 8 * index : 12 + 8 * index])
        if (platform, encoding) in ((3, 1), (0, 3)) and table[offset + 1] == 4:
            break
    else:
        raise ValueError("the font has no Unicode BMP cmap")
    sub = table[offset:]
    segments = struct.unpack(">H", sub[6:8])[0] // 2

    def array(start: int) -> tuple[int, ...]:
        return struct.unpack(f">{segments}H", sub[start : start + 2 * segments])

    ends = array(14)
    starts = array(16 + 2 * segments)
    deltas = array(16 + 4 * segments)
    range_at = 16 + 6 * segments
    ranges = array(range_at)
    glyphs = {}
    for i in range(segments):
        for code in range(starts[i], ends[i] + 1):
            if code == 0xFFFF:
                continue
            if ranges[i] == 0:
                glyph = (code + deltas[i]) & 0xFFFF
            else:
                at = range_at + 2 * i + ranges[i] + 2 * (code - starts[i])
                glyph = struct.unpack(">H", sub[at : at + 2])[0]
                if glyph:
                    glyph = (glyph + deltas[i]) & 0xFFFF
            if glyph:
                glyphs[code] = glyph
    return glyphs


def _postscript_name(table: bytes) -> str:
    count, strings = struct.unpack(">HH", table[2:6])
    for index in range(count):
        record = struct.unpack(">HHHHHH", table[6 + 12 * index : 18 + 12 * index])
        platform, _, _, name_id, length, offset = record
        if name_id == 6:
            raw = table[strings + offset : strings + offset + length]
            text = raw.decode("utf-16-be") if platform in (0, 3) else raw.decode("latin-1")
            return "".join(c for c in text if c.isalnum() or c == "-")
    return "Font"


@lru_cache(maxsize=4)
def read_font(path: str) -> FontFacts:
    with open(path, "rb") as handle:
        data = handle.read()
    tables = _tables(data)
    head, hhea, os2 = tables["head"], tables["hhea"], tables["OS/2"]
    units = struct.unpack(">H", head[18:20])[0]
    bbox = struct.unpack(">hhhh", head[36:44])
    ascent, descent = struct.unpack(">hh", hhea[4:8])
    version = struct.unpack(">H", os2[0:2])[0]
    metrics = struct.unpack(">H", hhea[34:36])[0]
    glyph_count = struct.unpack(">H", tables["maxp"][4:6])[0]
    widths = [struct.unpack(">H", tables["hmtx"][4 * i : 4 * i + 2])[0] for i in range(metrics)]
    widths += [widths[-1]] * (glyph_count - metrics)  # the last advance repeats
    cap = struct.unpack(">h", os2[88:90])[0] if version >= 2 and len(os2) >= 90 else ascent
    return FontFacts(
        data,
        _postscript_name(tables["name"]),
        units,
        (bbox[0], bbox[1], bbox[2], bbox[3]),
        ascent,
        descent,
        cap,
        _cmap(tables["cmap"]),
        tuple(widths),
    )
