"""The API fuzzed from its own served OpenAPI document by schemathesis, on each database.

Every phase (examples, coverage, fuzzing, and stateful runs along the document's links) and every
check (tests/fuzz/schemathesis.toml says which two settings differ from schemathesis's own, and
why) run against the real app over HTTP, holding the demo catalog, with an admin token. Any
finding fails the test with schemathesis's own report of it: the request to replay, the answer,
the check it broke.

`make test` runs a short pass (CROSSCANAL_FUZZ_EXAMPLES, 5 cases per operation and phase);
`make fuzz` a longer one with a seed of your choice (README, "Tests").
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask

from hub.config import Settings
from hub.services.accounts import create_token
from hub.services.demo import DemoCatalog
from tests.support.live_server import serving

HERE = Path(__file__).parent
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
SEED = int(os.environ.get("CROSSCANAL_FUZZ_SEED", "1"))
EXAMPLES = int(os.environ.get("CROSSCANAL_FUZZ_EXAMPLES", "5"))
RESULTS = os.environ.get("CROSSCANAL_FUZZ_RESULTS")  # `make fuzz`: the JSON file the figures go to
# Revoking a token may revoke the run's own: that operation runs last, in a pass of its own.
SELF_REVOKING = "DELETE /api/v1/tokens/{token_id}"
# Errors of schemathesis's own generation (a Hypothesis "inconsistent results" in the coverage
# phase, seen once in twenty runs), not answers of the API; reported, not failed on.
TOOL_ERRORS = ("Runtime Error",)


def _run(url: str, token: str, reports: Path, name: str, phases: str, *selection: str) -> dict:
    """One schemathesis run; what its JUnit report and summary say."""
    junit = reports / f"{name}.xml"
    command = [str(SCHEMATHESIS), "--config-file", str(HERE / "schemathesis.toml"), "run", f"{url}/api/v1/openapi.json",
               "-H", f"Authorization: Bearer {token}", "--seed", str(SEED), "--max-examples", str(EXAMPLES),
               "--phases", phases, "--workers", "1", "--request-timeout", "60",
               "--generation-database", "none", "--no-color", "--report", "junit", "--report-junit-path", str(junit),
               *selection]
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, cwd=reports,
                         env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "PYTHONPATH": str(HERE.parent.parent)})
    seconds = time.monotonic() - started
    assert junit.exists(), f"schemathesis wrote no report (exit {run.returncode}):\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    findings, errors, tool_errors, fuzzed = [], [], [], set()
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        reached = True
        for problem in case:
            text = f"{case.get('name')}: {problem.get('message', '')}\n{problem.text or ''}"
            if problem.tag == "failure":
                findings.append(text)
            elif problem.tag == "skipped":  # never sent: not fuzzed
                errors.append(f"skipped, not fuzzed: {text}")
                reached = False
            elif problem.tag == "error":
                reached = False
                (tool_errors if (problem.text or "").startswith(TOOL_ERRORS) else errors).append(text)
        if reached:
            fuzzed.add(case.get("name"))
    generated = re.search(r"(\d+) generated", run.stdout)
    operations = re.search(r"Tested: (\d+)", run.stdout)
    return {"operations": int(operations.group(1)) if operations else 0, "cases": int(generated.group(1)) if generated else 0,
            "findings": findings, "errors": errors, "tool_errors": tool_errors, "fuzzed": fuzzed, "seconds": round(seconds, 1),
            "output": run.stdout}


def _record(database: str, runs: list[dict]) -> None:
    path = Path(RESULTS)  # type: ignore[arg-type]
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures[database] = {"seed": SEED, "max_examples": EXAMPLES, "date": time.strftime("%Y-%m-%d"),
                         "operations": sum(run["operations"] for run in runs), "cases": sum(run["cases"] for run in runs),
                         "findings": sum(len(run["findings"]) for run in runs), "errors": sum(len(run["errors"]) for run in runs),
                         "tool_errors": sum(len(run["tool_errors"]) for run in runs),
                         "seconds": round(sum(run["seconds"] for run in runs), 1)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n")


def test_every_operation_fuzzed_with_every_phase_and_check_finds_nothing(app: Flask, settings: Settings, tmp_path: Path,
                                                                          request: pytest.FixtureRequest):
    with app.extensions["crosscanal"].writers() as session:
        DemoCatalog(session, settings.media_dir).load()
        token = create_token(session, "admin", "fuzz")
        session.commit()
    with serving(app) as url:
        runs = [_run(url, token, tmp_path, "all", "examples,coverage,fuzzing,stateful", "--exclude-name", SELF_REVOKING),
                _run(url, token, tmp_path, "revoke", "examples,coverage,fuzzing", "--include-name", SELF_REVOKING)]
    if RESULTS:
        _record(request.config.getoption("--db"), runs)
    for run in runs:
        for error in run["tool_errors"]:
            print(f"schemathesis's own error, not the API's:\n{error[:2000]}")
    problems = [problem for run in runs for problem in run["findings"] + run["errors"]]
    assert not problems, f"{len(problems)} findings:\n\n" + "\n\n".join(problem[:3000] for problem in problems[:10])
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    every = {f"{method.upper()} {path}" for path, operations in document["paths"].items()
             for method in operations if method in ("get", "put", "post", "patch", "delete")}
    fuzzed = runs[0]["fuzzed"] | runs[1]["fuzzed"]
    # Every operation of the document reached the API without an error of the tool's own in its way
    # (the NDJSON PATCH /products among them); at most one such error is let pass, and it is printed above.
    assert len(every - fuzzed) <= 1 and "PATCH /api/v1/products" in fuzzed, sorted(every - fuzzed)
    assert runs[0]["cases"] > 1000, runs[0]["output"][-3000:]
