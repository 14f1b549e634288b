"""Rows streamed out of an uploaded file, for the fast path.

A CSV is read with the csv module straight from the uploaded bytes (the text
is decoded as it is read, not into a second copy of the file); an XLSX with
python-calamine (a Rust reader, several times faster than openpyxl and
without one Python object per cell of the whole sheet). XLS and ODS files,
rarely large, go through their tablib readers. Every format is checked as
the admin checks it: zip and XML bombs refused, CSV in any encoding.
"""

import codecs
import csv
import io

from programs import spreadsheets
from programs.spreadsheets import SpreadsheetError, data_rows


def csv_encoding(data: bytes) -> str:
    """The encoding programs.spreadsheets.decode_text would choose, found
    without keeping a decoded copy of the file."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(data[start : start + (1 << 20)])
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(
        "无法识别文件的文字编码。请在 Excel 中“另存为”“CSV UTF-8”或 XLSX 后再上传。"
    )


def padded(rows, width: int):
    for row in rows:
        yield (row + [""] * width)[:width]


def stream(data: bytes, format_name: str):
    """(headers, iterator of (line, values), estimated number of rows)."""
    if format_name == "csv":
        text = io.TextIOWrapper(
            io.BytesIO(data), encoding=csv_encoding(data), newline=""
        )
        reader = csv.reader(text)
        try:
            headers = next(reader)
        except StopIteration:
            raise SpreadsheetError("文件是空的：第一行应是列名。") from None
        except (csv.Error, UnicodeDecodeError):
            raise SpreadsheetError("文件不是文本格式的 CSV。") from None
        if any("\x00" in h for h in headers):
            raise SpreadsheetError("文件不是文本格式的 CSV。")
        # Lines less the header: exact unless a cell holds a line break.
        estimate = data.count(b"\n") - (1 if data.endswith(b"\n") else 0)
        return headers, data_rows(padded(reader, len(headers))), estimate
    if format_name == "xlsx":
        return stream_xlsx(data)
    input_format = {c.__name__.lower(): c for c in spreadsheets.FORMATS}[format_name]()
    dataset = input_format.create_dataset(data)
    return dataset.headers or [], data_rows(dataset), len(dataset)


def stream_xlsx(data: bytes):
    from python_calamine import CalamineWorkbook

    spreadsheets.check_archive(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.iter_rows()
        headers = next(rows, None)
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError(spreadsheets.DAMAGED) from None
    if not headers:
        raise SpreadsheetError("文件是空的：第一行应是列名。")
    while headers and headers[-1] in ("", None):
        headers = headers[:-1]
    width = len(headers)
    return headers, data_rows(padded(rows, width)), max(sheet.height - 1, 0)
