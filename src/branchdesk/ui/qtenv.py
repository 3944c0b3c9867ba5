"""The Qt application: the bundled Chinese font, Qt's own zh_CN translation, settings."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from .. import APP_NAME, __version__
from ..paths import data_dir, resource_dir

log = logging.getLogger(__name__)

# Families tried in order: the Windows Chinese UI font where there is one, then
# the font the app ships, so nothing depends on what the system has installed.
UI_FAMILIES = ["Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC"]
BUNDLED_FAMILY = "Noto Sans CJK SC"


def load_bundled_fonts() -> list[str]:
    families: list[str] = []
    for path in sorted((resource_dir() / "fonts").glob("*.otf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load font %s", path)
            continue
        families += QFontDatabase.applicationFontFamilies(font_id)
    return families


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own dialogs and buttons (确定/取消, the file dialog) in Chinese."""
    translators = []
    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
               str(resource_dir() / "translations")]
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        for folder in folders:
            tr = QTranslator(app)
            if tr.load(name, folder):
                app.installTranslator(tr)
                translators.append(tr)
                break
    return translators


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName(APP_NAME)
        QCoreApplication.setApplicationName(APP_NAME)
        QCoreApplication.setApplicationVersion(__version__)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    setup_application(app)
    return app


def setup_application(app: QApplication) -> None:
    if app.property("branchdesk_ready"):
        return
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    bundled = load_bundled_fonts()
    font = QFont(app.font())
    font.setFamilies([*UI_FAMILIES, *bundled, BUNDLED_FAMILY])
    font.setPointSizeF(max(font.pointSizeF(), 10.5))
    app.setFont(font)
    install_translations(app)
    icon = resource_dir() / "icons" / "branchdesk.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    else:
        log.warning("the app icon %s is missing", icon)
    app.setProperty("branchdesk_ready", True)


_scratch_settings: Path | None = None  # see use_scratch_settings


def use_scratch_settings(folder: Path | None) -> None:
    """From now on make_settings() reads and writes an INI file in this folder instead of
    the user's, until called with None. The self-test opens the window and visits every
    page as the secretary would; her window size, page and remembered choices stay hers."""
    global _scratch_settings
    _scratch_settings = folder


def make_settings() -> QSettings:
    """User choices and window state, in an INI file beside the database folder."""
    folder = _scratch_settings or data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
