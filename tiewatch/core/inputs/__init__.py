"""One line-aware input layer for every file the project reads (YAML, JSON, JSON lines, CSV).

Every loader decodes UTF-8 (a BOM is dropped), refuses what would make a reader crash or lie, and
reports it as `InputError` carrying `Problem(message, file=, line=, field=)`:

- bytes that are not UTF-8 (the line of the first bad byte), files over a byte cap;
- duplicate keys (the line of the second), YAML aliases and merge keys (an alias bomb expands a few
  lines into gigabytes), keys that are not text where a mapping of names is expected;
- nesting deeper than `MAX_DEPTH`, so no reader ever hits a RecursionError.

Mappings come back as `LineDict` (a dict that knows its line and each key's line); YAML sequences
as `LineList`. `line_of(container, key)` looks a line up.
"""

from tiewatch.core.inputs.csv_input import CsvRow, read_csv
from tiewatch.core.inputs.json_input import load_json, load_jsonl
from tiewatch.core.inputs.lines import LineDict, LineList, line_of
from tiewatch.core.inputs.text import MAX_DEPTH, InputError, decode, read_bytes, read_text
from tiewatch.core.inputs.yaml_input import load_yaml

__all__ = [
    "MAX_DEPTH", "CsvRow", "InputError", "LineDict", "LineList", "decode", "line_of", "load_json",
    "load_jsonl", "load_yaml", "read_bytes", "read_csv", "read_text",
]
