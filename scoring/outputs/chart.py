"""A native Word bar chart (DrawingML chart part), written without any new dependency.

Why a chart part and not a picture: Word, WPS and LibreOffice draw it from the
numbers stored in the part itself (`c:strCache`/`c:numCache`), so it prints
sharp at any size, its labels use the document's Chinese fonts, a user can
restyle it in Word, and a test can read its numbers back from the XML. Drawing a
picture would need an image library (Pillow, matplotlib) and a font rasteriser.
No embedded workbook is written: Word shows the chart but says the data cannot be
edited (“链接的文件不可用”) if asked to edit the numbers; the numbers are the
report's own and are not meant to be edited there.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

CHART_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
EMU_PER_CM = 360000


def _text(text: str, size: int, bold: bool = False) -> str:
    """A chart title or axis title in 黑体/宋体 (size in hundredths of a point)."""
    face = "黑体" if bold else "宋体"
    return (f'<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}" b="0">'
            f'<a:latin typeface="{face}"/><a:ea typeface="{face}"/></a:defRPr></a:pPr>'
            f'<a:r><a:rPr lang="zh-CN" sz="{size}" b="0"><a:latin typeface="{face}"/><a:ea typeface="{face}"/>'
            f'</a:rPr><a:t>{escape(text)}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/>')


def bar_chart_xml(title: str | None, categories: list[str], values: list[int], value_title: str) -> bytes:
    """The chart part: one series of columns, each labelled with its value.

    The values are whole counts; the axis steps by 1 so no fraction of a project is shown.
    `title` None: no title inside the chart (the document's caption names it).
    """
    heading = (f'<c:title>{_text(title, 1200, bold=True)}</c:title><c:autoTitleDeleted val="0"/>' if title
               else '<c:autoTitleDeleted val="1"/>')
    n = len(categories)
    cats = "".join(f'<c:pt idx="{i}"><c:v>{escape(c)}</c:v></c:pt>' for i, c in enumerate(categories))
    vals = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate(values))
    top = max(values, default=0)
    font = ('<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1050"><a:latin typeface="宋体"/>'
            '<a:ea typeface="宋体"/></a:defRPr></a:pPr><a:endParaRPr lang="zh-CN"/></a:p></c:txPr>')
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<c:chartSpace xmlns:c="{C}" xmlns:a="{A}" xmlns:r="{R}">'
        '<c:lang val="zh-CN"/><c:roundedCorners val="0"/>'
        f'<c:chart>{heading}'
        '<c:plotArea><c:layout/><c:barChart><c:barDir val="col"/><c:grouping val="clustered"/>'
        '<c:varyColors val="0"/><c:ser><c:idx val="0"/><c:order val="0"/>'
        f'<c:tx><c:strRef><c:f>Sheet1!$B$1</c:f><c:strCache><c:ptCount val="1"/><c:pt idx="0">'
        f'<c:v>{escape(value_title)}</c:v></c:pt></c:strCache></c:strRef></c:tx>'
        '<c:spPr><a:solidFill><a:srgbClr val="2F5597"/></a:solidFill></c:spPr><c:invertIfNegative val="0"/>'
        '<c:dLbls><c:numFmt formatCode="0" sourceLinked="0"/><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
        f'{font}<c:dLblPos val="outEnd"/><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
        '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>'
        f'<c:cat><c:strRef><c:f>Sheet1!$A$2:$A${n + 1}</c:f><c:strCache><c:ptCount val="{n}"/>{cats}'
        '</c:strCache></c:strRef></c:cat>'
        f'<c:val><c:numRef><c:f>Sheet1!$B$2:$B${n + 1}</c:f><c:numCache><c:formatCode>0</c:formatCode>'
        f'<c:ptCount val="{n}"/>{vals}</c:numCache></c:numRef></c:val></c:ser>'
        '<c:gapWidth val="80"/><c:axId val="50010001"/><c:axId val="50010002"/></c:barChart>'
        '<c:catAx><c:axId val="50010001"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="0"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="0"/>'
        '<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'{font}<c:crossAx val="50010002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="50010002"/><c:scaling><c:orientation val="minMax"/>'
        f'<c:max val="{top + 1}"/><c:min val="0"/></c:scaling><c:delete val="0"/><c:axPos val="l"/>'
        '<c:majorGridlines><c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr val="D9D9D9"/></a:solidFill></a:ln>'
        f'</c:spPr></c:majorGridlines><c:title>{_text(value_title, 1050)}</c:title>'
        '<c:numFmt formatCode="0" sourceLinked="0"/><c:majorTickMark val="out"/><c:minorTickMark val="none"/>'
        f'<c:tickLblPos val="nextTo"/>{font}<c:crossAx val="50010001"/><c:crosses val="autoZero"/>'
        '<c:crossBetween val="between"/><c:majorUnit val="1"/></c:valAx></c:plotArea>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        f'{font}</c:chartSpace>'
    )
    return xml.encode("utf-8")


def add_bar_chart(doc, paragraph, blob: bytes, width_cm: float, height_cm: float, number: int = 1) -> None:
    """Put the chart part `blob` into `doc` and show it inline in `paragraph`."""
    part = Part(PackURI(f"/word/charts/chart{number}.xml"), CHART_CONTENT_TYPE, blob, doc.part.package)
    rid = doc.part.relate_to(part, RT.CHART)
    cx, cy = int(width_cm * EMU_PER_CM), int(height_cm * EMU_PER_CM)
    drawing = parse_xml(
        f'<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        f'xmlns:wp="{WP}" xmlns:a="{A}" xmlns:c="{C}" xmlns:r="{R}">'
        f'<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
        f'<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="{1000 + number}" name="图表 {number}"/>'
        '<wp:cNvGraphicFramePr/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        f'<c:chart r:id="{rid}"/></a:graphicData></a:graphic></wp:inline></w:drawing>')
    paragraph.add_run()._r.append(drawing)
