"""The benchmark report is rewritten each run; the hand-written part below its marker stays."""

from __future__ import annotations

from pathlib import Path

from benchmarks.__main__ import KEPT, write_report


def test_hand_written_notes_survive_a_new_report(tmp_path: Path) -> None:
    report = tmp_path / "performance.md"
    write_report(report, ["# first", "| a | 1 |"])
    assert report.read_text(encoding="utf-8") == "# first\n| a | 1 |\n"
    report.write_text(
        report.read_text(encoding="utf-8") + f"\n{KEPT}\n\n## Why\n\nA profile.\n",
        encoding="utf-8",
    )
    write_report(report, ["# second", "| a | 2 |"])
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# second\n| a | 2 |\n")
    assert "# first" not in text
    assert text.endswith(f"{KEPT}\n\n## Why\n\nA profile.\n")
