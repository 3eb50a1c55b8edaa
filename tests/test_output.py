"""Output formats: concise, github, sarif (validated against the SARIF 2.1.0 schema), gitlab, json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cachelint.models import Diagnostic, Fix
from cachelint.output import FORMATS, formatter

DATA = Path(__file__).resolve().parent / "data"

BAD = "import functools\n\n\n@functools.lru_cache\ndef load(job_id, region):\n    return region\n"


def diag(code="CL101", name="per-call-id-in-key", severity="warning", message="'job_id' looks per-call.",
         path="pkg/mod.py", line=5, column=10, end_line=5, end_column=16, **extra) -> Diagnostic:
    return Diagnostic(code=code, name=name, severity=severity, message=message, path=path, line=line,
                      column=column, end_line=end_line, end_column=end_column, **extra)


SAMPLE = [
    diag(path="b.py", function="load", parameter="job_id", fix=Fix("exclude it")),
    diag(code="CL501", name="cached-coroutine", severity="error", message="The cache holds a coroutine.",
         path="a.py", line=3, column=1, end_line=3, end_column=22, function="fetch"),
    diag(code="CL001", name="syntax-error", severity="error", message="The file could not be parsed: bad.",
         path="dir with space/c.py", line=1, column=1, end_line=1, end_column=1),
]


def test_every_format_is_registered_and_handles_no_diagnostics():
    assert FORMATS[0] == "text"
    assert set(FORMATS) >= {"text", "concise", "json", "sarif", "github", "gitlab"}
    for name in FORMATS:
        out = formatter(name)([], read_lines=lambda p: None, quiet=False, color=False)
        if name in ("json", "gitlab"):
            assert json.loads(out) == []
        elif name == "sarif":
            assert json.loads(out)["runs"][0]["results"] == []
        else:
            assert out == ""
    with pytest.raises(KeyError):
        formatter("xml")


def test_concise_is_one_line_per_diagnostic_sorted_with_summary_unless_quiet():
    out = formatter("concise")(SAMPLE)
    lines = out.splitlines()
    assert lines[:3] == [
        "a.py:3:1: CL501 The cache holds a coroutine.",
        "b.py:5:10: CL101 'job_id' looks per-call.",
        "dir with space/c.py:1:1: CL001 The file could not be parsed: bad.",
    ]
    assert lines[3] == "Found 3 diagnostics (2 errors, 1 warning)."
    assert formatter("concise")(SAMPLE, quiet=True).splitlines() == lines[:3]
    multi = formatter("concise")([diag(message="first\nsecond")], quiet=True)
    assert multi == "pkg/mod.py:5:10: CL101 first second\n"


def test_concise_colour_only_when_asked():
    assert "\033[" not in formatter("concise")(SAMPLE)
    coloured = formatter("concise")(SAMPLE, color=True)
    assert "\033[31m" in coloured and "\033[33m" in coloured


def test_github_annotations():
    out = formatter("github")(SAMPLE).splitlines()
    assert out[0] == "::error file=a.py,line=3,col=1,endLine=3,endColumn=22,title=CL501 cached-coroutine::The cache holds a coroutine."
    assert out[1] == "::warning file=b.py,line=5,col=10,endLine=5,endColumn=16,title=CL101 per-call-id-in-key::'job_id' looks per-call."
    assert len(out) == 3  # no summary line


def test_github_escaping_follows_the_runner_rules():
    from cachelint.output.github import annotation, escape_data, escape_property

    assert escape_data("100% sure\r\nnext: a, b") == "100%25 sure%0D%0Anext: a, b"
    assert escape_property("C:\\x,y%\n") == "C%3A\\x%2Cy%25%0A"
    line = annotation(diag(path="we,ird:na%me.py", message="50% of\nkeys: a, b"))
    assert line.startswith("::warning file=we%2Cird%3Ana%25me.py,line=5,")
    assert line.endswith("::50%25 of%0Akeys: a, b")
    assert "\n" not in line


def _schema():
    return json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_validates_against_the_official_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = _schema()
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    outside = tmp_path.parent / "elsewhere.py"
    diagnostics = SAMPLE + [diag(path=str(outside)), diag(path="-")]
    doc = json.loads(formatter("sarif")(diagnostics, cwd=str(tmp_path)))
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])


def test_sarif_content(tmp_path):
    from cachelint import __version__
    from cachelint.docs import anchor
    from cachelint.rules import ALL_RULES

    doc = json.loads(formatter("sarif")(SAMPLE + [diag(path=str(tmp_path.parent / "x.py"))], cwd=str(tmp_path)))
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cachelint" and driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [r.code for r in ALL_RULES]
    by_id = {r["id"]: r for r in driver["rules"]}
    cl101 = by_id["CL101"]
    assert cl101["name"] == "per-call-id-in-key"
    assert cl101["shortDescription"]["text"] and cl101["fullDescription"]["text"]
    assert cl101["helpUri"].endswith("docs/rules.md#" + anchor("CL101", "per-call-id-in-key"))
    assert cl101["defaultConfiguration"] == {"level": "warning", "enabled": True}
    assert by_id["CL501"]["defaultConfiguration"]["level"] == "error"
    assert by_id["CL000"]["defaultConfiguration"]["enabled"] is False
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"

    results = run["results"]  # sorted by path: the absolute one first
    assert [r["ruleId"] for r in results] == ["CL101", "CL501", "CL101", "CL001"]
    outside = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert outside == {"uri": (tmp_path.parent / "x.py").as_uri()}
    results = results[1:]
    first = results[0]
    assert driver["rules"][first["ruleIndex"]]["id"] == "CL501"
    assert first["level"] == "error" and first["message"]["text"] == "The cache holds a coroutine."
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "a.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 22}
    assert results[1]["level"] == "warning"
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir%20with%20space/c.py"


def test_sarif_from_the_command_line_is_valid(run_cli, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "bad.py").write_text(BAD, encoding="utf-8")
    result = run_cli("--format", "sarif", ".", cwd=tmp_path)
    assert result.exit_code == 1
    doc = json.loads(result.output)
    jsonschema.Draft4Validator(_schema()).validate(doc)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"pkg/bad.py"}


def test_gitlab_code_quality_report():
    out = json.loads(formatter("gitlab")(SAMPLE + [SAMPLE[0]]))
    assert [i["check_name"] for i in out] == ["CL501 cached-coroutine", "CL101 per-call-id-in-key",
                                              "CL101 per-call-id-in-key", "CL001 syntax-error"]
    first = out[0]
    assert set(first) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert first["severity"] == "major" and out[1]["severity"] == "minor"
    assert first["location"] == {"path": "a.py", "lines": {"begin": 3, "end": 3}}
    fingerprints = [i["fingerprint"] for i in out]
    assert len(set(fingerprints)) == len(fingerprints)  # duplicates are told apart
    moved = json.loads(formatter("gitlab")([diag(path="b.py", line=50, end_line=50, function="load",
                                                 parameter="job_id", fix=Fix("exclude it"))]))
    assert moved[0]["fingerprint"] == out[1]["fingerprint"]  # stable when the line moves


def test_json_is_unchanged():
    items = json.loads(formatter("json")(SAMPLE))
    assert [i["path"] for i in items] == ["a.py", "b.py", "dir with space/c.py"]
    assert items[1] == SAMPLE[0].as_dict()
