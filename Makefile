# Backpropagation from Scratch: every command sets up .venv first if needed.
# Learners need only `make lab` (requirements.txt). Developers' targets install
# requirements-dev.txt with CI's exact pins from constraints/.
# Windows: the README gives the same steps without make.
VENV   ?= .venv
ifeq ($(OS),Windows_NT)
PYTHON ?= py
BIN    := $(VENV)/Scripts
EXE    := .exe
else
PYTHON ?= python3
BIN    := $(VENV)/bin
EXE    :=
endif
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
SUBMISSIONS ?= submissions
# Asked of Python, not of the shell, so that the same line works everywhere.
PYVER := $(shell $(PYTHON) -c "import sys; print('%d.%d' % sys.version_info[:2])")
# JupyterLab refuses to run as root unless told; containers often run as root.
LAB_ARGS ?= $(shell $(PYTHON) -c "import os; print('--allow-root' if getattr(os, 'geteuid', lambda: 1)() == 0 else '')")
CONSTRAINTS ?= constraints/$(if $(filter 3.10,$(PYVER)),py3.10.txt,py3.11-3.13.txt)
TOUCH = $(BIN)/python -c "import sys; [open(f, 'w').close() for f in sys.argv[1:]]"
# Creates .venv unless it already has a Python.
MAKE_VENV = $(PYTHON) -c "import os, sys, venv; os.path.exists(sys.argv[1]) or venv.create(sys.argv[2], with_pip=True)" $(BIN)/python$(EXE) $(VENV)

.PHONY: setup setup-dev lab test test-fast lint site exercises solutions grade bench clean release

$(STAMP): requirements.txt pyproject.toml
	$(MAKE_VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	$(TOUCH) $(STAMP)

# requirements-dev.txt includes requirements.txt, so this set-up serves `make lab` too.
$(DEV_STAMP): requirements.txt requirements-dev.txt pyproject.toml $(CONSTRAINTS)
	$(MAKE_VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements-dev.txt -c $(CONSTRAINTS)
	$(TOUCH) $(STAMP) $(DEV_STAMP)

setup: $(STAMP)

setup-dev: $(DEV_STAMP)

lab: setup
	$(BIN)/jupyter lab $(LAB_ARGS) --LabApp.default_url=/lab/tree/chapters/00_start_here.ipynb

# The README's test command: every test, CI's pins. First the fast tests and
# every notebook on 2 workers, then the browser tests in headless Chromium.
test: setup-dev
	$(BIN)/pytest -m "not browser" -n 2 --dist loadfile
	$(BIN)/pytest -m browser tests/browser

# A quick loop while developing: no browser, no test that starts kernels or builds venvs.
test-fast: setup-dev
	$(BIN)/pytest -m "not browser and not slow" -n 2 --dist loadfile

lint: setup-dev
	$(BIN)/ruff check mlp_lib tests benchmarks

# Every chapter executed and rendered to static HTML under site/ (open site/index.html).
site: setup
	$(BIN)/python -m mlp_lib.site site

exercises: setup
	$(BIN)/python -m mlp_lib.make_exercises solutions exercises

solutions: setup
	$(BIN)/python -m mlp_lib.grade solutions --require-full-marks

grade: setup
	$(BIN)/python -m mlp_lib.grade $(SUBMISSIONS) --csv gradebook.csv

# The class edition (no solutions, no reference code): make release DEST=folder
release: setup
	$(BIN)/python -m mlp_lib.release $(DEST)

bench: setup
	$(BIN)/python -m pip install -r benchmarks/requirements.txt
	# numpy's own BLAS kernel for the timing run only (see benchmarks/README.md)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python benchmarks/train_speed.py
	$(BIN)/python benchmarks/course_times.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts gradebook.csv site
