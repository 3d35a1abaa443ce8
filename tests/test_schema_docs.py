"""config/README.md's key tables are the schema's: every key documented, the generated part up to date."""

from __future__ import annotations

import yaml

from robopt.schema_docs import BEGIN, END, reference, undocumented, updated
from tests.conftest import REPO, SCHEMA


def test_every_schema_key_has_a_description():
    assert undocumented(yaml.safe_load(SCHEMA.read_text())) == []


def test_config_readme_shows_the_schema_as_it_is():
    """Regenerate with `python -m robopt.schema_docs workflow/schemas/config.schema.yaml config/README.md`."""
    readme = (REPO / "config" / "README.md").read_text()
    assert BEGIN in readme and END in readme
    assert updated(readme, yaml.safe_load(SCHEMA.read_text())) == readme


def test_a_key_row_carries_type_default_and_description():
    schema = {"type": "object", "properties": {"block": {"type": "object", "properties": {
        "rate": {"type": "number", "exclusiveMinimum": 0, "default": 0.1, "description": "a rate"},
        "names": {"type": "array", "items": {"enum": ["a", "b"]}, "description": "some names"}},
        "required": ["names"]}}}
    text = reference(schema)
    assert "| `block.rate` | number (> 0) | `0.1` | a rate |" in text
    assert "| `block.names` | list of `a` \\| `b` | required | some names |" in text
    assert undocumented({"type": "object", "properties": {"x": {"type": "integer"}}}) == ["`x`"]
