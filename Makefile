# Backpropagation from Scratch: every command sets up .venv first if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUBMISSIONS ?= submissions
# JupyterLab refuses to run as root unless told; containers often run as root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab test test-fast lint exercises solutions grade bench clean release

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

lab: setup
	$(BIN)/jupyter lab $(LAB_ARGS) --LabApp.default_url=/lab/tree/chapters/00_start_here.ipynb

# The README's test command: the fast tests and every notebook on 2 workers,
# then the browser tests in headless Chromium.
test: setup
	$(BIN)/pytest -m "not browser" -n 2 --dist loadfile
	$(BIN)/pytest -m browser tests/browser

test-fast: setup
	$(BIN)/pytest -m "not browser" -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check mlp_lib tests benchmarks

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
	rm -rf $(VENV) .pytest_cache test-artifacts gradebook.csv
