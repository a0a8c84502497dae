"""The packaged app's entry script: the ``imr-desk`` program PyInstaller builds runs this."""

import sys

from imr_desk.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
