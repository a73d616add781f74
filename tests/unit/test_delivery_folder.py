"""The shared-folder copy: a dated subfolder, owner/group-only, renamed into place whole,
replacing the same day's folder, and never created on an unmounted share."""

from __future__ import annotations

import stat

import pytest

from pipeline.delivery import DeliveryError, folder


@pytest.fixture
def report(tmp_path):
    report = tmp_path / "report"
    (report / "csv").mkdir(parents=True)
    (report / "index.html").write_text("<html>report</html>")
    (report / "summary.json").write_text("{}")
    (report / "csv" / "workforce.csv").write_text("a,b\n1,2\n")
    for path in report.rglob("*"):
        path.chmod(0o777 if path.is_dir() else 0o666)  # modes that must not travel
    return report


def _tree(root):
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def test_the_copy_is_the_report_in_a_dated_folder_for_owner_and_group_only(tmp_path, report):
    share = tmp_path / "share"
    share.mkdir()
    target = folder.copy_report(report, share, "2026-04-01", "20260401T020000Z-aaaa")
    assert target == share / "2026-04-01"
    assert _tree(target) == _tree(report)
    assert [p.name for p in share.iterdir()] == ["2026-04-01"]
    for path in [target, *target.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o750 if path.is_dir() else 0o640), path
    assert folder.file_count_and_size(target) == (3, sum(len(v) for v in _tree(report).values()))


def test_a_second_report_the_same_day_replaces_the_first_whole(tmp_path, report):
    share = tmp_path / "share"
    share.mkdir()
    folder.copy_report(report, share, "2026-04-01", "run-1")
    (report / "index.html").write_text("<html>corrected</html>")
    (report / "csv" / "workforce.csv").unlink()
    target = folder.copy_report(report, share, "2026-04-01", "run-2")
    assert _tree(target) == _tree(report)
    assert [p.name for p in share.iterdir()] == ["2026-04-01"]


def test_what_a_killed_copy_left_is_removed_and_nothing_else(tmp_path, report):
    share = tmp_path / "share"
    (share / ".progression-incoming-run-0" / "csv").mkdir(parents=True)
    (share / ".progression-incoming-run-0" / "index.html").write_text("half")
    (share / ".progression-retired-run-0").mkdir()
    (share / "someone-elses-file.docx").write_text("keep")
    (share / ".hidden-by-someone-else").mkdir()
    folder.copy_report(report, share, "2026-04-01", "run-1")
    assert sorted(p.name for p in share.iterdir()) == [
        ".hidden-by-someone-else",
        "2026-04-01",
        "someone-elses-file.docx",
    ]


def test_an_unmounted_share_is_a_failure_not_a_new_local_folder(tmp_path, report):
    share = tmp_path / "mnt" / "share"
    with pytest.raises(DeliveryError, match="is the share mounted"):
        folder.copy_report(report, share, "2026-04-01", "run-1")
    assert not share.exists()


def test_a_failed_copy_leaves_no_dated_folder(tmp_path, report, monkeypatch):
    share = tmp_path / "share"
    share.mkdir()
    copied = []

    def fail_on_the_second_file(source, destination):
        if copied:
            raise OSError(28, "No space left on device")
        copied.append(source)
        folder.shutil.copyfile(source, destination)

    monkeypatch.setattr(folder, "copy_file", fail_on_the_second_file)
    with pytest.raises(DeliveryError, match="No space left on device"):
        folder.copy_report(report, share, "2026-04-01", "run-1")
    assert not (share / "2026-04-01").exists()
    assert all(p.name.startswith(".progression-incoming-") for p in share.iterdir())
