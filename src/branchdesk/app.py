"""Start-up of the window: Qt application, fonts, translations, the main window."""
from __future__ import annotations

from .store import Store


def run_gui(store: Store) -> int:
    from .ui.main_window import MainWindow
    from .ui.qtenv import make_application, make_settings

    app = make_application()
    window = MainWindow(store, make_settings())
    window.show()
    return app.exec()
