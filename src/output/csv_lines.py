"""CSV text for rows of str cells, several times faster than csv.writer on a file.

Rows are spooled as one string of cells joined by UNIT; most of them become a CSV line by replacing that
separator with a comma, without splitting or quoting.
"""
import csv
import io
import operator
import re
from typing import List

UNIT = "\x1f"   # separates the cells of a spooled row
_QUOTE_OR_BREAK = re.compile('["\r\n]').search
_QUOTE_COMMA_OR_BREAK = re.compile('[",\r\n]').search


class CsvLines:
    """CSV text for rows of str cells, several times faster than csv.writer on a file.

    A row whose cells hold no comma, quote or line break needs no quoting: it is joined in C. Any other row,
    and a row whose only cell is empty, is quoted by the csv module; its line terminator is CRLF so that a lone
    CR inside a cell is quoted too (csv only quotes the characters of its terminator), then dropped.
    """

    def __init__(self, target):
        self._target = target
        self._buffer = io.StringIO()
        self._quoter = csv.writer(self._buffer, lineterminator="\r\n")

    def quoted(self, cells) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._quoter.writerow(cells)
        return self._buffer.getvalue()[:-2]

    def write_spooled(self, batch) -> None:
        """Spooled rows whose layout is the final header: separators become commas, unless a row needs quoting."""
        lines = []
        for item in batch:
            if type(item) is not str:
                lines.append(self.quoted(item))
            elif _QUOTE_COMMA_OR_BREAK(item) or not item:
                lines.append(self.quoted(item.split(UNIT)))
            else:
                lines.append(item.replace(UNIT, ","))
        if lines:
            self._target.write("\n".join(lines) + "\n")

    def write(self, rows, width: int) -> None:
        """Rows of `width` cells each, as CSV lines."""
        lines = []
        commas = width - 1
        for cells in rows:
            line = ",".join(cells)
            # More commas than separators, a quote or a line break: some cell needs quoting.
            if not line or line.count(",") != commas or _QUOTE_OR_BREAK(line):
                line = self.quoted(cells)
            lines.append(line)
        if lines:
            self._target.write("\n".join(lines) + "\n")


def picker(indices: List[int]):
    """A C-speed function from a list to the cells at `indices`, always as a tuple."""
    if len(indices) == 1:
        only = indices[0]
        return lambda values: (values[only],)
    return operator.itemgetter(*indices)
