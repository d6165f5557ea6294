"""mlp_lib.environment: the set-up check of chapter 00."""

from mlp_lib.environment import (
    MIN_PYTHON,
    NEWEST_TESTED_PYTHON,
    check_environment,
    constraints_file,
    environment_check,
    parse_version,
    pinned_versions,
)

NEEDS = (("numpy", "1.26", "maths"), ("matplotlib", "3.8", "figures"))


def fake(versions):
    return lambda name: versions.get(name)


def test_parse_version():
    assert parse_version("1.26.4") == (1, 26, 4)
    assert parse_version("2.0rc1") == (2, 0)
    assert parse_version("3.11.2.post1") == (3, 11, 2)
    assert parse_version("1.10") > parse_version("1.9")  # numbers, not strings


def test_all_ok():
    report = check_environment(NEEDS, fake({"numpy": "2.4.6", "matplotlib": "3.8.0"}), tested={})
    assert report.ok
    assert [r["status"] for r in report.rows] == ["ok", "ok"]
    assert "ready" in str(report)
    assert "make lab" not in str(report)


def test_missing_and_too_old_are_named_with_the_fix():
    report = check_environment(NEEDS, fake({"numpy": "1.21.0"}), tested={"numpy": "2.4.6"})
    assert not report.ok
    status = {r["name"]: r["status"] for r in report.rows}
    assert status == {"numpy": "too old", "matplotlib": "missing"}
    text = str(report)
    assert "numpy 1.21.0 is too old: the course needs >= 1.26" in text
    assert "matplotlib is not installed" in text
    assert "MISSING" in report.table() and "TOO OLD" in report.table()
    assert "make lab" in text and "pip install -r requirements.txt" in text
    assert "2.4.6" in report.table()  # the tested column


def test_the_real_environment_passes(capsys):
    report = environment_check()
    assert report.ok, str(report)
    out = capsys.readouterr().out
    assert "numpy" in out and "ipywidgets" in out


def test_pinned_versions_reads_requirements(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("# comment\nnumpy==2.4.6\nmatplotlib==3.11.2  # pinned\n-e .\n")
    assert pinned_versions(req) == {"numpy": "2.4.6", "matplotlib": "3.11.2"}
    assert pinned_versions(tmp_path / "absent.txt") == {}


def test_pinned_versions_default_to_cis_pins_for_this_python():
    path = constraints_file()
    assert path.exists(), path
    pins = pinned_versions()
    assert pins == pinned_versions(path)
    assert {"numpy", "matplotlib", "ipywidgets", "ipykernel", "scikit-learn"} <= set(pins)


def test_constraints_file_by_python_version():
    assert constraints_file((3, 10)).name == "py3.10.txt"
    assert constraints_file((3, 11)).name == constraints_file((3, 13)).name == "py3.11-3.13.txt"


def test_the_python_row_names_the_tested_range():
    report = check_environment((), fake({}), tested={})
    first = report.table().splitlines()[2]
    low, high = (".".join(map(str, v)) for v in (MIN_PYTHON, NEWEST_TESTED_PYTHON))
    assert first.split()[:4] == ["python", report.python_version, ">=", low]
    assert f"{low}-{high}" in first
