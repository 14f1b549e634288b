import csv
import io

import openpyxl
import tablib


def rows_to_csv(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def rows_to_xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dataset(rows: list[list]) -> tablib.Dataset:
    data = tablib.Dataset(headers=rows[0])
    for row in rows[1:]:
        data.append(row)
    return data


def messages(result) -> list[str]:
    """Every message an import result shows the office, flattened."""
    found = [str(e.error) for e in result.base_errors]
    found += [str(e.error) for _line, errors in result.row_errors() for e in errors]
    for row in result.invalid_rows:
        for errors in row.error_dict.values():
            found += list(errors)
    return found
