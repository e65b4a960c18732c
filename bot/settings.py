"""Every environment setting of the project, read once at import (cheap: no I/O).

The README's configuration table documents each name below; keep both in step.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Transformers must not pull TensorFlow in for the PyTorch sentence encoder.
os.environ.setdefault("USE_TF", "0")


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _int(name: str, default: int) -> int:
    try:
        return int(_env(name, str(default)))
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer") from exc


# --- embeddings -----------------------------------------------------------------
DEFAULT_EMBEDDING_MODEL_DIR = PROJECT_ROOT / "models" / "embeddings" / "multilingual-e5-small"
#: a sentence-transformers model: a directory or a hub name
EMBEDDING_MODEL = _env("EMBEDDING_MODEL", str(DEFAULT_EMBEDDING_MODEL_DIR))
#: prompt names used with the model ("" disables a prompt)
EMBEDDING_QUERY_PROMPT = _env("EMBEDDING_QUERY_PROMPT", "query")
#: torch threads for the encoder in one process (0 = torch's default)
EMBEDDING_THREADS = _int("EMBEDDING_THREADS", 0)
EMBEDDING_BACKENDS = ("onnx", "torch")
#: what runs the encoder where nothing else says: "onnx" (ONNX Runtime, int8, EMBEDDING_ONNX_MODEL;
#: built by `make embeddings`) or "torch" (sentence-transformers, EMBEDDING_MODEL); the NLU
#: pipeline names its own in config.yml. EMBEDDING_THREADS applies to both
EMBEDDING_BACKEND = _env("EMBEDDING_BACKEND", "onnx").lower()
if EMBEDDING_BACKEND not in EMBEDDING_BACKENDS:
    raise ValueError("EMBEDDING_BACKEND must be onnx or torch")
DEFAULT_EMBEDDING_ONNX_DIR = PROJECT_ROOT / "models" / "embeddings" / "multilingual-e5-small-onnx-int8"
#: the ONNX encoder directory used when EMBEDDING_BACKEND=onnx (bot/embeddings/onnx_build.py)
EMBEDDING_ONNX_MODEL = _env("EMBEDDING_ONNX_MODEL", str(DEFAULT_EMBEDDING_ONNX_DIR))
#: where training keeps the examples' embeddings between trainings, so that a retraining encodes
#: only new examples (bot/embeddings/cache.py; "" turns it off)
EMBEDDING_TRAIN_CACHE = _env("EMBEDDING_TRAIN_CACHE", str(PROJECT_ROOT / "models" / "embeddings" / "cache"))

# --- storage ---------------------------------------------------------------------
RUN_DIR = Path(_env("RUN_DIR", str(PROJECT_ROOT / "run")))
#: SQLAlchemy URL shared by the handoff tables and Rasa's SQL tracker store
DATABASE_URL = _env("DATABASE_URL", f"sqlite:///{RUN_DIR / 'chatbot.db'}")
#: Redis URL for Rasa's lock store (several Rasa instances); empty = in-memory locks
REDIS_URL = _env("REDIS_URL", "")
#: seconds for every database / HTTP call the project makes
NETWORK_TIMEOUT = float(_env("NETWORK_TIMEOUT", "10"))
#: seconds a conversation's lock in the lock store lives: how long a conversation stays blocked
#: when a Rasa process dies holding it (Rasa's TICKET_LOCK_LIFETIME; Rasa's own default is 60)
LOCK_LIFETIME_SECONDS = _int("LOCK_LIFETIME_SECONDS", 20)

def _list(name: str) -> tuple:
    return tuple(item.strip() for item in _env(name, "").split(",") if item.strip())


# --- servers ---------------------------------------------------------------------
RASA_PORT = _int("RASA_PORT", 5005)
ACTIONS_PORT = _int("ACTIONS_PORT", 5055)
#: interfaces the private servers bind to; only the web app faces the internet
RASA_HOST = _env("RASA_HOST", "127.0.0.1")
ACTIONS_HOST = _env("ACTIONS_HOST", "127.0.0.1")
#: a JSON-lines file the Rasa server appends each message's time breakdown to (off when empty;
#: bot/channels/timing.py, used by `make bench`)
RASA_TIMING_FILE = _env("RASA_TIMING_FILE", "")
#: directory of generated secrets (0700; each file 0600) when the environment gives none
SECRETS_DIR = Path(_env("SECRETS_DIR", str(RUN_DIR / "secrets")))
# Secrets have no default value: each comes from its environment variable or, when that is
# empty, from a file in SECRETS_DIR generated on first use (bot/keys.py reads them lazily).
#: token of Rasa's HTTP API and REST channel
RASA_API_TOKEN_ENV = "RASA_API_TOKEN"
#: shared secret Rasa sends to the action server (``Authorization: Bearer …``)
ACTIONS_TOKEN_ENV = "ACTIONS_TOKEN"
#: key signing the citizens' conversation tokens
WEB_SECRET_ENV = "WEB_SECRET"
#: Fernet keys for callback phone numbers, comma-separated, newest first
DATA_KEYS_ENV = "DATA_KEYS"
#: the trained model Rasa serves
RASA_MODEL = _env("RASA_MODEL", str(PROJECT_ROOT / "models" / "current.tar.gz"))

# --- conversation ----------------------------------------------------------------
#: citizen messages longer than this are cut before the bot reads them
MAX_MESSAGE_CHARS = _int("MAX_MESSAGE_CHARS", 1000)
#: time zone of business hours and timestamps shown to people
TIMEZONE = _env("TIMEZONE", "Asia/Seoul")
#: agents' hours, HH:MM-HH:MM local time, every day (the call center works 365 days)
BUSINESS_HOURS = _env("BUSINESS_HOURS", "09:00-18:00")
#: hours on public holidays: HH:MM-HH:MM, "closed", or empty = same as BUSINESS_HOURS
HOLIDAY_HOURS = _env("HOLIDAY_HOURS", "")
#: public-holiday calendar of the `holidays` package (country code)
HOLIDAY_COUNTRY = _env("HOLIDAY_COUNTRY", "KR")

# --- web chat and agent console ---------------------------------------------------
WEB_PORT = _int("WEB_PORT", 8000)
#: interface of the web app (the one public server)
WEB_HOST = _env("WEB_HOST", "0.0.0.0")
#: peers (IP addresses of the reverse proxy) whose X-Forwarded-For / -Proto headers are believed
TRUSTED_PROXIES = _list("TRUSTED_PROXIES")
#: origins (https://www.example.go.kr) that may embed the chat widget, besides the chat's own
WEB_ALLOWED_ORIGINS = _list("WEB_ALLOWED_ORIGINS")
#: per client IP: open citizen sockets, citizen messages a minute, new conversations an hour
CITIZEN_SOCKETS_PER_IP = _int("CITIZEN_SOCKETS_PER_IP", 8)
CITIZEN_MESSAGES_PER_MINUTE = _int("CITIZEN_MESSAGES_PER_MINUTE", 30)
CITIZEN_CONVERSATIONS_PER_HOUR = _int("CITIZEN_CONVERSATIONS_PER_HOUR", 60)
#: minutes an out-of-hours callback request waits for a phone number before it lapses
CALLBACK_FORM_MINUTES = _int("CALLBACK_FORM_MINUTES", 30)
#: hours a callback request with a phone number waits for an agent before it expires (the citizen is told)
CALLBACK_EXPIRY_HOURS = _int("CALLBACK_EXPIRY_HOURS", 48)
#: where the web app reaches the Rasa server (REST channel + HTTP API)
RASA_URL = _env("RASA_URL", f"http://127.0.0.1:{RASA_PORT}")
#: always mark session cookies Secure (they are anyway on HTTPS seen through a trusted proxy)
WEB_SECURE_COOKIES = _env("WEB_SECURE_COOKIES", "false").lower() in ("1", "true", "yes")
WEB_SESSION_HOURS = _int("WEB_SESSION_HOURS", 12)
#: seconds an assigned chat waits for its agent to come back before returning to the queue
AGENT_DISCONNECT_TIMEOUT = _int("AGENT_DISCONNECT_TIMEOUT", 60)
#: seconds a queued chat waits for its citizen to come back before it is cancelled
CITIZEN_DISCONNECT_TIMEOUT = _int("CITIZEN_DISCONNECT_TIMEOUT", 300)
#: minutes one chat takes an agent on average, for the citizen's estimated wait
AVERAGE_HANDLING_MINUTES = _int("AVERAGE_HANDLING_MINUTES", 5)
#: 서비스레벨 of the studio dashboard: share of handoffs an agent took within this many seconds
SERVICE_LEVEL_SECONDS = _int("SERVICE_LEVEL_SECONDS", 20)

# --- content studio: publish (bot/studio/publish.py) ---------------------------------
#: model files kept under models/versions/ (the live one and the newest others; older ones are deleted)
STUDIO_KEEP_VERSIONS = _int("STUDIO_KEEP_VERSIONS", 5)
#: the gate blocks a publish whose held-out FAQ top-1 drops by more than this many points
STUDIO_GATE_MAX_TOP1_DROP = float(_env("STUDIO_GATE_MAX_TOP1_DROP", "1.0"))
#: loopback port of the candidate Rasa process (evaluation, then the stand-in during a swap)
STUDIO_CANDIDATE_PORT = _int("STUDIO_CANDIDATE_PORT", RASA_PORT + 2)
#: CPU threads of the candidate Rasa's encoder and TensorFlow: while it is judged the live Rasa,
#: which encodes every citizen message, keeps the other core(s) (0: the libraries' defaults)
STUDIO_CANDIDATE_THREADS = _int("STUDIO_CANDIDATE_THREADS", 1)
#: the Rasa config a publish trains with (a test or a quick trial may point at a smaller one)
STUDIO_TRAIN_CONFIG = Path(_env("STUDIO_TRAIN_CONFIG", str(PROJECT_ROOT / "config.yml")))
#: a publish first fine-tunes the live model for this share of the configured epochs (Rasa's
#: incremental training; refused when an entry is added or the config changed: then a full
#: training); 0 or 1: always train from scratch
STUDIO_FINETUNE_EPOCH_FRACTION = float(_env("STUDIO_FINETUNE_EPOCH_FRACTION", "0.05"))
#: the tree whose data files (data/, domain.yml) the studio edits and a publish or rollback writes
#: (a test's web app points it at a copy, so that a publish leaves the project's files alone)
STUDIO_DATA_ROOT = Path(_env("STUDIO_DATA_ROOT", str(PROJECT_ROOT)))
#: where published versions' model files are kept
STUDIO_MODELS_DIR = Path(_env("STUDIO_MODELS_DIR", str(PROJECT_ROOT / "models" / "versions")))
#: the gate blocks when the conversation tests' later turns answered right drop by more than this
#: many points (144 such turns: one is 0.7 points, so up to four may change)
STUDIO_GATE_MAX_DIALOGUE_DROP = float(_env("STUDIO_GATE_MAX_DIALOGUE_DROP", "3.0"))
#: seconds the model a publish or rollback replaced stays loaded in the main Rasa (which then gets
#: no traffic) so that going back to it is a switch of the route, not a model load; then the main
#: Rasa takes the new model over from the candidate (0: at once, as the command line does)
STUDIO_WARM_SECONDS = float(_env("STUDIO_WARM_SECONDS", "600"))

# --- content studio: review queue (bot/studio/clusters.py) ---------------------------
#: missed questions join one cluster while their mean e5 cosine similarity is at least this
#: (measured: paraphrases of one question ≥ 0.91 for 95 %, different questions ≤ 0.87 for 95 %)
REVIEW_CLUSTER_SIMILARITY = float(_env("REVIEW_CLUSTER_SIMILARITY", "0.9"))
