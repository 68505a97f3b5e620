"""Render stage: the fixed parts of a one-slide PresentationML package, and the zip writer.

The smallest package PowerPoint, LibreOffice and python-pptx open: a presentation with one
slide master, one blank layout, one theme, one slide and its notes page (with the notes
master it needs), plus the document properties. Only the slide, its notes, the title and
the theme's font change from figure to figure; the rest is constant text here.

The zip is written here too (`zip_archive`, deflated entries and the central directory,
about 30 lines): the standard library's `zipfile` imports `pathlib`, `shutil`, `bz2`,
`lzma` and `threading`, which cost a PowerPoint export more than writing its slide. Every
entry is stamped with one fixed time, so the same slide is the same bytes.
"""

from __future__ import annotations

import struct
import zlib

from cnndiagram.escapes.xml import xml_escape

#: Every zip entry's time (the earliest a zip can record): the same input, the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: ZIP_TIME as MS-DOS time and date fields: 00:00:00, and (year - 1980) << 9 | month << 5 | day.
_DOS_TIME, _DOS_DATE = 0, (ZIP_TIME[0] - 1980) << 9 | ZIP_TIME[1] << 5 | ZIP_TIME[2]
_VERSION = 20  # 2.0, the version a reader needs for deflate (made on MS-DOS, system 0)

NS = (
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
)
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PML = "application/vnd.openxmlformats-officedocument.presentationml."
#: An empty shape tree's own group properties (the tree is the slide's root group).
TREE_ROOT = (
    '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
    '<p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
    '<a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>'
)
_COLOUR_MAP = (
    'bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" '
    'accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" '
    'hlink="hlink" folHlink="folHlink"'
)

_CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/ppt/presentation.xml" ContentType="{_PML}presentation.main+xml"/>'
    f'<Override PartName="/ppt/slideMasters/slideMaster1.xml" ContentType="{_PML}slideMaster+xml"/>'
    f'<Override PartName="/ppt/slideLayouts/slideLayout1.xml" ContentType="{_PML}slideLayout+xml"/>'
    f'<Override PartName="/ppt/slides/slide1.xml" ContentType="{_PML}slide+xml"/>'
    f'<Override PartName="/ppt/notesMasters/notesMaster1.xml" ContentType="{_PML}notesMaster+xml"/>'
    f'<Override PartName="/ppt/notesSlides/notesSlide1.xml" ContentType="{_PML}notesSlide+xml"/>'
    f'<Override PartName="/ppt/presProps.xml" ContentType="{_PML}presProps+xml"/>'
    f'<Override PartName="/ppt/viewProps.xml" ContentType="{_PML}viewProps+xml"/>'
    f'<Override PartName="/ppt/tableStyles.xml" ContentType="{_PML}tableStyles+xml"/>'
    '<Override PartName="/ppt/theme/theme1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    '<Override PartName="/ppt/theme/theme2.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)


def _rels(*targets: tuple[str, str]) -> str:
    """A relationships part: (type, target) pairs, numbered rId1, rId2, ... in order."""
    body = "".join(
        f'<Relationship Id="rId{index}" Type="{kind if "/" in kind else _REL + kind}" '
        f'Target="{target}"/>'
        for index, (kind, target) in enumerate(targets, start=1)
    )
    return (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{body}</Relationships>"
    )


_PRESENTATION = (
    f'<p:presentation {NS} saveSubsetFonts="1">'
    '<p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst>'
    '<p:notesMasterIdLst><p:notesMasterId r:id="rId3"/></p:notesMasterIdLst>'
    '<p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst>'
    '<p:sldSz cx="{width}" cy="{height}"/><p:notesSz cx="6858000" cy="9144000"/>'
    "</p:presentation>"
)
_MASTER = (
    f'<p:sldMaster {NS}><p:cSld><p:bg><p:bgRef idx="1001"><a:schemeClr val="bg1"/></p:bgRef>'
    f"</p:bg><p:spTree>{TREE_ROOT}</p:spTree></p:cSld><p:clrMap {_COLOUR_MAP}/>"
    '<p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst>'
    "<p:txStyles>"
    '<p:titleStyle><a:lvl1pPr><a:defRPr sz="4400"/></a:lvl1pPr></p:titleStyle>'
    '<p:bodyStyle><a:lvl1pPr><a:defRPr sz="1800"/></a:lvl1pPr></p:bodyStyle>'
    '<p:otherStyle><a:lvl1pPr><a:defRPr sz="1800"/></a:lvl1pPr></p:otherStyle>'
    "</p:txStyles></p:sldMaster>"
)
_LAYOUT = (
    f'<p:sldLayout {NS} type="blank" preserve="1"><p:cSld name="Blank">'
    f"<p:spTree>{TREE_ROOT}</p:spTree></p:cSld>"
    "<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>"
)


def _notes_body(text: str, shape: str) -> str:
    """The notes placeholder (the text under the slide in the notes view)."""
    run = f'<a:r><a:rPr lang="en-US"/><a:t>{xml_escape(text)}</a:t></a:r>' if text else ""
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="2" name="{shape}"/><p:cNvSpPr><a:spLocks noGrp="1"/>'
        '</p:cNvSpPr><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr>'
        f"<p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/><a:p>{run}</a:p>"
        "</p:txBody></p:sp>"
    )


_NOTES_MASTER = (
    f'<p:notesMaster {NS}><p:cSld><p:bg><p:bgRef idx="1001"><a:schemeClr val="bg1"/></p:bgRef>'
    f"</p:bg><p:spTree>{TREE_ROOT}"
    '<p:sp><p:nvSpPr><p:cNvPr id="2" name="Notes Placeholder 1"/><p:cNvSpPr>'
    '<a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr>'
    '<p:spPr><a:xfrm><a:off x="685800" y="4400550"/><a:ext cx="5486400" cy="3600450"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr>'
    "<p:txBody><a:bodyPr/><a:lstStyle/><a:p/></p:txBody></p:sp>"
    f"</p:spTree></p:cSld><p:clrMap {_COLOUR_MAP}/></p:notesMaster>"
)


def _theme(font: str) -> str:
    """A theme of plain colours, the figure's Office font, and no effects (its effect
    styles are empty, so nothing that refers to them gets a shadow)."""
    colours = "".join(
        f'<a:{name}><a:srgbClr val="{value}"/></a:{name}>'
        for name, value in (
            ("dk1", "000000"),
            ("lt1", "FFFFFF"),
            ("dk2", "44546A"),
            ("lt2", "E7E6E6"),
            ("accent1", "4472C4"),
            ("accent2", "ED7D31"),
            ("accent3", "A5A5A5"),
            ("accent4", "FFC000"),
            ("accent5", "5B9BD5"),
            ("accent6", "70AD47"),
            ("hlink", "0563C1"),
            ("folHlink", "954F72"),
        )
    )
    typeface = f'<a:latin typeface="{xml_escape(font)}"/><a:ea typeface=""/><a:cs typeface=""/>'
    fill = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
    line = f'<a:ln w="9525">{fill}</a:ln>'
    effect = "<a:effectStyle><a:effectLst/></a:effectStyle>"
    return (
        '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'name="cnndiagram"><a:themeElements>'
        f'<a:clrScheme name="cnndiagram">{colours}</a:clrScheme>'
        f'<a:fontScheme name="cnndiagram"><a:majorFont>{typeface}</a:majorFont>'
        f"<a:minorFont>{typeface}</a:minorFont></a:fontScheme>"
        f'<a:fmtScheme name="cnndiagram"><a:fillStyleLst>{fill * 3}</a:fillStyleLst>'
        f"<a:lnStyleLst>{line * 3}</a:lnStyleLst><a:effectStyleLst>{effect * 3}"
        f"</a:effectStyleLst><a:bgFillStyleLst>{fill * 3}</a:bgFillStyleLst></a:fmtScheme>"
        "</a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>"
    )


def _core(title: str) -> str:
    """Document properties without dates (they would make every file different)."""
    return (
        "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{xml_escape(title)}</dc:title><cp:lastModifiedBy>cnndiagram"
        "</cp:lastModifiedBy><cp:revision>1</cp:revision></cp:coreProperties>"
    )


_APP = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>cnndiagram</Application><Slides>1</Slides><Notes>1</Notes></Properties>"
)


def package(slide: str, *, notes: str, title: str, font: str, width: int, height: int) -> bytes:
    """The .pptx bytes around `slide` (the slide part's XML, without its declaration)."""
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _rels(
            ("officeDocument", "ppt/presentation.xml"),
            (
                "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
                "core-properties",
                "docProps/core.xml",
            ),
            ("extended-properties", "docProps/app.xml"),
        ),
        "docProps/core.xml": _core(title),
        "docProps/app.xml": _APP,
        "ppt/presentation.xml": _PRESENTATION.format(width=width, height=height),
        "ppt/_rels/presentation.xml.rels": _rels(
            ("slideMaster", "slideMasters/slideMaster1.xml"),
            ("slide", "slides/slide1.xml"),
            ("notesMaster", "notesMasters/notesMaster1.xml"),
            ("theme", "theme/theme1.xml"),
            ("presProps", "presProps.xml"),
            ("viewProps", "viewProps.xml"),
            ("tableStyles", "tableStyles.xml"),
        ),
        "ppt/presProps.xml": f"<p:presentationPr {NS}/>",
        "ppt/viewProps.xml": f"<p:viewPr {NS}/>",
        "ppt/tableStyles.xml": (
            '<a:tblStyleLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            'def="{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"/>'
        ),
        "ppt/slideMasters/slideMaster1.xml": _MASTER,
        "ppt/slideMasters/_rels/slideMaster1.xml.rels": _rels(
            ("slideLayout", "../slideLayouts/slideLayout1.xml"), ("theme", "../theme/theme1.xml")
        ),
        "ppt/slideLayouts/slideLayout1.xml": _LAYOUT,
        "ppt/slideLayouts/_rels/slideLayout1.xml.rels": _rels(
            ("slideMaster", "../slideMasters/slideMaster1.xml")
        ),
        "ppt/theme/theme1.xml": _theme(font),
        "ppt/theme/theme2.xml": _theme(font),
        "ppt/slides/slide1.xml": slide,
        "ppt/slides/_rels/slide1.xml.rels": _rels(
            ("slideLayout", "../slideLayouts/slideLayout1.xml"),
            ("notesSlide", "../notesSlides/notesSlide1.xml"),
        ),
        "ppt/notesMasters/notesMaster1.xml": _NOTES_MASTER,
        "ppt/notesMasters/_rels/notesMaster1.xml.rels": _rels(("theme", "../theme/theme2.xml")),
        "ppt/notesSlides/notesSlide1.xml": (
            f"<p:notes {NS}><p:cSld><p:spTree>{TREE_ROOT}"
            f"{_notes_body(notes, 'Notes Placeholder 1')}</p:spTree></p:cSld>"
            "<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>"
        ),
        "ppt/notesSlides/_rels/notesSlide1.xml.rels": _rels(
            ("notesMaster", "../notesMasters/notesMaster1.xml"), ("slide", "../slides/slide1.xml")
        ),
    }
    return zip_archive({name: (_HEAD + text).encode("utf-8") for name, text in parts.items()})


def zip_archive(files: dict[str, bytes]) -> bytes:
    """A zip of `files` (ASCII names, in order), each deflated, stamped with `ZIP_TIME`,
    with no extra fields or attributes (APPNOTE.TXT 4.3: local headers, data, central
    directory, end record)."""
    out = bytearray()
    directory = bytearray()
    for name, data in files.items():
        packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # raw deflate
        packed = packer.compress(data) + packer.flush()
        encoded = name.encode("ascii")
        # shared by both headers: time, date, CRC-32, packed and full size, name length
        common = struct.pack(
            "<HHIIIH", _DOS_TIME, _DOS_DATE, zlib.crc32(data), len(packed), len(data), len(encoded)
        )
        # made by, needed, flags, method (8, deflate) | extra, comment, disk, attributes, offset
        directory += struct.pack("<IHHHH", 0x02014B50, _VERSION, _VERSION, 0, 8) + common
        directory += struct.pack("<HHHHII", 0, 0, 0, 0, 0, len(out)) + encoded
        # needed, flags, method | extra length
        out += struct.pack("<IHHH", 0x04034B50, _VERSION, 0, 8) + common + struct.pack("<H", 0)
        out += encoded + packed
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(files), len(files), len(directory), len(out), 0
    )
    return bytes(out + directory + end)
