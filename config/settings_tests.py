"""Settings for the test suite and the type checker: config.settings with a throwaway SECRET_KEY.

config.settings refuses to start without a SECRET_KEY when DEBUG is off, and the tests run as
production does (DEBUG off). The key is put in the environment, not only here, so the commands and
servers the tests start as subprocesses inherit it with DJANGO_SETTINGS_MODULE.
"""

import os

os.environ.setdefault("SECRET_KEY", "tiewatch-tests-only-not-secret-" + "x" * 20)
# The suite tests the demo as a fresh clone runs it (no shared data beside it); the tests of the
# shared-data demo point TIEWATCH_DEMO_DATA at ../shared/data themselves.
os.environ.setdefault("TIEWATCH_DEMO_DATA", "")

from config.settings import *  # noqa: F403
