"""The locked dependencies checked against known vulnerabilities, as `make audit` (and `make test`) runs it.

pip-audit does the work; this wrapper decides what fails. A known vulnerability with a fixed
release fails the run, naming the package, the advisory and the release to move to (`make lock`
then takes it). One without a fix yet is reported and passes: there is nothing to move to.

pip-audit itself reports "No known vulnerabilities found" when every package was *skipped*
because its service could not be asked (seen here: a registry mirror that answers the project
page but not the per-release one). That is not an audit, so it is reported as "not audited" and,
like an unreachable service, passes unless `CROSSCANAL_AUDIT_REQUIRED=1` (a release pipeline with
network access sets it).

    python -m tests.support.dependency_audit [--requirement FILE] [--osv-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("osv", "pypi")
NOT_AUDITED = 2  # exit status when no service could audit and an audit is required


@dataclass
class Outcome:
    """What one service said about the lock, or why it could not say."""

    service: str
    audited: int = 0
    skipped: int = 0
    fixable: list[str] = field(default_factory=list)
    unfixed: list[str] = field(default_factory=list)
    failure: str | None = None


def _pip_audit(requirement: Path, service: str, osv_url: str | None, cache: Path) -> Outcome:
    out = cache / f"{service}.json"
    command = [sys.executable, "-m", "pip_audit", "--requirement", str(requirement), "--disable-pip",
               "--vulnerability-service", service, "--format", "json", "--output", str(out),
               "--cache-dir", str(cache / "http"), "--progress-spinner", "off", "--timeout", "20"]
    if "--hash=" in requirement.read_text():
        command.append("--require-hashes")
    else:
        command.append("--no-deps")
    if osv_url:
        command += ["--osv-url", osv_url]
    run = subprocess.run(command, capture_output=True, text=True)
    if not out.exists() or not out.read_text().strip():
        last = (run.stderr.strip().splitlines() or ["pip-audit printed nothing"])[-1]
        return Outcome(service, failure=last[:300])
    return _read(service, json.loads(out.read_text()))


def _read(service: str, report: dict) -> Outcome:
    outcome = Outcome(service)
    for dependency in report.get("dependencies", []):
        if dependency.get("skip_reason"):
            outcome.skipped += 1
            continue
        outcome.audited += 1
        for vuln in dependency.get("vulns", []):
            line = f"{dependency['name']} {dependency['version']}: {vuln['id']}"
            if vuln.get("fix_versions"):
                outcome.fixable.append(f"{line}, fixed in {', '.join(vuln['fix_versions'])}")
            else:
                outcome.unfixed.append(f"{line}, no fixed release yet")
    return outcome


def audit(requirement: Path, osv_url: str | None = None, required: bool = False) -> int:
    """Exit status: 0 clean (or not audited and not required), 1 a fixable vulnerability, 2 not audited."""
    outcomes = []
    with tempfile.TemporaryDirectory() as cache:
        for service in SERVICES if not osv_url else ("osv",):
            outcomes.append(_pip_audit(requirement, service, osv_url, Path(cache)))
            if _complete(outcomes[-1]):
                break
    return verdict(requirement, outcomes, required)


def _complete(outcome: Outcome) -> bool:
    return outcome.failure is None and outcome.audited > 0 and outcome.skipped == 0


def verdict(requirement: Path, outcomes: list[Outcome], required: bool) -> int:
    """What the services' answers add up to: a fixable vulnerability any of them found fails,
    even where it could not look every package up; only then does "not audited" count."""
    for line in sorted({line for outcome in outcomes for line in outcome.unfixed}):
        print(f"dependency audit: known vulnerability without a fix: {line}")
    fixable = sorted({line for outcome in outcomes for line in outcome.fixable})
    if fixable:
        print(f"dependency audit: {len(fixable)} known vulnerabilities with a fixed release in {requirement} "
              f"(move to it with `make lock`):")
        for line in fixable:
            print(f"  {line}")
        return 1
    complete = next((outcome for outcome in outcomes if _complete(outcome)), None)
    if complete is None:
        reasons = [f"{o.service}: {o.failure or f'{o.skipped} of {o.skipped + o.audited} packages could not be looked up'}"
                   for o in outcomes]
        print(f"dependency audit: NOT AUDITED, no vulnerability service answered for every package of {requirement} "
              f"({'; '.join(reasons)})")
        return NOT_AUDITED if required else 0
    print(f"dependency audit: {complete.audited} locked packages checked with {complete.service}, "
          f"no known vulnerability with a fix")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requirement", type=Path, default=Path("requirements/test.txt"))
    parser.add_argument("--osv-url", help="an OSV-compatible service in place of api.osv.dev")
    args = parser.parse_args(argv)
    return audit(args.requirement, args.osv_url, required=os.environ.get("CROSSCANAL_AUDIT_REQUIRED") == "1")


if __name__ == "__main__":
    sys.exit(main())
