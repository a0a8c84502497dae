#!/usr/bin/env bash
# Build the desktop app as one folder: dist/imr-desk/ with the program dist/imr-desk/imr-desk.
#
#   packaging/build.sh            # from a fresh clone: makes build/venv and installs into it
#   . .venv/bin/activate && packaging/build.sh   # or reuse an active environment with the app
#
# PYTHON=/path/to/python picks the interpreter. Everything the build writes stays in this
# checkout: build/ (virtualenv, PyInstaller work and cache folders) and dist/, both ignored by git.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -n "${PYTHON:-}" ]]; then
  python="$PYTHON"
elif [[ -n "${VIRTUAL_ENV:-}" ]]; then
  python="$VIRTUAL_ENV/bin/python"
else
  python3 -m venv build/venv
  python=build/venv/bin/python
  "$python" -m pip install -q --upgrade pip
  "$python" -m pip install -q .
fi
"$python" -c "import PySide6.QtWidgets, pymupdf, sqlite_utils, platformdirs" || {
  echo "build.sh: $python lacks the app's dependencies; run: $python -m pip install ." >&2
  exit 1
}
"$python" -m pip install -q -r packaging/requirements.txt

export PYINSTALLER_CONFIG_DIR="$PWD/build/pyinstaller-cache"  # not ~/.cache/pyinstaller
rm -rf dist/imr-desk
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/imr_desk.spec

if [[ "$(uname -s)" == Linux ]]; then
  # What a Linux install copies to ~/.local/share (packaging/README.md, "Linux").
  install -D -m 644 packaging/imr-desk.desktop dist/imr-desk/share/applications/imr-desk.desktop
  install -D -m 644 resources/imr-desk.png \
    dist/imr-desk/share/icons/hicolor/256x256/apps/imr-desk.png
fi
echo "build.sh: $(du -sh dist/imr-desk | cut -f1) in dist/imr-desk; run dist/imr-desk/imr-desk"
