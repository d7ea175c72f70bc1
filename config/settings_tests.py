"""Settings for the test suite and the type checker: config.settings with a throwaway SECRET_KEY.

config.settings refuses to start without a SECRET_KEY when DEBUG is off, and the tests run as
production does (DEBUG off). The key is put in the environment, not only here, so the commands and
servers the tests start as subprocesses inherit it with DJANGO_SETTINGS_MODULE.
"""

import os

os.environ.setdefault("SECRET_KEY", "tiewatch-tests-only-not-secret-" + "x" * 20)

from config.settings import *  # noqa: F403
