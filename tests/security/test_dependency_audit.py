"""Dependency vulnerability scan (issue #10, 3.): pip-audit over the installed environment.

A known vulnerability fails the run unless deploy/audit-ignore.txt lists its id with a reason. When
the vulnerability database cannot be reached (no PyPI per-release JSON API, no OSV), pip-audit skips
every package and says "No known vulnerabilities found": that is not a pass, so this test reports
"vulnerability database unreachable" loudly, with the count of packages it could not audit.
"""
from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IGNORE = ROOT / "deploy" / "audit-ignore.txt"


def accepted() -> dict[str, str]:
    out = {}
    for line in IGNORE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            vuln, _, reason = line.partition(" ")
            assert reason.strip(), f"{vuln} in {IGNORE.name} needs a reason"
            out[vuln] = reason.strip()
    return out


def test_no_known_vulnerability_in_the_installed_packages_is_left_unexplained():
    ignored = accepted()
    run = subprocess.run([sys.executable, "-m", "pip_audit", "--local", "--format", "json", "--progress-spinner",
                          "off", "--timeout", "20"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.stdout.strip().startswith("{"), f"pip-audit did not report:\n{run.stderr[-3000:]}"
    report = json.loads(run.stdout)
    deps = report["dependencies"]
    found, skipped = [], []
    for dep in deps:
        if dep.get("skip_reason"):
            skipped.append(dep["name"])
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if not ids & set(ignored):
                found.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fix: {vuln.get('fix_versions')})")
    assert not found, "known vulnerabilities not explained in deploy/audit-ignore.txt:\n" + "\n".join(found)
    audited = len(deps) - len(skipped)
    print(f"\n[pip-audit] {audited} of {len(deps)} packages audited, {len(ignored)} accepted ids")
    if skipped:
        message = (f"VULNERABILITY DATABASE UNREACHABLE: pip-audit could not audit {len(skipped)} of {len(deps)} "
                   f"packages ({', '.join(skipped[:8])}...); no vulnerability check happened for them")
        print(message)
        warnings.warn(message, stacklevel=1)
