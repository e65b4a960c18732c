"""End-to-end evaluation on the held-out set, ours next to the stock `rasa init` pipeline.

    make evaluate        # = python scripts/evaluate.py

Each held-out phrasing (tests/data/heldout.yml, never used for training) and the
noisy, dialect, dialogue and off-topic sets (scripts/eval_sets.py) are sent over
REST to the running servers; the outcome is read from the tracker. Writes
reports/evaluation.md, reports/evaluation.json and reports/confusion.png.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from datetime import date
from pathlib import Path
from typing import Dict, List

import numpy as np
import requests
import yaml

from eval_sets import dialogue_numbers, faq_numbers, label, load_sets, offtopic_numbers, sets_table
from harness import ROOT, send, start, tracker, train, write_section

from bot.faq.base import load_faq_base
from bot.faq.render import staff_checklist

REPORTS = ROOT / "reports"
CHITCHAT = {"utter_greet": "greet", "utter_thanks": "thanks", "utter_goodbye": "goodbye",
            "utter_bot_challenge": "bot_challenge"}


def outcome(state: Dict) -> Dict:
    """What the bot did with the last message, read from its tracker."""
    slots = state["slots"]
    if slots.get("handoff_ticket"):
        return {"kind": "handoff"}
    kind = slots.get("faq_outcome")
    if kind == "answer":
        return {"kind": "answer", "faq_id": slots.get("faq_id")}
    if kind == "clarify":
        bots = [e for e in state["events"] if e["event"] == "bot"]
        buttons = (bots[-1].get("data") or {}).get("buttons") or [] if bots else []
        return {"kind": "clarify", "choices": [b["payload"][len("/faq_"):] for b in buttons
                                               if b["payload"].startswith("/faq_")]}
    if kind in ("offer_human", "unsure", "out_of_scope", "small_talk"):
        return {"kind": kind}
    actions = [e["name"] for e in state["events"] if e["event"] == "action"
               and e["name"] not in ("action_listen", "action_session_start")]
    last = actions[-1] if actions else "none"
    return {"kind": CHITCHAT.get(last, f"other:{last}")}


def is_right(result: Dict) -> bool:
    """The bot did what the item expects (a request for a person expects a handoff)."""
    if result["expect"] == "out_of_scope" and result["kind"] == "small_talk":
        return True
    return label(result) == ("handoff" if result["expect"] == "request_human" else result["expect"])


def run_pipeline(name: str, sets: Dict[str, List], port: int) -> Dict[str, List[Dict]]:
    """Every set through pipeline ``name``: one conversation per item or per dialogue."""
    servers = start(name, port, port + 50)
    try:
        servers.wait_ready(timeout=900)
        session = requests.Session()
        send(servers, f"warmup-{name}", "안녕하세요", session)

        def ask(sender: str, item: Dict) -> Dict:
            _, ms = send(servers, sender, item["text"], session)
            return {**item, **outcome(tracker(servers, sender, session)), "ms": ms}

        results = {set_name: [ask(f"eval-{name}-{set_name}-{i}", item) for i, item in enumerate(items)]
                   for set_name, items in sets.items() if set_name != "dialogues"}
        results["dialogues"] = [ask(f"eval-{name}-dialogue-{d}", {**turn, "dialogue": d, "turn": t})
                                for d, dialogue in enumerate(sets.get("dialogues", []))
                                for t, turn in enumerate(dialogue["turns"])]
        return results
    finally:
        servers.stop()


def metrics(results: List[Dict], faq_ids: set) -> Dict[str, float]:
    faq = [r for r in results if r["expect"] in faq_ids]
    humans = [r for r in results if r["expect"] == "request_human"]
    handoffs = [r for r in results if r["kind"] == "handoff"]
    oos_said = [r for r in results if r["kind"] in ("out_of_scope", "small_talk")]
    oos = [r for r in results if r["expect"] == "out_of_scope"]
    chit = [r for r in results if r["expect"] in ("greet", "thanks", "goodbye")]
    ms = [r["ms"] for r in results]
    ratio = lambda a, b: (a / b) if b else float("nan")  # noqa: E731
    return {
        **faq_numbers(results, faq_ids),
        "clarification_rate": ratio(sum(r["kind"] == "clarify" for r in faq), len(faq)),
        "clarification_contains_answer": ratio(
            sum(r["expect"] in r.get("choices", []) for r in faq if r["kind"] == "clarify"),
            sum(r["kind"] == "clarify" for r in faq)),
        "handoff_recall": ratio(sum(r["kind"] == "handoff" for r in humans), len(humans)),
        "handoff_precision": ratio(sum(r["expect"] == "request_human" for r in handoffs), len(handoffs)),
        "oos_precision": ratio(sum(r["expect"] == "out_of_scope" for r in oos_said), len(oos_said)),
        # chit-chat among the off-topic items is rightly answered as small talk
        "oos_recall": ratio(sum(r["kind"] in ("out_of_scope", "small_talk") for r in oos), len(oos)),
        "chitchat_accuracy": ratio(sum(r["kind"] == r["expect"] for r in chit), len(chit)),
        "latency_p50_ms": statistics.median(ms),
        "latency_p95_ms": float(np.percentile(ms, 95)),
    }


def confusion_png(runs: Dict[str, List[Dict]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    base = load_faq_base()
    category = {e.id: e.category for e in base.entries}
    rows = list(dict.fromkeys(category.values())) + ["request_human", "out_of_scope", "chitchat"]
    cols = rows[:-3] + ["clarify", "unsure", "offer_human", "handoff", "out_of_scope", "chitchat", "other"]

    def row_of(r):
        e = r["expect"]
        return category.get(e) or ("chitchat" if e in ("greet", "thanks", "goodbye") else e)

    def col_of(r):
        if r["kind"] == "answer":
            return category.get(r["faq_id"], "other")
        if r["kind"] in ("greet", "thanks", "goodbye", "bot_challenge", "small_talk"):
            return "chitchat"
        return r["kind"] if r["kind"] in cols else "other"

    fig, axes = plt.subplots(1, len(runs), figsize=(8 * len(runs), 7))
    for ax, (name, results) in zip(np.atleast_1d(axes), runs.items()):
        matrix = np.zeros((len(rows), len(cols)))
        for r in results:
            matrix[rows.index(row_of(r)), cols.index(col_of(r))] += 1
        shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(cols)), cols, rotation=60, ha="right")
        ax.set_yticks(range(len(rows)), rows)
        ax.set_xlabel("what the bot did (FAQ answers grouped by category)")
        ax.set_ylabel("held-out label")
        ax.set_title(f"{name}: share of each row")
        for i in range(len(rows)):
            for j in range(len(cols)):
                if matrix[i, j]:
                    ax.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=7,
                            color="white" if shares[i, j] > 0.6 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def summary_table(summary: Dict[str, Dict[str, float]]) -> List[str]:
    names = list(summary)
    rows = [
        ("FAQ top-1 accuracy (answered with the right entry)", "faq_top1", "{:.3f}"),
        ("answered with a wrong entry", "faq_wrong_answer", "{:.3f}"),
        ("clarification rate (FAQ items)", "clarification_rate", "{:.3f}"),
        ("… clarification offered the right entry", "clarification_contains_answer", "{:.3f}"),
        ("right entry answered or offered", "resolved_or_clarified", "{:.3f}"),
        ("handoff recall (asked for a person → ticket)", "handoff_recall", "{:.3f}"),
        ("handoff precision", "handoff_precision", "{:.3f}"),
        ("out-of-scope precision (declined or small talk)", "oos_precision", "{:.3f}"),
        ("out-of-scope recall (declined or small talk)", "oos_recall", "{:.3f}"),
        ("greet / thanks / goodbye accuracy", "chitchat_accuracy", "{:.3f}"),
        ("REST latency p50 (ms)", "latency_p50_ms", "{:.0f}"),
        ("REST latency p95 (ms)", "latency_p95_ms", "{:.0f}"),
    ]
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for title, key, fmt in rows:
        lines.append(f"| {title} | " + " | ".join(fmt.format(summary[n][key]) for n in names) + " |")
    if "stock" in summary and "ours" in summary:
        gain = 100 * (summary["ours"]["faq_top1"] - summary["stock"]["faq_top1"])
        lines += ["", f"FAQ top-1: ours is {gain:+.1f} points against the stock `rasa init` pipeline."]
    return lines


def markdown(summary: Dict[str, Dict[str, float]], n_items: int, misses: List[Dict],
             other_misses: List[Dict], sets: List[str], checklist: List[str]) -> str:
    lines = ["# Evaluation on the held-out sets", "",
             f"{n_items} held-out citizen phrasings (`tests/data/heldout.yml`, not used in training) and "
             "the noisy, dialect, dialogue and off-topic sets (`scripts/eval_sets.py`), each sent over "
             "REST to the running Rasa + action servers. "
             f"Measured {date.today()}; reproduce with `make evaluate`.", ""] + sets + [
             "", "## The clean set in detail", ""] + summary_table(summary)
    lines += ["", "![confusion](confusion.png)", "", "## Our misses (FAQ items)", "",
              "| text | expected | bot |", "|---|---|---|"]
    for r in misses:
        bot = label(r) + (f" {r['choices']}" if r["kind"] == "clarify" else "")
        lines.append(f"| {r['text'].replace('|', '/')} | {r['expect']} | {bot} |")
    if other_misses:
        lines += ["", "## Our misses (other items)", "",
                  "`unsure`: the bot said it was unsure, named the topics it covers and showed the topic menu "
                  "(a person is offered, `offer_human`, when it is unsure twice running).",
                  "", "| text | expected | bot |", "|---|---|---|"]
        lines += [f"| {r['text'].replace('|', '/')} | {r['expect']} | {label(r)} |" for r in other_misses]
    if checklist:
        lines += ["", "## City facts staff have not verified", "",
                  "Citizens do not see these; the sentences holding them are left out of the answers listed.", ""]
        lines += [f"- `{line.split(':')[0]}`: {line.split(':', 1)[1].strip()}" for line in checklist]
    return "\n".join(lines) + "\n"


def set_numbers(results: Dict[str, List[Dict]], faq_ids: set) -> Dict[str, Dict[str, float]]:
    return {"clean": faq_numbers(results["clean"], faq_ids), "noisy": faq_numbers(results["noisy"], faq_ids),
            "dialect": faq_numbers(results["dialect"], faq_ids),
            "dialogues": dialogue_numbers(results["dialogues"]), "offtopic": offtopic_numbers(results["offtopic"])}


def main() -> int:
    parser = argparse.ArgumentParser(description="Held-out evaluation, ours vs stock.")
    parser.add_argument("--only", choices=["ours", "stock"], help="evaluate one pipeline")
    parser.add_argument("--reuse-stock", action="store_true",
                        help="take the stock pipeline's results from the last run's reports/evaluation-stock-sets.json "
                             "(valid while the training data and the sets are unchanged) instead of retraining it")
    args = parser.parse_args()
    sets = load_sets()
    sizes = {k: len(v) for k, v in sets.items()}
    sizes["dialogues"] = sum(len(d["turns"]) - 1 for d in sets["dialogues"])
    items = sets["clean"]
    faq_ids = set(load_faq_base().ids)
    names = [args.only] if args.only else ["ours", "stock"]
    runs, summary, by_set = {}, {}, {}
    REPORTS.mkdir(exist_ok=True)
    for offset, name in enumerate(names):
        saved = REPORTS / f"evaluation-{name}-sets.json"
        if name == "stock" and args.reuse_stock and saved.exists():
            results = json.loads(saved.read_text(encoding="utf-8"))
            if any([str(r["text"]) for r in results[k]] != [str(i["text"]) for i in v]
                   for k, v in sets.items() if k != "dialogues"):
                raise SystemExit("--reuse-stock: the saved stock results are for other sets; run without it")
        else:
            train(name)
            results = run_pipeline(name, sets, 5205 + 100 * offset)
        runs[name] = results["clean"]
        summary[name] = metrics(runs[name], faq_ids)
        by_set[name] = set_numbers(results, faq_ids)
        print(name, json.dumps({"clean": summary[name], **by_set[name]}, indent=2))
        (REPORTS / f"evaluation-{name}-sets.json").write_text(
            json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    confusion_png(runs, REPORTS / "confusion.png")
    misses = [r for r in runs.get("ours", []) if not is_right(r)]
    faq_misses = [r for r in misses if r["expect"] in faq_ids]
    other_misses = [r for r in misses if r["expect"] not in faq_ids]
    table = sets_table(by_set, sizes)
    (REPORTS / "evaluation.md").write_text(
        markdown(summary, len(items), faq_misses, other_misses, table, staff_checklist_lines()), encoding="utf-8")
    if len(summary) == 2:
        write_section(ROOT / "README.md", "evaluation",
                      f"Measured {date.today()} ({len(items)} held-out items; every set below, "
                      "reproduce with `make evaluate`):\n\n" + "\n".join(table + [""] + summary_table(summary)),
                      "Evaluation")
    (REPORTS / "evaluation.json").write_text(json.dumps({"summary": summary, "sets": by_set, "results": runs},
                                                        ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n".join(table))
    print(f"written: {REPORTS / 'evaluation.md'}, confusion.png, evaluation.json")
    return 0


def staff_checklist_lines() -> List[str]:
    base = load_faq_base()
    return staff_checklist(base.entries, base.city)


if __name__ == "__main__":
    sys.exit(main())
