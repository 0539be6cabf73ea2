"""The shipped gunicorn configuration and the Stripe budget fit together: Stripe's deadline ends before the worker's."""

import os
import subprocess
import sys
from pathlib import Path

from tests.infra.test_security import manage

ROOT = Path(__file__).resolve().parents[3]


def gunicorn_config(**env):
    """gunicorn's effective settings from gunicorn.conf.py under `env`, as `make serve` would start it."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("GUNICORN_", "WEB_CONCURRENCY"))}
    result = subprocess.run(
        [str(gunicorn), "--print-config", "config.wsgi"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in lines}


def test_the_shipped_configuration_uses_threads_and_an_explicit_timeout():
    config = gunicorn_config()
    assert config["worker_class"] == "gthread"
    assert (config["workers"], config["threads"], config["timeout"]) == ("2", "4", "30")
    assert config["control_socket_disable"] == "True"


def test_the_environment_scales_it():
    config = gunicorn_config(GUNICORN_TIMEOUT="8", WEB_CONCURRENCY="3", GUNICORN_THREADS="6")
    assert (config["workers"], config["threads"], config["timeout"]) == ("3", "6", "8")


def test_production_refuses_a_stripe_budget_that_would_outlast_the_worker():
    result = manage("check", STRIPE_BUDGET_SECONDS="28", GUNICORN_TIMEOUT="30")
    assert result.returncode != 0
    assert "STRIPE_BUDGET_SECONDS must end at least 5 s before GUNICORN_TIMEOUT" in result.stderr
    assert manage("check", STRIPE_BUDGET_SECONDS="20", GUNICORN_TIMEOUT="30").returncode == 0
