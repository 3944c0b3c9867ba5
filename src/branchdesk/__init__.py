"""branchdesk: the offline desk of a residential-compound party branch."""
from importlib import metadata

try:
    __version__ = metadata.version("branchdesk")
except metadata.PackageNotFoundError:  # running from a bare source tree
    __version__ = "0.0.0"

APP_NAME = "branchdesk"
APP_TITLE = "小区党建工作台"
