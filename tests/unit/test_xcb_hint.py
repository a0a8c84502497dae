"""Qt's X11 platform plug-in without its libraries: Qt would abort the process with a page of
plug-in advice; the app says in one line which Debian/Ubuntu packages to install, before Qt
starts. The dynamic loader is stood in for, so each case runs on any machine."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from imr_desk.commands import open_app
from imr_desk.commands.open_app import XCB_LIBRARIES, launch, xcb_problem

X_DESKTOP = {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}


def _without(*missing: str):
    """A dynamic loader that finds every library but ``missing``, and records what it tried."""
    tried: list[str] = []

    def loads(name: str) -> bool:
        tried.append(name)
        return name not in missing

    return loads, tried


def test_missing_libraries_are_named_with_their_debian_packages() -> None:
    loads, _tried = _without("libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    hint = xcb_problem(X_DESKTOP, "linux", loads)
    assert hint is not None and "\n" not in hint
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1 not found" in hint
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 " in hint


def test_two_missing_libraries_of_one_package_name_it_once() -> None:
    loads, _tried = _without("libglib-2.0.so.0", "libgthread-2.0.so.0")
    hint = xcb_problem(X_DESKTOP, "linux", loads)
    assert hint is not None
    assert "sudo apt-get install libglib2.0-0 (" in hint


def test_every_library_present_means_no_hint() -> None:
    loads, tried = _without()
    assert xcb_problem(X_DESKTOP, "linux", loads) is None
    assert tried == list(XCB_LIBRARIES), "each library the plug-in needs is tried"


@pytest.mark.parametrize(
    ("environ", "platform"),
    [
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux"),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"}, "linux"),
        ({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux"),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, "linux"),  # Qt tries Wayland first
        ({}, "linux"),  # no display at all: display_problem's case
        ({"DISPLAY": ":0"}, "darwin"),
        ({"DISPLAY": ":0"}, "win32"),
    ],
)
def test_no_check_where_qt_will_not_start_xcb(environ: dict[str, str], platform: str) -> None:
    loads, tried = _without(*XCB_LIBRARIES)
    assert xcb_problem(environ, platform, loads) is None
    assert tried == []


@pytest.mark.parametrize(
    "chosen",
    ["xcb", "xcb:dpi=96", "xcb;offscreen", ""],  # "" is unset for Qt too
)
def test_xcb_chosen_or_by_default_is_checked(chosen: str) -> None:
    loads, _tried = _without("libxcb-cursor.so.0")
    environ = {"DISPLAY": ":1", "QT_QPA_PLATFORM": chosen}
    hint = xcb_problem(environ, "linux", loads)
    assert hint is not None and "install libxcb-cursor0 " in hint


def test_xcb_asked_for_on_a_wayland_desktop_is_checked() -> None:
    loads, _tried = _without("libxcb-icccm.so.4")
    environ = {"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland", "QT_QPA_PLATFORM": "xcb"}
    assert xcb_problem(environ, "linux", loads) is not None


def test_the_app_stops_with_the_hint_before_qt_or_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    monkeypatch.setattr(open_app, "_library_loads", lambda name: name != "libxcb-keysyms.so.1")
    started: list[object] = []
    monkeypatch.setattr(open_app, "_launch", lambda *args: started.append(args) or 0)

    assert launch(tmp_path / "r.db") == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("imr-desk: Qt's X11 platform (xcb) cannot load: libxcb-keysyms.so.1")
    assert "sudo apt-get install libxcb-keysyms1 " in lines[0]
    assert started == [] and not (tmp_path / "r.db").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the dynamic loader of Linux")
def test_the_real_loader_finds_the_c_library_and_not_a_made_up_one() -> None:
    assert open_app._library_loads("libc.so.6")
    assert not open_app._library_loads("libimr-desk-no-such-library.so.0")
