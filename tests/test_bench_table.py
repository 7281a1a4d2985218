"""The `make bench` table: what it says of the machine and of the CSV export (bench/bench.py)."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench.py"


@pytest.fixture
def bench(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_script", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys.modules["common"], "RESULTS", tmp_path)
    return module


def report(machine, export):
    row = {"cache": "off", "p50_ms": 12.5, "p99_ms": 20.0, "rps": 80, "bytes": 1000, "requests": 400, "statuses": {}}
    return {
        "args": {"engine": "sqlite", "cases": 100, "seconds": 5},
        "ours": {"case detail": {**row, "queries": 5}},
        "export": export,
        "datasette": {},
        "machine": machine,
    }


EXPORT = {"rows": 100, "expected_rows": 100, "path": "/cases/?_export=csv", "ttfb_ms": 50, "total_s": 0.002}


def test_the_table_gives_the_cpu_reference_and_the_three_export_runs(bench, tmp_path, capsys):
    runs = {"rows_per_s": 50_000, "runs_rows_per_s": [40_000, 50_000, 61_000]}
    bench.write_table("t", report({"cpus": 2, "cpu_reference_ms": 77.4}, {**EXPORT, **runs}))
    text = (tmp_path / "t.md").read_text()
    assert text == capsys.readouterr().out
    assert "2 CPUs; CPU reference (a fixed Python loop, lower is faster): 77 ms." in text
    assert "| case detail | off | 12.5 | 20.0 | 80 | 1,000 | 5 |" in text
    assert "50,000 rows/s (the median of three downloads: 40,000, 50,000, 61,000 rows/s)." in text


def test_a_saved_run_from_before_either_still_prints(bench, tmp_path):
    bench.write_table("t", report({"cpus": 2, "uname": "Linux"}, {**EXPORT, "rows_per_s": 50_000}))
    text = (tmp_path / "t.md").read_text()
    assert "CPU reference" not in text
    assert "total 0.0 s, 50,000 rows/s.\n" in text


def test_the_cpu_reference_is_a_positive_time(bench):
    assert 0 < sys.modules["common"].cpu_reference_ms(rounds=1) < 60_000
