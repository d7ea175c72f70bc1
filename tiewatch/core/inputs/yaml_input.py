"""YAML with line numbers: safe tags only, no aliases, no duplicate keys, bounded nesting.

The C parser (libyaml) reads the events when PyYAML has it. A text without `*` cannot hold an alias,
so libyaml composes it too (its own nesting cap is 1,000 levels; ours is checked while constructing);
any other text is composed in Python, so that an alias is refused at the event that introduces it,
with its line, before anything is expanded.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.resolver import BaseResolver, Resolver

from tiewatch.core.inputs.lines import LineDict, LineList
from tiewatch.core.inputs.text import MAX_DEPTH, InputError, problem

MERGE_TAG = "tag:yaml.org,2002:merge"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
ALIAS_MESSAGE = "aliases (*name) are not allowed; write the value out"

_C_COMPOSER = True
try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

    _C_COMPOSER = False


class _Loader(Composer, SafeConstructor, Resolver, _Parser):  # type: ignore[misc,valid-type]
    """Python composer over the fastest parser available; see `load_yaml` for the options."""

    def __init__(self, stream: str, file: str, max_depth: int, text_keys: bool) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.text = stream
        self.file = file
        self.max_depth = max_depth
        self.text_keys = text_keys
        self.depth = 0

    def get_single_node(self) -> Any:
        if _C_COMPOSER and "*" not in self.text:
            return _Parser.get_single_node(self)
        return Composer.get_single_node(self)

    def enter(self, node: yaml.Node) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise problem(f"nested deeper than {self.max_depth} levels", self.file, node.start_mark.line + 1)

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            raise problem(ALIAS_MESSAGE, self.file, _line(self.get_event()))
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                raise problem(f"nested deeper than {self.max_depth} levels", self.file, _line(self.peek_event()))
            return Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1


def _line(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _key(loader: _Loader, key_node: yaml.Node) -> Any:
    if key_node.tag == MERGE_TAG:
        raise problem("merge keys (<<) are not allowed; write the keys out", loader.file,
                      key_node.start_mark.line + 1)
    key = loader.construct_object(key_node, deep=True)
    if isinstance(key, str):
        return key
    if not loader.text_keys:  # law packs: YAML 1.1 reads `yes:` as a boolean; a vote means the word
        if isinstance(key, bool):
            return "yes" if key else "no"
        return key if isinstance(key, int) else str(key)
    if isinstance(key, bool) and isinstance(key_node, yaml.ScalarNode) and not key_node.style:
        return key_node.value  # a name spelt `yes` or `on` is that word
    raise problem(f"keys must be text, got {key!r}", loader.file, key_node.start_mark.line + 1)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.enter(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = _key(loader, key_node)
        line = key_node.start_mark.line + 1
        if key in out:
            raise problem(f"duplicate key {key!r}", loader.file, line, field=str(key))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    loader.depth -= 1
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    loader.enter(node)
    out = LineList([loader.construct_object(child, deep=True) for child in node.value])
    loader.depth -= 1
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    """Dates stay text (as in JSON and CSV): callers parse partial dates themselves and report a bad
    one such as 2018-02-30 with its field, where PyYAML would fail on it outright."""
    return str(loader.construct_scalar(node))


_Loader.add_constructor(BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)  # type: ignore[type-var]
_Loader.add_constructor(BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)  # type: ignore[type-var]
_Loader.add_constructor(TIMESTAMP_TAG, _construct_timestamp)  # type: ignore[type-var]


def load_yaml(text: str, file: str = "<text>", *, max_depth: int = MAX_DEPTH, text_keys: bool = True) -> Any:
    """One YAML document as LineDict / LineList / scalars; None for an empty document.

    `text_keys`: every mapping key must be text (a plain `yes` key is the word). Law packs pass
    False to keep numbers as keys and read `yes:`/`no:` booleans as the words.
    Raises InputError (file, line) for invalid YAML, aliases, merge keys, duplicate or non-text keys,
    nesting deeper than `max_depth`, and more than one document.
    """
    loader = None
    try:
        loader = _Loader(text, file, max_depth, text_keys)  # the pure-Python reader checks characters here
        return loader.get_single_data()
    except InputError:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "unreadable"
        if "maximum nesting depth" in reason:  # libyaml's own cap (1,000 levels), met before ours
            reason = f"nested deeper than {max_depth} levels"
        else:
            reason = f"invalid YAML: {reason}"
        raise problem(reason, file, mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise problem(f"invalid YAML: unacceptable character #x{error.character:04x}", file, line) from None
    except yaml.YAMLError as error:
        raise problem(f"invalid YAML: {error}", file) from None
    finally:
        if loader is not None:
            loader.dispose()
