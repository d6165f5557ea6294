"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium.

The server serves a scratch copy of chapters/ and exercises/ (the kernels import
this checkout's mlp_lib: PYTHONPATH points at it) on
127.0.0.1, on a free port, with a random token and its own config, settings,
workspaces and runtime folders, so nothing a developer set up changes what
the tests see. The news and update pop-ups are switched off there.

Chromium is Debian's (/usr/bin/chromium) driven by Playwright for Python;
Playwright's own browser download is not used. Without it the tests skip.

Screenshots go to test-artifacts/browser/ at the top of the repo.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import lab

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MLP_CHROMIUM") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts" / "browser"
SERVER_START_TIMEOUT = 90

# Written into the server's own user-settings folder.
USER_SETTINGS = {
    # No news feed, no update check, and so no "Would you like to receive
    # official Jupyter news?" toast.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Keep every cell in the page (no virtual scrolling), so the tests see
    # every prompt, output and widget, and a tall screenshot shows them all.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "scrollPastEnd": False,
    },
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A running JupyterLab: ``url(path)`` gives an address with the token."""

    def __init__(self, root, port, token, log_path):
        self.root = root
        self.port = port
        self.token = token
        self.log_path = log_path
        self.base = f"http://127.0.0.1:{port}"
        self.proc = None

    def url(self, path):
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def api(self, method, path, timeout=10):
        req = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"

    def shutdown_kernels(self):
        """End every kernel session, so kernels do not pile up between tests.

        The server waits for each kernel to stop; that happens in the
        background while the next test starts (the server stops any kernel
        still running when it shuts down).
        """

        def shut():
            try:
                for session in self.api("GET", "api/sessions"):
                    self.api("DELETE", f"api/sessions/{session['id']}", timeout=30)
            except (urllib.error.URLError, OSError):
                pass

        threading.Thread(target=shut, daemon=True).start()


def _start_server(root, scratch, pythonpath=None):
    """JupyterLab on ``root``; its kernels import mlp_lib from ``pythonpath`` (default: this checkout)."""
    port = _free_port()
    token = secrets.token_hex(24)
    config_dir = scratch / "config"
    settings_dir = config_dir / "lab" / "user-settings"
    workspaces_dir = config_dir / "lab" / "workspaces"
    runtime_dir = scratch / "runtime"
    for rel, values in USER_SETTINGS.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    workspaces_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir.mkdir(parents=True, exist_ok=True)

    env = dict(os.environ)
    # Config and runtime are private to this server; the data path (where
    # the widget manager and Notebook 7 front ends live) stays the venv's.
    env["JUPYTER_CONFIG_DIR"] = str(config_dir)
    env["JUPYTER_RUNTIME_DIR"] = str(runtime_dir)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.pop("JUPYTER_TOKEN", None)
    # The kernels import this checkout's mlp_lib, installed editable or not; or only the one given.
    env["PYTHONPATH"] = str(pythonpath) if pythonpath else os.pathsep.join(
        filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # Kernels: one BLAS thread each, like the rest of the test suite on 2 cores.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")

    cmd = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        f"--LabApp.user_settings_dir={settings_dir}",
        f"--LabApp.workspaces_dir={workspaces_dir}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # window.jupyterapp: the tests read cell models (execution counts,
        # error outputs, tags) from it; they still click and type like a learner.
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        f"--JupyterNotebookApp.user_settings_dir={settings_dir}",
        f"--JupyterNotebookApp.workspaces_dir={workspaces_dir}",
    ]
    log_path = scratch / "jupyter-lab.log"
    server = LabServer(root, port, token, log_path)
    log = open(log_path, "w")
    server.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    log.close()

    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if server.proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with status {server.proc.returncode}:\n"
                               f"{server.log_tail()}")
        try:
            status = server.api("GET", "api/status", timeout=2)
            if status is not None and "started" in status:
                return server
        except (urllib.error.URLError, OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            _stop_server(server)
            raise RuntimeError(f"jupyter lab not ready after {SERVER_START_TIMEOUT} s:\n"
                               f"{server.log_tail()}")
        time.sleep(0.25)


def _stop_server(server):
    proc = server.proc
    if proc is None or proc.poll() is not None:
        return
    try:
        server.api("POST", "api/shutdown", timeout=5)
    except (urllib.error.URLError, OSError):
        proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def chromium_path():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Chromium not found at {CHROMIUM}: the browser tests need it. Install it with "
                    "`sudo apt-get install -y chromium` (Debian/Ubuntu); `.ci/run` does this.")
    return CHROMIUM


@pytest.fixture(scope="session")
def course_dir(tmp_path_factory):
    """A scratch copy of the course: chapters/ and exercises/ as they are now.

    Kernels started from it import mlp_lib from this checkout (PYTHONPATH).
    """
    root = tmp_path_factory.mktemp("course")
    source = lab.course_source()
    for name in ("chapters", "exercises"):
        if (source / name).is_dir():
            shutil.copytree(source / name, root / name,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return root


@pytest.fixture(scope="session")
def lab_server(course_dir, chromium_path, tmp_path_factory):
    server = _start_server(course_dir, tmp_path_factory.mktemp("jupyter"))
    yield server
    _stop_server(server)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts():
    """test-artifacts/browser/, emptied of the pictures of an earlier run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture
def page(browser, lab_server):
    """A fresh browser context and page per test; its kernels are shut down after it."""
    context = browser.new_context(viewport={"width": lab.VIEWPORT_WIDTH, "height": lab.VIEWPORT_HEIGHT},
                                  device_scale_factor=1)
    context.set_default_timeout(60_000)
    pg = context.new_page()
    pg.page_errors = []
    pg.on("pageerror", lambda exc: pg.page_errors.append(str(exc)))
    yield pg
    context.close()
    lab_server.shutdown_kernels()
