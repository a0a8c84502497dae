"""One list of Debian/Ubuntu packages: packaging/debian-packages.txt is what the README's Quick
start installs, what .ci/run installs, and holds every package the app's xcb hint can name; the
hint's libraries are exactly those Qt's X11 plug-in links against in the installed PySide6."""

from __future__ import annotations

import importlib.util
import re
import struct
import sys
from pathlib import Path

import pytest

from imr_desk.commands.open_app import XCB_LIBRARIES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "packaging" / "debian-packages.txt"
# Qt's own libraries ship inside PySide6; the C and C++ runtimes are on every Debian.
NOT_SYSTEM = re.compile(r"^(libQt6|libicu|libc\.so|libm\.so|libstdc\+\+|libgcc_s|ld-linux)")


def _listed() -> list[str]:
    lines = (line.split("#")[0].strip() for line in PACKAGES.read_text("utf-8").splitlines())
    return [line for line in lines if line]


def _readme_apt_line() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in quick_start.splitlines() if "apt-get install" in line]
    assert len(lines) == 1, "the Quick start has one apt-get line"
    return lines[0].split("apt-get install", 1)[1].split()


def test_the_readme_installs_exactly_the_listed_packages() -> None:
    assert _readme_apt_line() == _listed()
    assert len(set(_listed())) == len(_listed())


def test_ci_installs_the_list_from_the_file() -> None:
    assert "packaging/debian-packages.txt" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_every_package_the_hint_can_name_is_listed() -> None:
    assert set(XCB_LIBRARIES.values()) <= set(_listed())


def _needed(path: Path) -> list[str]:
    """The DT_NEEDED entries of a 64-bit little-endian ELF file (what ``readelf -d`` shows)."""
    data = path.read_bytes()
    assert data[:6] == b"\x7fELF\x02\x01", f"{path} is not a 64-bit little-endian ELF file"
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)
    ]
    dynamic = next(s for s in sections if s[1] == 6)  # SHT_DYNAMIC
    strings_at = sections[dynamic[6]][4]  # its sh_link: the string table
    names = []
    for offset in range(dynamic[4], dynamic[4] + dynamic[5], 16):
        tag, value = struct.unpack_from("<qQ", data, offset)
        if tag == 0:
            break
        if tag == 1:  # DT_NEEDED
            end = data.index(b"\0", strings_at + value)
            names.append(data[strings_at + value : end].decode())
    return names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plug-in is Linux's")
def test_the_hint_checks_exactly_the_libraries_the_xcb_plugin_links_against() -> None:
    spec = importlib.util.find_spec("PySide6")
    assert spec is not None and spec.submodule_search_locations
    qt = Path(spec.submodule_search_locations[0]) / "Qt"
    needed: set[str] = set()
    for library in (qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"):
        needed |= {name for name in _needed(library) if not NOT_SYSTEM.match(name)}
    assert needed == set(XCB_LIBRARIES)
