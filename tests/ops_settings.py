"""Settings of the app servers the ops tests start: the test settings, with the full-page cache on.

The suite's own settings turn the page cache off so tests see fresh renders;
the two-server and fault tests must see what production serves, cache included.
"""

import os

from config.settings.test import *  # noqa: F403

PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))

# The proxy tests drive real logins through nginx, which the test client's
# login() shortcut (the reason test.py turns django-axes off) never takes.
AXES_ENABLED = os.environ.get("AXES_ENABLED", "") == "true"
