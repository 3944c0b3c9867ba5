"""Make the README's screenshots from the running app on the demo community.

    .venv/bin/python scripts/make_screenshots.py [OUT_DIR]     (default docs/screenshots)

Runs offscreen on a fresh temporary database and settings folder, so the pictures
show exactly what a new user sees and never the developer's own data.
"""
from __future__ import annotations

import os
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
WINDOW_SIZE = (1280, 800)

# (file name, what the picture shows); pages come first, in sidebar order
PAGES = ("org", "members", "center-households", "leaders", "issues")


def _settle(app, rounds: int = 40) -> None:
    import time

    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.01)


def _wait_for(app, predicate) -> None:
    import time

    deadline = time.perf_counter() + 30
    while not predicate() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)
    _settle(app)


def _wait_loaded(app, page) -> None:
    import time

    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        app.processEvents()
        if getattr(page, "loaded", True) and not page.tasks.busy:
            break
        time.sleep(0.01)
    _settle(app)


def _printed(store, meeting_id: int, temp: Path, out: Path, saved: list[Path]) -> None:
    """The printed minutes' first page, as the PDF shows it (pdftoppm, from poppler)."""
    import shutil
    import subprocess

    from branchdesk.printing import build_document, write_pdf

    pdf = temp / "minutes.pdf"
    with store.session() as session:
        write_pdf(build_document(session, "minutes", meeting_id), pdf)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: the printed minutes are not pictured", file=sys.stderr)
        return
    target = out / f"{len(saved) + 1:02d}-printed-minutes"
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)],
                   check=True)
    saved.append(target.with_suffix(".png"))


def main(out: Path) -> int:
    temp = Path(tempfile.mkdtemp(prefix="branchdesk-shots-"))
    os.environ["BRANCHDESK_DATA_DIR"] = str(temp)

    from branchdesk.services import org, people
    from branchdesk.services.demo import fill_demo
    from branchdesk.store import open_store
    from branchdesk.ui.center_household_form import CenterHouseholdForm
    from branchdesk.ui.forms import MemberForm
    from branchdesk.ui.main_window import MainWindow
    from branchdesk.ui.org_page import NewBuildingDialog
    from branchdesk.ui.qtenv import make_application, make_settings

    store = open_store(temp / "demo.db", create=True)
    with store.transaction() as session:
        fill_demo(session)
    app = make_application()
    window = MainWindow.on_store(store, make_settings())
    window.resize(*WINDOW_SIZE)
    window.show()
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def save(widget, name: str) -> None:
        _settle(app)
        path = out / f"{len(saved) + 1:02d}-{name}.png"
        if not widget.grab().save(str(path)):
            raise SystemExit(f"could not write {path}")
        saved.append(path)

    for index, name in enumerate(PAGES):
        page = window.show_page(index)
        _wait_loaded(app, page)
        if name == "org":
            page.tree.topLevelItem(0).child(0).child(0).setExpanded(True)  # show a grid's buildings
        if name == "members":
            page.search.setText("zs")  # found by pinyin initials
            _wait_loaded(app, page)
        save(window, name)
        if name == "members":
            page.search.clear()

    # an issue's own dialog: its timeline and its next step
    from branchdesk.services import issues as issue_service
    from branchdesk.ui.issues import IssueDialog

    with store.session() as session:
        reopened = next(r for r in issue_service.list_issues(session, date.today()) if r.reopen_count)
    dialog = IssueDialog(store, reopened.id, window)
    dialog.show()
    save(dialog, "issue-timeline")
    dialog.done(0)

    # the member form stopping a wrong ID number
    form = MemberForm(store, None, window)
    form.show()
    form.inputs["name"].set_value("张三")
    id_input = form.inputs["id_number"]
    id_input.set_value("110105196503121234")  # wrong check digit
    form.save()
    save(form, "member-form-wrong-id")
    form.done(0)

    with store.session() as session:
        first_ch = people.list_center_households(session)[0].id
    ch_form = CenterHouseholdForm(store, first_ch, window)
    ch_form.show()
    save(ch_form, "center-household-form")
    ch_form.done(0)

    with store.session() as session:
        compounds, grids = org.compound_choices(session), org.grid_choices(session)
    dialog = NewBuildingDialog(store, compounds, grids, compounds[0].id, None, parent=window)
    dialog.show()
    save(dialog, "new-building")
    dialog.done(0)

    # the import preview: a full export with one phone changed and one ID typed as a number
    import openpyxl

    from branchdesk.exchange.writer import export_roster
    from branchdesk.ui.import_dialog import ImportDialog

    roster = temp / "党员花名册（街道返回）.xlsx"
    with store.session() as session:
        export_roster(session, "members", roster, masked=False)
    wb = openpyxl.load_workbook(roster)
    ws = wb.active
    header = {c.value: c.column for c in ws[3]}
    ws.cell(5, header["联系电话"]).value = "13700001111"
    ws.cell(8, header["身份证号"]).value = 110105196503121234
    wb.save(roster)
    importer = ImportDialog(store, make_settings(), "members", window)
    importer.show()
    importer.load_file(roster)
    _wait_for(app, lambda: importer.plan is not None)
    importer.show_box.setCurrentIndex(0)
    importer.table.setCurrentIndex(importer.model.index(1, 0))
    save(importer, "import-preview")
    importer.done(0)

    # a street office list whose headers the import can only guess
    from branchdesk.ui.mapping_dialog import MappingDialog

    street = temp / "街道下发名单.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "证件号码", "党员类别", "现居住地址", "手机号码"])
    with store.session() as session:
        for n, m in enumerate(people.list_members(session)[:8], 1):
            ws.append([n, m.name, m.id_number, "正式党员" if m.category == "full" else "预备党员", m.short_address,
                       m.phone])
    wb.save(street)
    settings = make_settings()
    settings.remove("import/mappings")
    importer = ImportDialog(store, settings, "members", window)
    importer.show()
    importer.load_file(street)
    _wait_for(app, lambda: any(d.isVisible() for d in importer.findChildren(MappingDialog)))
    mapping = next(d for d in importer.findChildren(MappingDialog) if d.isVisible())
    save(mapping, "column-mapping")
    mapping.done(0)
    importer.done(0)

    from branchdesk.ui.export_dialog import ExportDialog

    exporter = ExportDialog(store, make_settings(), "members", window)
    exporter.show()
    save(exporter, "export")
    exporter.done(0)

    # the residents' issues as a board (看板): one column per step of the 五事制
    issues_page = window.show_page(PAGES.index("issues"))
    issues_page.show_view("board")
    _wait_loaded(app, issues_page)
    save(window, "issue-board")
    issues_page.show_view("table")

    # meetings: the list, one meeting's minutes, the 三会一课, and its printed minutes
    from branchdesk.services import meetings as meeting_service
    from branchdesk.ui.meetings import MeetingDialog, TrackerDialog
    from branchdesk.ui.rosters import ROSTERS

    def page_of(key: str):
        return window.show_page(1 + [spec.key for spec in ROSTERS].index(key))

    _wait_loaded(app, page_of("meetings"))
    save(window, "meetings")
    with store.session() as session:
        filed = next(m for m in meeting_service.list_meetings(session)
                     if m.held and m.kind in ("党群议事会", "三方联席会议")
                     and any(i["issue_id"] and i["decisions"] for i in meeting_service.agenda(session, m.id)))
    dialog = MeetingDialog(store, filed.id, window)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.minutes)
    save(dialog, "meeting-minutes")
    dialog.tabs.setCurrentWidget(dialog.attendance)
    save(dialog, "meeting-sign-in")
    dialog.done(0)
    tracker = TrackerDialog(store, window)
    tracker.show()
    save(tracker, "three-meetings-one-lesson")
    tracker.done(0)
    _printed(store, filed.id, temp, out, saved)

    # the lists: a demand matched with the resources of its category
    from branchdesk.services import lists as list_service
    from branchdesk.ui.list_forms import MatchDialog

    _wait_loaded(app, page_of("demands"))
    save(window, "demands")
    with store.session() as session:
        waiting = next(d for d in list_service.list_demands(session) if d.status == "open"
                       and list_service.suggest_resources(session, d.id))
    match = MatchDialog(store, waiting, window)
    match.show()
    save(match, "demand-match")
    match.done(0)
    _wait_loaded(app, page_of("resources"))
    save(window, "resources")

    from branchdesk.ui.stats_dialog import StatsDialog

    stats = StatsDialog(store, window)
    stats.show()
    save(stats, "work-statistics")
    stats.done(0)

    # the council's charts: the dashboard (last in the sidebar)
    dashboard = window.show_page(len(window.pages) - 1)
    _wait_for(app, lambda: dashboard.counted)
    save(window, "dashboard")

    # 设置 ▸ 节假日与调休, filled in as the State Council's notice for 国庆 reads
    from branchdesk.services import issues as issue_service
    from branchdesk.ui.settings_dialogs import WorkCalendarDialog

    year = date.today().year
    with store.transaction() as session:
        issue_service.set_work_calendar(session, holidays=[date(year, 10, d) for d in range(1, 8)],
                                        workdays=[d for d in (date(year, 9, 27), date(year, 10, 10)) if d.weekday() >= 5])
    calendar = WorkCalendarDialog(store, window)
    calendar.show()
    save(calendar, "work-calendar")
    calendar.done(0)

    # 文件 ▸ 从备份恢复…: the backups a week of work leaves (made now, named as on their days)
    from branchdesk.store import backup_database
    from branchdesk.ui.restore_dialog import RestoreDialog

    for days_ago, reason in ((6, "daily"), (5, "before-import"), (3, "daily"), (1, "before-import"), (0, "daily")):
        made = backup_database(store.path, reason)
        when = datetime.now() - timedelta(days=days_ago, hours=days_ago % 3)
        made.rename(made.with_name(made.name.replace(made.name.split("-")[1], when.strftime("%Y%m%d"), 1)
                                   .replace(made.name.split("-")[2], when.strftime("%H%M%S"), 1)))
    restore = RestoreDialog(store, window)
    restore.show()
    _wait_for(app, lambda: restore.model.rowCount() and restore.model.info(0).revision is not None)
    save(restore, "restore-from-backup")
    restore.done(0)

    window.close()
    store.close()
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
