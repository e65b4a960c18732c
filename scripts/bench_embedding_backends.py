"""Compare the encoder backends (torch vs ONNX int8): speed, memory, fidelity, Korean quality.

    make bench-embeddings   # runs scripts/bench_embeddings.py, then this script:
    python scripts/bench_embedding_backends.py --write docs/benchmarks.md

Each backend runs in a fresh process with ``EMBEDDING_BACKEND`` set and calls
``encode_queries`` as the bot does: load time, RSS after a warm-up and at peak, single-query
latency p50/p95 over 200 citizen messages (tests/data/heldout.yml, one message per call, as
the NLU pipeline encodes them), throughput on 1,000 paraKQC sentences. Fidelity is the cosine
of the ONNX vectors to the torch ones on the same messages and on tests/data/embedding_sentences.txt.
KorSTS and paraKQC come from ``scripts/bench_embeddings.py`` itself (its quality child, run once
per backend), so both backends are scored by exactly the same code as the table above them.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Dict, List

import numpy as np

from bot import settings
from harness import write_section  # scripts/harness.py: the benchmarks' shared markdown writer

ROOT = settings.PROJECT_ROOT
DEFAULT_DATA = ROOT.parent / "shared" / "data"
BENCH_SCRIPT = ROOT / "scripts" / "bench_embeddings.py"
SECTION = "bench-embeddings-onnx"
HEADING = "ONNX int8 encoder"


def chat_messages(count: int = 200) -> List[str]:
    """Citizen messages from the held-out set, spread over its topics."""
    import yaml

    items = yaml.safe_load((ROOT / "tests" / "data" / "heldout.yml").read_text(encoding="utf-8"))["items"]
    texts = [item["text"] for item in items]
    step = max(1, len(texts) // count)
    return texts[::step][:count]


def fidelity_sentences() -> List[str]:
    lines = (ROOT / "tests" / "data" / "embedding_sentences.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _rss_mb() -> float:
    match = re.search(r"VmRSS:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


def child(data: Path, vectors_out: Path) -> Dict[str, float]:
    """In a fresh process whose EMBEDDING_BACKEND is set: the numbers of that backend."""
    from bot.embeddings.model import encode_queries

    messages = chat_messages()
    start = time.perf_counter()
    encode_queries(messages[:1])  # loads the model
    load_s = time.perf_counter() - start
    for text in messages[:10]:
        encode_queries([text])
    latencies = []
    for text in messages:
        start = time.perf_counter()
        encode_queries([text])
        latencies.append((time.perf_counter() - start) * 1000)
    rss_warm = _rss_mb()
    parakqc = data / "parakqc" / "paraKQC_v1.txt"
    bulk = [line.split("\t")[2].strip() for line in parakqc.read_text(encoding="utf-8").splitlines()
            if line.count("\t") >= 2][:1000] if parakqc.exists() else (messages * 5)[:1000]
    start = time.perf_counter()
    encode_queries(bulk)
    throughput = len(bulk) / (time.perf_counter() - start)
    np.save(vectors_out, encode_queries(messages + fidelity_sentences()))
    return {"load_s": load_s, "p50_ms": statistics.median(latencies), "p95_ms": float(np.percentile(latencies, 95)),
            "throughput": throughput, "rss_warm_mb": rss_warm,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run(args: List[str], backend: str) -> Dict:
    env = {**os.environ, "EMBEDDING_BACKEND": backend}
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(f"{' '.join(args)} ({backend}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def report(data: Path, work: Path, quality: bool = True) -> str:
    speed, load_average = {}, os.getloadavg()[0]
    for backend in ("torch", "onnx"):
        speed[backend] = _run([__file__, "--child",
                               "--data-dir", str(data), "--vectors", str(work / f"{backend}.npy")], backend)
    torch_vectors, onnx_vectors = np.load(work / "torch.npy"), np.load(work / "onnx.npy")
    cosine = np.sum(torch_vectors * onnx_vectors, axis=1)
    st_dir, onnx_dir = Path(settings.EMBEDDING_MODEL), Path(settings.EMBEDDING_ONNX_MODEL)
    t, o = speed["torch"], speed["onnx"]
    lines = [
        f"Measured {date.today()} on {len(os.sched_getaffinity(0))} CPU cores, load average {load_average:.1f} at "
        "the start (`make bench-embeddings`; `python scripts/bench_embedding_backends.py`). Each backend in a fresh process, "
        "through `encode_queries` as the bot calls it; latency = one citizen message per call, 200 messages of "
        "tests/data/heldout.yml.", "",
        "| | torch (sentence-transformers, fp32) | ONNX Runtime, int8 dynamic |",
        "|---|---|---|",
        f"| single query p50 / p95 (ms) | {t['p50_ms']:.1f} / {t['p95_ms']:.1f} | {o['p50_ms']:.1f} / {o['p95_ms']:.1f} |",
        f"| throughput, 1,000 paraKQC sentences (sent/s) | {t['throughput']:.0f} | {o['throughput']:.0f} "
        "(one text per run) |",
        f"| model load (s) | {t['load_s']:.1f} | {o['load_s']:.1f} |",
        f"| process RSS after warm-up / peak (MB) | {t['rss_warm_mb']:.0f} / {t['peak_rss_mb']:.0f} "
        f"| {o['rss_warm_mb']:.0f} / {o['peak_rss_mb']:.0f} |",
        f"| model on disk (MB) | {_size_mb(st_dir / 'model.safetensors'):.0f} (safetensors) "
        f"| {_size_mb(onnx_dir / 'model_int8.onnx'):.0f} (model_int8.onnx) |",
        f"| cosine to torch, {len(cosine)} inputs: mean / min | reference | {cosine.mean():.4f} / {cosine.min():.4f} |",
    ]
    if quality and (data / "korsts").exists() and (data / "parakqc").exists():
        q = {b: _run([str(BENCH_SCRIPT), "--child", "st", "--what", "quality", "--data-dir", str(data)], b)
             for b in ("torch", "onnx")}
        lines += [
            f"| KorSTS test Spearman ×100 | {q['torch']['korsts']:.1f} | {q['onnx']['korsts']:.1f} |",
            f"| paraKQC top-1 / MRR | {q['torch']['top1']:.3f} / {q['torch']['mrr']:.3f} "
            f"| {q['onnx']['top1']:.3f} / {q['onnx']['mrr']:.3f} |",
        ]
    elif quality:
        lines.append(f"(KorSTS / paraKQC skipped: no data under {data})")
    return "\n".join(lines)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--write", type=Path, help="update this markdown file's section")
    parser.add_argument("--no-quality", action="store_true", help="skip KorSTS / paraKQC (the slow part)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--vectors", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.data_dir, args.vectors)))
        return 0
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        table = report(args.data_dir, Path(tmp), quality=not args.no_quality)
    print(table)
    if args.write:
        write_section(args.write, SECTION, table, HEADING)
        print(f"\nwritten to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
