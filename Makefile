# Broadsheet: `make run` to try it, `make test` to check it. Both set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DATA_DIR ?= $(CURDIR)/data

.PHONY: run test check lint typecheck test-fast browser-deps gettext-deps messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(wildcard src/broadsheet/locale/*/LC_MESSAGES/*.po) | $(BIN)/python gettext-deps
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# Translations are compiled on install (decision 0106): `make run` serves them as they are.
	cd src/broadsheet && ../../$(BIN)/broadsheet compilemessages -v 0
	touch $(STAMP)

# GNU gettext (msgfmt, xgettext) compiles and extracts the translations.
gettext-deps:
	@command -v msgfmt >/dev/null 2>&1 && command -v xgettext >/dev/null 2>&1 || { \
	  echo "Installing gettext for the translations (apt-get)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gettext >/dev/null; }

# Extract every translatable string into src/broadsheet/locale/<lang>/LC_MESSAGES/: django.po
# (Python and templates) and djangojs.po (scripts). Then translate, and `make` compiles them.
messages: $(STAMP)
	cd src/broadsheet && ../../$(BIN)/broadsheet makemessages -a --no-obsolete -v 1
	cd src/broadsheet && ../../$(BIN)/broadsheet makemessages -a --no-obsolete -d djangojs -v 1
	cd src/broadsheet && ../../$(BIN)/broadsheet compilemessages -v 0

run: $(STAMP)
	$(BIN)/broadsheet migrate --noinput
	$(BIN)/broadsheet demo --if-empty
	@echo
	@echo "  Site:  http://127.0.0.1:$${PORT:-8000}/"
	@echo "  Admin: http://127.0.0.1:$${PORT:-8000}/admin/  user 'admin', password in $(DATA_DIR)/admin-password.txt"
	@if [ -f "$(DATA_DIR)/admin-password.txt" ]; then echo "         (password: $$(cat $(DATA_DIR)/admin-password.txt))"; fi
	@echo
	@# The task worker runs beside the server and stops with it.
	$(BIN)/broadsheet worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(BIN)/broadsheet serve

# Debian's Chromium drives the browser tests; Playwright's own browser download is not used.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium for the browser tests (apt-get)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@# nginx runs the documented proxy_cache configuration in tests/test_nginx.py.
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null 2>&1 || { \
	  echo "Installing nginx for the proxy test (apt-get)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light >/dev/null; }
	@# systemd-analyze checks the units `broadsheet service-files` writes (tests/operations).
	@command -v systemd-analyze >/dev/null 2>&1 || { \
	  echo "Installing systemd for the service-file test (apt-get)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq systemd >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src

check: lint typecheck

test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not browser"

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
