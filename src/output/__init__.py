"""What Keboola Storage receives: cells and flattening (cells.py), Storage-safe names (names.py), streamed tables
with sticky columns and a column cap (writer.py, csv_lines.py), manifests and the column state (tables.py)."""
