"""branchdesk: the offline desk of a residential-compound party branch."""
import time

# The earliest moment the app can see: start-up time is measured from here.
STARTED_AT = time.perf_counter()

from ._version import __version__  # noqa: E402, F401  (re-exported)

APP_NAME = "branchdesk"
APP_TITLE = "小区党建工作台"
