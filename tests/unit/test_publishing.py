"""component_config/ and the repository as Keboola's publishing checklist asks for them (keboola-platform-2026.md
section 3.4): the files exist and say what they must, in the shape the Developer Portal takes."""
import ast
import importlib.util
import json
import os
import re
import struct
import zlib

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, "component_config")
URL = re.compile(r"^https://[^\s]+$")


def text(name: str) -> str:
    with open(os.path.join(CONFIG, name), encoding="utf-8") as handle:
        return handle.read()


def headings(markdown: str):
    """(level, line) of every Markdown heading outside fenced code."""
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"^#{1,6}\s", line):
            yield len(line.split()[0]), line


@pytest.mark.parametrize("name", ["component_short_description.md", "component_long_description.md",
                                  "configuration_description.md", "documentationUrl.md", "sourceCodeUrl.md",
                                  "licenseUrl.md", "uiOptions.md", "actions.md", "configSchema.json", "logger",
                                  "loggerConfiguration.json", "icon.png"])
def test_every_file_the_developer_portal_takes_is_there(name):
    assert os.path.getsize(os.path.join(CONFIG, name)) > 0, name


def test_configuration_description_uses_only_level_3_and_4_headings_and_does_not_start_with_one():
    markdown = text("configuration_description.md")
    assert not markdown.lstrip().startswith("#")
    found = list(headings(markdown))
    assert found and {level for level, _ in found} <= {3, 4}, found


def test_long_description_has_no_heading_above_level_3():
    assert all(level >= 3 for level, _ in headings(text("component_long_description.md")))
    assert "App API key" in text("component_long_description.md")        # what the user must provide


def test_short_description_describes_customer_io_itself():
    short = text("component_short_description.md").strip()
    assert "\n" not in short and short.startswith("Customer.io is ") and short.endswith(".")
    assert not re.search(r"extract|keboola|table", short, re.IGNORECASE)


@pytest.mark.parametrize("name", ["documentationUrl.md", "sourceCodeUrl.md", "licenseUrl.md"])
def test_link_files_hold_one_public_url(name):
    assert URL.match(text(name).strip()), text(name)


def test_ui_options_use_the_default_bucket_and_offer_reset_state():
    options = json.loads(text("uiOptions.md"))
    assert {"genericDockerUI", "genericDockerUI-resetState"} <= set(options)
    assert "genericDockerUI-tableOutput" not in options          # extractors write to the default bucket


def sync_actions():
    """The names of the @sync_action methods of src/component.py."""
    tree = ast.parse(open(os.path.join(ROOT, "src", "component.py"), encoding="utf-8").read())
    return {decorator.args[0].value for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
            for decorator in node.decorator_list
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "sync_action"}


def test_actions_list_every_sync_action_of_the_component():
    listed = json.loads(text("actions.md"))
    assert len(listed) == len(set(listed)) and {"testConnection", "list_segments", "list_object_types"} <= set(listed)
    assert sync_actions() <= set(listed), sync_actions() - set(listed)


def png_chunks(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position = 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        assert struct.unpack(">I", data[position + 8 + length:position + 12 + length])[0] == zlib.crc32(kind + body)
        yield kind, body
        position += 12 + length


def test_the_icon_is_a_256_pixel_rgba_png_with_transparent_corners_drawn_by_our_script():
    with open(os.path.join(CONFIG, "icon.png"), "rb") as handle:
        data = handle.read()
    chunks = dict(png_chunks(data))
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (width, height, depth, colour) == (256, 256, 8, 6)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 4 * width
    assert raw[0 * stride + 1 + 3] == 0 and raw[128 * stride + 1 + 4 * 128 + 3] == 255     # corner, middle
    spec = importlib.util.spec_from_file_location("make_icon", os.path.join(ROOT, "scripts", "make_icon.py"))
    make_icon = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icon)
    assert make_icon.draw() == data, "component_config/icon.png differs from scripts/make_icon.py: run it"


def test_the_repository_has_an_mit_licence():
    with open(os.path.join(ROOT, "LICENSE"), encoding="utf-8") as handle:
        licence = handle.read()
    assert licence.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in licence


def test_the_readme_says_which_data_type_mode_to_register_and_why():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert "dataTypesSupport" in readme and "`hints`" in readme and "authoritative" in readme
    assert "appInfo.dataIn" in readme and "Automatic data types" in readme
