"""A table's manifest in either format Keboola reads, with what the table and each documented column is.

keboola.component picks the format when it writes (interface.py `_expects_legacy_manifest`): the new one
(`schema[]`) locally and in projects with native data types (`KBC_DATA_TYPE_SUPPORT` `hints` or `authoritative`),
the legacy one (`primary_key`, `metadata`, `column_metadata`) in projects without them. Each format keeps its
own carriers and drops the other's, so both are always given:
- the table's description: `description=` becomes `table_metadata` (new) or `metadata` (legacy) `KBC.description`;
- a column's description: `ColumnDefinition.description` (new `schema[].description`) and
  `TableMetadata.add_column_descriptions` (legacy `column_metadata`);
- a column's base type: `ColumnDefinition.data_types`, new format only (legacy tables are untyped).
Types are hints: the component is registered with `hints`, so Storage keeps every column as text and records the
type as `KBC.datatype.basetype`; no value is converted to fit one. Only documented columns are described, so the
metadata Storage writes on every load stays small however many attribute columns a table has.
"""
from typing import Dict, Iterable, List, Optional, Protocol, Tuple

from keboola.component.dao import BaseType, ColumnDefinition, SupportedDataTypes

from output.writer import OTHER_FIELDS

#: column -> (base type, description)
Notes = Dict[str, Tuple[str, str]]
#: The column the writer adds once a table holds max_columns columns (output/writer.py).
OTHER_FIELDS_NOTE = ("STRING", "Keys of this row that got no column because the table reached max_columns, "
                               "with their values: a JSON object.")


class Documented(Protocol):
    """A documented column as the extractors define it (customerio/columns.py Column)."""
    name: str
    type: str
    description: str


def notes_of(columns: Iterable[Documented]) -> Notes:
    """Base type and description per documented column; an unknown type is a bug, caught here, not in Storage."""
    notes = {}
    for column in columns:
        if column.type not in SupportedDataTypes.__members__:
            raise ValueError(f"column {column.name}: {column.type} is no Keboola base type")
        notes[column.name] = (column.type, column.description)
    return notes


def table_definition(component, name: str, columns: List[str], primary_key: List[str], incremental: bool,
                     delete_where: Optional[dict], description: str, notes: Notes):
    """The TableDefinition of `<name>.csv`: a header row, every column in file order, the key when given."""
    described = {column: notes[column] for column in columns if column in notes}
    if OTHER_FIELDS in columns:
        described.setdefault(OTHER_FIELDS, OTHER_FIELDS_NOTE)
    schema = {column: ColumnDefinition(data_types=_base_type(described.get(column)), nullable=column not in primary_key,
                                       primary_key=column in primary_key,
                                       description=described[column][1] if column in described else None)
              for column in columns}
    definition = component.create_out_table_definition(
        f"{name}.csv", schema=schema or None, primary_key=primary_key or None, incremental=incremental,
        has_header=True, delete_where=delete_where, description=description or None)
    # Added after construction on purpose: column metadata handed to the constructor is also copied into
    # `schema[].metadata`, and Storage refuses a column with both `description` and `metadata.KBC.description`.
    definition.table_metadata.add_column_descriptions({column: note[1] for column, note in described.items()})
    return definition


def _base_type(note: Optional[Tuple[str, str]]) -> BaseType:
    return BaseType(dtype=SupportedDataTypes[note[0]]) if note else BaseType.string()
