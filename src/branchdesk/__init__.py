"""branchdesk: the offline desk of a residential-compound party branch."""
import time
from importlib import metadata

# The earliest moment the app can see: start-up time is measured from here.
STARTED_AT = time.perf_counter()

try:
    __version__ = metadata.version("branchdesk")
except metadata.PackageNotFoundError:  # running from a bare source tree
    __version__ = "0.0.0"

APP_NAME = "branchdesk"
APP_TITLE = "小区党建工作台"
