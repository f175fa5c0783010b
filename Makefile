# Two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BROWSER := tests/browser
NODE_STAMP := $(BROWSER)/node_modules/.installed

.PHONY: install test lint unit browser-test demo bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# The browser test's npm packages, from the committed package-lock.json: RJSF with React and esbuild (which bundles
# them at test time), JSON Editor and playwright-core (it drives Debian's Chromium; no browser is downloaded).
# Without npm the browser test fails and says what to install.
$(NODE_STAMP): $(BROWSER)/package.json $(BROWSER)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(BROWSER) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm is missing: the browser test will fail until Node.js and npm are installed (bash .ci/run does it)."; fi

install: $(STAMP) $(NODE_STAMP)

lint: $(STAMP)
	$(BIN)/flake8 --config=flake8.cfg src tests scripts
	$(BIN)/hadolint Dockerfile

# loadgroup: the browser tests share one worker, so every form is drawn once.
unit: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The configuration form in headless Chromium alone (RJSF and JSON Editor); screenshots in test-artifacts/form/.
browser-test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest tests/browser

test: lint unit

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) demo-data .bench test-artifacts $(BROWSER)/node_modules
