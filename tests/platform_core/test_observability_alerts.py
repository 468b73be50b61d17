"""The alert rules in docker/prometheus/ are valid and each fires on a bad series and stays quiet on a
healthy one: `promtool test rules` (Debian's `prometheus` package, installed by .ci/run)."""

import shutil
import subprocess
from pathlib import Path

import yaml

PROMETHEUS_DIR = Path(__file__).resolve().parents[2] / "docker" / "prometheus"


def promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool is missing: apt-get install prometheus (.ci/run does)"
    return path


def test_promtool_unit_tests_of_the_alert_rules_pass():
    result = subprocess.run(
        [promtool(), "test", "rules", "alerts.test.yml"], cwd=PROMETHEUS_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_rule_has_a_firing_and_a_quiet_case():
    groups = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())["groups"]
    rules = {rule["alert"] for group in groups for rule in group["rules"]}
    tests = yaml.safe_load((PROMETHEUS_DIR / "alerts.test.yml").read_text())["tests"]
    firing = {case["alertname"] for test in tests for case in test["alert_rule_test"] if case["exp_alerts"]}
    quiet = {case["alertname"] for test in tests for case in test["alert_rule_test"] if not case["exp_alerts"]}
    # HostMemoryHigh's quiet case is host-2 in its firing test (only host-1 is expected to fire).
    assert firing == rules
    assert quiet | {"HostMemoryHigh"} == rules


def test_the_compose_prometheus_config_is_valid():
    # --syntax-only: the token file it names exists only in a deployment.
    checked = subprocess.run(
        [promtool(), "check", "config", "--syntax-only", "prometheus.yml"],
        cwd=PROMETHEUS_DIR,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
