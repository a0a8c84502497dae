"""The packaging inputs agree with the app: excluded modules, the .desktop entry, the icon files."""

from __future__ import annotations

import ast
import configparser
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "imr_desk.spec"
RESOURCES = ROOT / "resources"


def _spec_list(name: str) -> list[str]:
    for node in ast.parse(SPEC.read_text("utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{SPEC} assigns no {name}")


def _imported_modules() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "imr_desk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return names


def test_spec_excludes_no_module_the_app_imports() -> None:
    excluded = _spec_list("EXCLUDES")
    clashes = {
        module
        for module in _imported_modules()
        for name in excluded
        if module == name or module.startswith(f"{name}.")
    }
    assert not clashes, f"the bundle would lack {sorted(clashes)}: drop them from EXCLUDES"


def test_desktop_entry_starts_imr_desk_with_its_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(ROOT / "packaging" / "imr-desk.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"].split()[0] == "imr-desk"
    assert desktop["Icon"] == "imr-desk"
    assert desktop["Terminal"] == "false"
    assert desktop["Categories"].endswith(";")


def test_png_icons_have_their_named_sizes() -> None:
    for name, side in (("imr-desk.png", 256), ("imr-desk-512.png", 512)):
        data = (RESOURCES / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (side, side)


def test_ico_holds_every_windows_size_up_to_256() -> None:
    data = (RESOURCES / "imr-desk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    widths = {data[6 + 16 * i] or 256 for i in range(count)}
    assert (reserved, kind) == (0, 1)
    assert {16, 32, 48, 256} <= widths


def test_icns_is_whole_and_holds_the_retina_size() -> None:
    data = (RESOURCES / "imr-desk.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    kinds, offset = [], 8
    while offset < len(data):
        kinds.append(data[offset : offset + 4])
        offset += struct.unpack(">I", data[offset + 4 : offset + 8])[0]
    assert offset == len(data)
    assert {b"ic07", b"ic08", b"ic10"} <= set(kinds)
