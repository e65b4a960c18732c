# 안산시 민원상담 챗봇 — the two commands a fresh machine needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.10
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
EMBEDDINGS := models/embeddings/multilingual-e5-small/build_info.json
SPACY_MODEL := models/spacy/ko_ansan/meta.json
# Optional: a PyTorch CPU wheel index (see README) to avoid the multi-GB CUDA build.
TORCH_INDEX_URL ?=
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: install run test data train embeddings spacy-model evaluate calibrate bench bench-embeddings \
        soak system-packages clean help publish rollback

help:
	@echo "make run    — install what is missing, train if needed, start the bot (chat: http://localhost:8000/chat)"
	@echo "make test   — install what is missing and run every test"
	@echo "other: install embeddings spacy-model data train evaluate calibrate bench bench-embeddings soak clean"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 10), sys.version' \
	  || { echo "Python 3.10 is required: install it, or set PYTHON=/path/to/python3.10"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=23,<25" "wheel<0.46"  # newer wheel wants packaging>=24, Rasa <21
	if [ -n "$(TORCH_INDEX_URL)" ]; then $(BIN)/pip install torch --index-url "$(TORCH_INDEX_URL)"; fi
	$(BIN)/pip install -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) embeddings spacy-model

embeddings: $(STAMP)
	$(PY) -m bot.embeddings.build
	$(PY) -m bot.embeddings.onnx_build  # int8 ONNX Runtime encoder for EMBEDDING_BACKEND=onnx

spacy-model: $(STAMP)
	$(PY) -m bot.korean.spacy_pipeline

# Regenerate the Rasa files derived from data/faq (NLU examples, FAQ rule, domain intents).
data: $(STAMP)
	$(PY) -m bot.faq.sync

# retrain when the training data, or the code that shapes it or the NLU components, change
models/.trained: $(STAMP) config.yml domain.yml $(shell find data -name '*.yml' ! -name answer_policy.yml 2>/dev/null) \
                 bot/faq/sync.py bot/korean/noise.py $(wildcard bot/nlu/*.py)
	$(MAKE) data embeddings spacy-model
	$(BIN)/rasa train --fixed-model-name current --out models --force --quiet
	touch $@

train: models/.trained

run: install models/.trained
	$(PY) -m bot.run

# Debian's chromium (driven by Playwright in the browser tests) and a Korean font.
system-packages:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk; \
	fi

test: install models/.trained system-packages
	$(PY) -m pytest

evaluate: install models/.trained
	$(PY) scripts/evaluate.py

calibrate: install models/.trained
	$(PY) scripts/calibrate.py

bench: install models/.trained
	$(PY) scripts/bench.py --write docs/benchmarks.md
	$(PY) scripts/bench_breakdown.py --write docs/benchmarks.md

bench-embeddings: install
	$(PY) scripts/bench_embeddings.py --write docs/benchmarks.md
	$(PY) scripts/bench_embedding_backends.py --write docs/benchmarks.md  # torch vs ONNX int8

# Not part of `make test`: ~10 minutes of Locust load on PostgreSQL with faults (docs/benchmarks.md).
SOAK_STAMP := $(VENV)/.installed-soak
$(SOAK_STAMP): $(STAMP)
	$(BIN)/pip install -e ".[dev,soak]"
	touch $@

soak: install models/.trained $(SOAK_STAMP)
	$(PY) scripts/soak.py

# Content studio from the command line (the bot must be running: `make run`), docs in README "Content".
publish: $(STAMP)
	$(PY) -m bot.studio.cli publish --summary "$(SUMMARY)"

rollback: $(STAMP)
	@test -n "$(VERSION)" || { echo "usage: make rollback VERSION=<id>  (ids: $(PY) -m bot.studio.cli versions)"; exit 2; }
	$(PY) -m bot.studio.cli rollback $(VERSION)

clean:
	rm -rf models/*.tar.gz models/.trained reports/tmp .pytest_cache
