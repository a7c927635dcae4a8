#!/usr/bin/env python3
"""Measures Crible and its peers side by side on human-labelled evaluation sets.

Usage (normally through scripts/eval-peers.sh, which builds Crible and installs the peers):

    python scripts/eval_peers.py --datasets ../shared/datasets \
        --crible .build/release/crible --output docs/EVALUATION.md

Every dataset file is one JSON object per line (`id`, `text`, `label`, `lang`, ...), as described
in the datasets folder's SOURCES.md. For each file the script:

* runs Crible once over the whole file (`crible classify - --format jsonl --fail-on never`, the
  texts as JSON lines on standard input, with the dataset's `lang`), and once more without `lang`
  to measure language identification;
* runs every peer that applies (VADER on English sentiment; vaderSentiment-fr and textblob-fr on
  French sentiment), in process;
* scores every system, and a majority-class baseline, with the same metric functions below.

It writes a Markdown report (--output) and the same numbers as JSON (`evaluation.json` in the
same folder, or --json). Only the standard library is needed; a peer that is not installed is
reported as such. No dataset text is written to either file: only ids, counts and numbers.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import os
import shlex
import subprocess
import sys
import time
import warnings
from collections import Counter
from peer_common import run_metadata
from typing import Any, Callable, Iterable, Optional, Sequence

# --------------------------------------------------------------------------------------------
# Datasets and their conventions
# --------------------------------------------------------------------------------------------

SENTIMENT_THRESHOLD = 0.05  # compound-style scores (Crible, VADER, vaderSentiment-fr)
TEXTBLOB_THRESHOLD = 0.1  # textblob-fr polarity
VADER_GOLD_SCALE = 4.0  # VADER ground truth: mean rating in [-4, 4], normalised to [-1, 1]

TOXIC_LABELS = ("moderation/hate", "moderation/harassment", "moderation/violence", "moderation/sexual")
HATE_LABEL = "moderation/hate"
SPAM_LABEL = "moderation/spam-scam"

WORLD_LABELS = ("topic/politics", "topic/conflict-war-peace", "topic/crime-law-justice",
                "topic/disaster-accident-emergency")
TOPIC_MAP: dict[str, tuple[str, ...]] = {
    # AG News
    "World": WORLD_LABELS,
    "Sports": ("topic/sport",),
    "Business": ("topic/economy-business-finance",),
    "Sci/Tech": ("topic/science-technology",),
    # MasakhaNEWS and SIB-200
    "sports": ("topic/sport",),
    "business": ("topic/economy-business-finance",),
    "technology": ("topic/science-technology",),
    "science/technology": ("topic/science-technology",),
    "politics": ("topic/politics",),
    "health": ("topic/health",),
    "entertainment": ("topic/arts-culture-entertainment-media",),
    "travel": ("topic/lifestyle-leisure",),
    "geography": (),  # no Crible topic: reported as unmapped
}
AG_NEWS_CLASSES = {1: "World", 2: "Sports", 3: "Business", 4: "Sci/Tech"}

DATASETS: list[dict[str, Any]] = [
    {"name": "vader_tweets_en", "task": "sentiment-rating", "title": "VADER tweets"},
    {"name": "vader_nyt_en", "task": "sentiment-rating", "title": "VADER NYT editorial sentences"},
    {"name": "vader_movies_en", "task": "sentiment-rating", "title": "VADER movie-review snippets"},
    {"name": "vader_amazon_en", "task": "sentiment-rating", "title": "VADER Amazon review sentences"},
    {"name": "pattern_amazon_books_fr", "task": "sentiment-binary", "positive": 1,
     "title": "Amazon.fr book reviews"},
    {"name": "allocine_tv_fr", "task": "sentiment-binary", "positive": 1, "title": "Allociné TV-series reviews"},
    {"name": "deft2017_tweets_fr", "task": "sentiment-3class", "title": "DEFT 2017 tweets"},
    {"name": "davidson_hate_offensive_en", "task": "toxicity", "title": "Davidson et al. hate/offensive tweets"},
    {"name": "mlma_hate_en", "task": "toxicity", "title": "MLMA hate speech, English"},
    {"name": "mlma_hate_fr", "task": "toxicity", "title": "MLMA hate speech, French"},
    {"name": "ftr_racism_fr", "task": "toxicity", "title": "FTR French racism tweets"},
    {"name": "sms_spam_en", "task": "spam", "title": "UCI SMS Spam Collection"},
    {"name": "spamassassin_sample_en", "task": "spam", "title": "SpamAssassin sample"},
    {"name": "ag_news_en", "task": "topic", "title": "AG News test set"},
    {"name": "masakhanews_en", "task": "topic", "title": "MasakhaNEWS English"},
    {"name": "masakhanews_fr", "task": "topic", "title": "MasakhaNEWS French"},
    {"name": "sib200_en", "task": "topic", "title": "SIB-200 English"},
    {"name": "sib200_fr", "task": "topic", "title": "SIB-200 French"},
]

SENTIMENT_TASKS = ("sentiment-rating", "sentiment-binary", "sentiment-3class")

# Published figures, quoted from the datasets' SOURCES.md. They are not re-run here, and most come
# from full sets, other splits or supervised models trained on the same source.
PUBLISHED: dict[str, list[dict[str, Any]]] = {
    "vader_tweets_en": [
        {"system": "VADER (Hutto & Gilbert 2014, Table 4, full set)", "r": 0.881, "P": 0.99, "R": 0.94, "F1": 0.96},
        {"system": "Individual human raters (same table)", "r": 0.888, "F1": 0.84},
    ],
    "vader_movies_en": [
        {"system": "VADER (Hutto & Gilbert 2014, Table 4, full set)", "r": 0.451, "P": 0.70, "R": 0.55, "F1": 0.61},
        {"system": "Individual human raters (same table)", "r": 0.899, "F1": 0.92},
    ],
    "vader_amazon_en": [
        {"system": "VADER (Hutto & Gilbert 2014, Table 4, full set)", "r": 0.565, "P": 0.78, "R": 0.55, "F1": 0.63},
        {"system": "Individual human raters (same table)", "r": 0.911, "F1": 0.85},
    ],
    "vader_nyt_en": [
        {"system": "VADER (Hutto & Gilbert 2014, Table 4, full set)", "r": 0.492, "P": 0.69, "R": 0.49, "F1": 0.55},
        {"system": "Individual human raters (same table)", "r": 0.745, "F1": 0.65},
    ],
    "pattern_amazon_books_fr": [
        {"system": "Pattern / textblob-fr lexicon (figure in the lexicon's header)",
         "accuracy": 0.75, "P": 0.76, "R": 0.75, "F1": 0.75},
    ],
    "deft2017_tweets_fr": [
        {"system": "fastText, monolingual (UMSAB, test split)", "macro_f1": 0.548},
        {"system": "XLM-R, monolingual (UMSAB, test split)", "macro_f1": 0.720},
        {"system": "XLM-T, monolingual (UMSAB, test split)", "macro_f1": 0.682},
        {"system": "XLM-R, multilingual (UMSAB, test split)", "macro_f1": 0.705},
        {"system": "XLM-T, multilingual (UMSAB, test split)", "macro_f1": 0.712},
    ],
    "davidson_hate_offensive_en": [
        {"system": "Logistic regression (Davidson et al. 2017), 3 classes, weighted over classes",
         "P": 0.91, "R": 0.90, "F1": 0.90},
        {"system": "Same model, hate class only", "P": 0.44, "R": 0.61},
    ],
    "sms_spam_en": [
        {"system": "Linear SVM, tok1 (Almeida et al. 2011, Table 7, full set, 70/30 split)",
         "accuracy": 0.9764, "R": 0.8310, "fpr": 0.0018, "mcc": 0.893},
        {"system": "Trivial \"all ham\" (same table)", "accuracy": 0.8695},
    ],
    "ag_news_en": [
        # Zhang, Zhao & LeCun 2015, Table 4: test error on the full 7,600-item test set.
        {"system": "Bag-of-words (Zhang et al. 2015, full test set)", "accuracy": 1 - 0.1119},
        {"system": "BoW TF-IDF (same)", "accuracy": 1 - 0.1036},
        {"system": "n-grams (same)", "accuracy": 1 - 0.0796},
        {"system": "n-grams TF-IDF (same)", "accuracy": 1 - 0.0764},
        {"system": "LSTM (same)", "accuracy": 1 - 0.1394},
    ],
}
PUBLISHED_NOTES = {
    "masakhanews": "MasakhaNEWS (Adelani et al. 2023) reports an average F1 of 92.6 over its 16 languages "
                   "with full supervision and about 70 for zero-shot ChatGPT; the per-language figures for "
                   "English and French were not verified.",
    "none_verified": "No published figure was verified for Allociné TV, MLMA, FTR, SpamAssassin or SIB-200.",
}

# Earlier measurements of the peers on these same files, recorded in the datasets' SOURCES.md.
# A fresh run should agree with them within noise; the report checks it.
PEER_REFERENCE: list[tuple[str, str, str, str, float]] = [
    # (dataset, system, subset, metric, value); a metric "strict.x" is x computed with strict
    # thresholds (> t, < -t): the recorded DEFT figures for textblob-fr were computed that way.
    ("vader_tweets_en", "vader", "all", "r", 0.871),
    ("vader_nyt_en", "vader", "all", "r", 0.500),
    ("vader_movies_en", "vader", "all", "r", 0.429),
    ("vader_amazon_en", "vader", "all", "r", 0.591),
    ("pattern_amazon_books_fr", "textblob-fr", "all", "accuracy", 0.743),
    ("pattern_amazon_books_fr", "textblob-fr", "all", "precision", 0.741),
    ("pattern_amazon_books_fr", "textblob-fr", "all", "recall", 0.745),
    ("pattern_amazon_books_fr", "textblob-fr", "all", "f1", 0.743),
    ("pattern_amazon_books_fr", "vader-fr", "all", "accuracy", 0.590),
    ("deft2017_tweets_fr", "vader-fr", "test", "macro_f1", 0.553),
    ("deft2017_tweets_fr", "vader-fr", "test", "accuracy", 0.554),
    ("deft2017_tweets_fr", "textblob-fr", "test", "strict.macro_f1", 0.378),
    ("deft2017_tweets_fr", "textblob-fr", "test", "strict.accuracy", 0.416),
    ("allocine_tv_fr", "textblob-fr", "all", "accuracy", 0.760),
    ("allocine_tv_fr", "vader-fr", "all", "accuracy", 0.693),
]
REFERENCE_TOLERANCE = 0.005  # references are rounded to three decimals

# --------------------------------------------------------------------------------------------
# Metrics: the one implementation every system goes through
# --------------------------------------------------------------------------------------------


def ratio(num: float, den: float) -> Optional[float]:
    return num / den if den else None


def classification_metrics(gold: Sequence[Any], pred: Sequence[Any], classes: Sequence[Any]) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1 and their unweighted (macro) means.

    Per class: P = tp/(tp+fp), R = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn); a ratio with a zero
    denominator is undefined (None) and counts as 0 in the macro means. Predictions outside
    `classes` (no label, an unmapped label) are simply wrong. Macro-F1 is the mean of the
    per-class F1 scores.
    """
    assert len(gold) == len(pred)
    n = len(gold)
    per_class: dict[str, dict[str, Any]] = {}
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        per_class[str(c)] = {
            "support": tp + fn, "predicted": tp + fp, "tp": tp, "fp": fp, "fn": fn,
            "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn), "f1": ratio(2 * tp, 2 * tp + fp + fn),
        }

    def macro(key: str) -> Optional[float]:
        if not per_class:
            return None
        return sum(m[key] or 0.0 for m in per_class.values()) / len(per_class)

    return {
        "n": n,
        "accuracy": ratio(sum(1 for g, p in zip(gold, pred) if g == p), n),
        "macro_precision": macro("precision"),
        "macro_recall": macro("recall"),
        "macro_f1": macro("f1"),
        "per_class": per_class,
    }


def binary_metrics(gold: Sequence[bool], pred: Sequence[bool]) -> dict[str, Any]:
    """Positive-class precision/recall/F1, accuracy, false-positive rate and MCC, plus two measures
    that do not reward predicting the larger class on a skewed set:

    * balanced accuracy: the mean of the recalls of the two classes (a class absent from the gold
      labels is left out of the mean); any constant prediction scores 0.5;
    * macro-F1: the mean of the F1 of the positive and of the negative class (an undefined F1
      counts as 0, as in `classification_metrics`).
    """
    m = classification_metrics(gold, pred, [True, False])
    pos, neg = m["per_class"]["True"], m["per_class"]["False"]
    tp, fp, fn = pos["tp"], pos["fp"], pos["fn"]
    tn = neg["tp"]
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    recalls = [r for r in (pos["recall"], neg["recall"]) if r is not None]
    return {
        "n": m["n"], "positives": tp + fn, "predicted_positive": tp + fp,
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "accuracy": m["accuracy"], "precision": pos["precision"], "recall": pos["recall"], "f1": pos["f1"],
        "fpr": ratio(fp, fp + tn), "mcc": (tp * tn - fp * fn) / den if den else None,
        "negative_recall": neg["recall"], "negative_f1": neg["f1"],
        "balanced_accuracy": sum(recalls) / len(recalls) if recalls else None,
        "macro_f1": m["macro_f1"],
    }


def pearson(x: Sequence[float], y: Sequence[float]) -> Optional[float]:
    """Pearson's r; None when either side is constant."""
    n = len(x)
    if n < 2:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def majority_class(gold: Sequence[Any], classes: Sequence[Any]) -> Any:
    """The most frequent gold class; a tie goes to the class listed first."""
    counts = Counter(gold)
    return max(classes, key=lambda c: (counts[c], -list(classes).index(c)))


def three_class(score: float, threshold: float, strict: bool = False) -> str:
    """positive at or above +threshold, negative at or below -threshold (strictly beyond them
    when `strict`), neutral in between."""
    if score > threshold or (score == threshold and not strict):
        return "positive"
    if score < -threshold or (score == -threshold and not strict):
        return "negative"
    return "neutral"


SENTIMENT_CLASSES = ["positive", "neutral", "negative"]

# --------------------------------------------------------------------------------------------
# Crible
# --------------------------------------------------------------------------------------------


class CribleRun:
    """One batch run of `crible classify` over a dataset file: verdicts aligned with the rows."""

    def __init__(self, verdicts: list[dict[str, Any]], seconds: float, returncode: int,
                 errors: list[dict[str, str]], missing: int, stderr_lines: int, stderr_head: list[str]):
        self.verdicts = verdicts
        self.seconds = seconds
        self.returncode = returncode
        self.errors = errors
        self.missing = missing
        self.stderr_lines = stderr_lines
        self.stderr_head = stderr_head

    @property
    def failures(self) -> int:
        return len(self.errors) + self.missing


EMPTY_VERDICT: dict[str, Any] = {"labels": [], "sentiment": {"score": 0.0}, "language": {"code": "und"}}


def run_crible(binary: str, rows: list[dict[str, Any]], with_lang: bool) -> CribleRun:
    lines = []
    for row in rows:
        item = {"id": row["id"], "text": row["text"]}
        if with_lang:
            item["lang"] = row["lang"]
        lines.append(json.dumps(item, ensure_ascii=False))
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    command = [binary, "classify", "-", "--format", "jsonl", "--fail-on", "never"]
    start = time.perf_counter()
    proc = subprocess.run(command, input=payload, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1, 2):
        raise SystemExit(f"eval_peers: `{shlex.join(command)}` exited with {proc.returncode}:\n"
                         + proc.stderr.decode("utf-8", "replace")[-2000:])
    records = []
    for raw in proc.stdout.decode("utf-8", "replace").splitlines():
        raw = raw.strip()
        if raw:
            records.append(json.loads(raw))
    # Crible writes one record per input line, in input order. Check the ids; fall back to
    # matching by id if the order ever differs.
    if len(records) == len(rows) and all(str(r.get("id")) == str(row["id"]) for r, row in zip(records, rows)):
        aligned: list[Optional[dict[str, Any]]] = list(records)
    else:
        by_id: dict[str, dict[str, Any]] = {}
        for r in records:
            by_id.setdefault(str(r.get("id")), r)
        aligned = [by_id.get(str(row["id"])) for row in rows]
    verdicts, errors, missing = [], [], 0
    for row, record in zip(rows, aligned):
        if record is None:
            missing += 1
            verdicts.append(EMPTY_VERDICT)
        elif "error" in record:
            errors.append({"id": str(record.get("id", row["id"])), "error": str(record["error"])[:200]})
            verdicts.append(EMPTY_VERDICT)
        else:
            verdicts.append(record)
    stderr = proc.stderr.decode("utf-8", "replace").splitlines()
    return CribleRun(verdicts, seconds, proc.returncode, errors, missing, len(stderr),
                     [line[:200] for line in stderr[:3]])


def crible_labels(verdict: dict[str, Any]) -> set[str]:
    return {str(item.get("label")) for item in verdict.get("labels") or []}


def crible_sentiment(verdict: dict[str, Any]) -> float:
    sentiment = verdict.get("sentiment") or {}
    try:
        return float(sentiment.get("score") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def crible_top_topic(verdict: dict[str, Any]) -> Optional[str]:
    best, best_score = None, -math.inf
    for item in verdict.get("labels") or []:
        label = str(item.get("label"))
        score = float(item.get("score") or 0.0)
        if label.startswith("topic/") and score > best_score:
            best, best_score = label, score
    return best


def crible_version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        return out.stdout.decode().strip() or "unknown"
    except (OSError, subprocess.CalledProcessError) as error:
        raise SystemExit(f"eval_peers: cannot run `{binary} --version`: {error}")


# --------------------------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------------------------


def _load_vader() -> Callable[[str], float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    analyzer = SentimentIntensityAnalyzer()
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


def _load_vader_fr() -> Callable[[str], float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fuzzywuzzy warns that python-Levenshtein is absent
        from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer
    analyzer = SentimentIntensityAnalyzer()
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


def _load_textblob_fr() -> Callable[[str], float]:
    # Blobber(analyzer=PatternAnalyzer())(text).sentiment calls analyze() on the raw text; call
    # it directly and skip the tagger, which the polarity does not use.
    from textblob_fr import PatternAnalyzer
    analyzer = PatternAnalyzer()
    return lambda text: float(analyzer.analyze(text)[0])


PEERS: dict[str, dict[str, Any]] = {
    "vader": {"name": "VADER", "dists": ["vaderSentiment"], "load": _load_vader, "lang": "en",
              "threshold": SENTIMENT_THRESHOLD, "score": "compound"},
    "vader-fr": {"name": "vaderSentiment-fr", "dists": ["vaderSentiment-fr"], "load": _load_vader_fr, "lang": "fr",
                 "threshold": SENTIMENT_THRESHOLD, "score": "compound"},
    "textblob-fr": {"name": "textblob-fr", "dists": ["textblob-fr", "textblob"], "load": _load_textblob_fr,
                    "lang": "fr", "threshold": TEXTBLOB_THRESHOLD, "score": "polarity"},
}
SYSTEM_NAMES = {"crible": "Crible", "crible_langid": "Crible, language not given", "majority": "Majority class", **{k: v["name"] for k, v in PEERS.items()}}


def dist_version(name: str) -> Optional[str]:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


class PeerState:
    def __init__(self, key: str):
        spec = PEERS[key]
        self.key = key
        self.name = spec["name"]
        self.versions = {d: dist_version(d) for d in spec["dists"]}
        self.scorer: Optional[Callable[[str], float]] = None
        self.status = "not installed"
        self.load_seconds: Optional[float] = None
        start = time.perf_counter()
        try:
            self.scorer = spec["load"]()
            self.status = "ok"
            self.load_seconds = time.perf_counter() - start
        except ImportError as error:
            self.status = f"not installed ({error.name or error})"
        except Exception as error:  # a peer that breaks on load is reported, not fatal
            self.status = f"failed to load: {type(error).__name__}: {error}"[:200]

    @property
    def version_string(self) -> str:
        parts = [f"{d} {v}" for d, v in self.versions.items() if v]
        return ", ".join(parts) if parts else "—"

    def score_all(self, texts: list[str]) -> tuple[list[float], float, int]:
        assert self.scorer is not None
        scores, failures = [], 0
        start = time.perf_counter()
        for text in texts:
            try:
                scores.append(self.scorer(text))
            except Exception:
                failures += 1
                scores.append(0.0)
        return scores, time.perf_counter() - start, failures


# --------------------------------------------------------------------------------------------
# Evaluation per task
# --------------------------------------------------------------------------------------------


def sentiment_rating(rows, scores: dict[str, Optional[list[float]]]) -> dict[str, Any]:
    gold = [float(r["label"]) for r in rows]
    gold3 = [three_class(g / VADER_GOLD_SCALE, SENTIMENT_THRESHOLD) for g in gold]
    results = {}
    for system, s in scores.items():
        if s is None:
            results[system] = None
            continue
        pred3 = [three_class(x, SENTIMENT_THRESHOLD) for x in s]
        m = classification_metrics(gold3, pred3, SENTIMENT_CLASSES)
        m["r"] = pearson(s, gold)
        results[system] = m
    maj = majority_class(gold3, SENTIMENT_CLASSES)
    m = classification_metrics(gold3, [maj] * len(gold3), SENTIMENT_CLASSES)
    m["r"] = None
    m["majority"] = maj
    results["majority"] = m
    return {"gold_distribution": dict(Counter(gold3)), "systems": results}


def sentiment_binary(rows, scores, thresholds, positive_label) -> dict[str, Any]:
    gold = [r["label"] == positive_label for r in rows]
    results = {}
    for system, s in scores.items():
        if s is None:
            results[system] = None
            continue
        pred = [x >= thresholds[system] for x in s]
        m = binary_metrics(gold, pred)
        kept = [i for i, x in enumerate(s) if x != 0]
        m["abstention"] = 1 - len(kept) / len(s) if s else None
        m["accuracy_answered"] = ratio(sum(1 for i in kept if pred[i] == gold[i]), len(kept))
        m["answered"] = len(kept)
        results[system] = m
    maj = majority_class(gold, [True, False])
    m = binary_metrics(gold, [maj] * len(gold))
    m.update({"abstention": None, "accuracy_answered": None, "majority": "positive" if maj else "negative"})
    results["majority"] = m
    return {"gold_distribution": {"positive": sum(gold), "negative": len(gold) - sum(gold)}, "systems": results}


def sentiment_3class(rows, scores, thresholds) -> dict[str, Any]:
    names = {0: "negative", 1: "neutral", 2: "positive"}
    subsets = {"test": [i for i, r in enumerate(rows) if r.get("split") == "test"], "all": list(range(len(rows)))}
    out: dict[str, Any] = {}
    for subset, idx in subsets.items():
        gold = [names[int(rows[i]["label"])] for i in idx]
        results = {}
        for system, s in scores.items():
            if s is None:
                results[system] = None
                continue
            pred = [three_class(s[i], thresholds[system]) for i in idx]
            m = classification_metrics(gold, pred, SENTIMENT_CLASSES)
            # How much the inclusive/strict choice matters: textblob-fr in particular often gives
            # exactly +-0.1.
            strict = classification_metrics(gold, [three_class(s[i], thresholds[system], strict=True) for i in idx],
                                            SENTIMENT_CLASSES)
            m["at_threshold"] = sum(1 for i in idx if abs(s[i]) == thresholds[system])
            m["strict"] = {"accuracy": strict["accuracy"], "macro_f1": strict["macro_f1"]}
            results[system] = m
        maj = majority_class(gold, SENTIMENT_CLASSES)
        m = classification_metrics(gold, [maj] * len(gold), SENTIMENT_CLASSES)
        m["majority"] = maj
        results["majority"] = m
        out[subset] = {"gold_distribution": dict(Counter(gold)), "systems": results}
    return {"subsets": out}


def binary_task(gold: list[bool], pred: list[bool], description: str,
                pred_langid: Optional[list[bool]] = None) -> dict[str, Any]:
    """`pred_langid`: the same task from the run without the dataset's `lang`, where Crible
    identifies the language itself (what a user who does not declare it gets)."""
    maj = majority_class(gold, [True, False])
    baseline = binary_metrics(gold, [maj] * len(gold))
    baseline["majority"] = "positive" if maj else "negative"
    systems = {"crible": binary_metrics(gold, pred)}
    if pred_langid is not None:
        systems["crible_langid"] = binary_metrics(gold, pred_langid)
    systems["majority"] = baseline
    return {"description": description, "systems": systems}


def toxicity(name: str, rows, verdicts, langid_verdicts) -> dict[str, Any]:
    def predictions(run_verdicts):
        labels = [crible_labels(v) for v in run_verdicts]
        return [bool(ls & set(TOXIC_LABELS)) for ls in labels], [HATE_LABEL in ls for ls in labels]
    any_toxic, hate = predictions(verdicts)
    any_toxic_id, hate_id = predictions(langid_verdicts)
    tasks = {}
    if name.startswith("davidson"):
        tasks["toxic"] = binary_task([int(r["label"]) in (0, 1) for r in rows], any_toxic,
                                     "toxic = hate speech or offensive (class 0 or 1); Crible: any of "
                                     + ", ".join(TOXIC_LABELS), any_toxic_id)
        tasks["hate"] = binary_task([int(r["label"]) == 0 for r in rows], hate,
                                    "hate speech only (class 0); Crible: " + HATE_LABEL, hate_id)
    elif name.startswith("mlma"):
        tasks["toxic"] = binary_task([r.get("label_derived_binary") == "toxic" for r in rows], any_toxic,
                                     "toxic = label_derived_binary; Crible: any of " + ", ".join(TOXIC_LABELS),
                                     any_toxic_id)
    elif name.startswith("ftr"):
        tasks["racist"] = binary_task([int(r["label"]) == 1 for r in rows], hate,
                                      "racist (label 1); Crible: " + HATE_LABEL, hate_id)
    return {"tasks": tasks}


def spam(name: str, rows, verdicts, langid_verdicts) -> dict[str, Any]:
    if name.startswith("sms"):
        gold = [r["label"] == "spam" for r in rows]
    else:
        gold = [int(r["label"]) == -1 for r in rows]
    pred = [SPAM_LABEL in crible_labels(v) for v in verdicts]
    pred_id = [SPAM_LABEL in crible_labels(v) for v in langid_verdicts]
    return {"tasks": {"spam": binary_task(gold, pred, "spam; Crible: " + SPAM_LABEL, pred_id)}}


def topic(name: str, rows, verdicts) -> dict[str, Any]:
    if name.startswith("ag_news"):
        gold_all = [AG_NEWS_CLASSES[int(r["label"])] for r in rows]
    else:
        gold_all = [str(r["label"]) for r in rows]
    present = sorted(set(gold_all), key=lambda c: list(TOPIC_MAP).index(c) if c in TOPIC_MAP else 999)
    classes = [c for c in present if TOPIC_MAP.get(c)]
    unmapped = [c for c in present if not TOPIC_MAP.get(c)]
    reverse: dict[str, str] = {}
    for c in classes:
        for label in TOPIC_MAP[c]:
            reverse[label] = c
    tops = [crible_top_topic(v) for v in verdicts]
    pred_all = [reverse.get(t, "(other topic)") if t else "(no topic)" for t in tops]
    idx = [i for i, g in enumerate(gold_all) if g in classes]
    gold = [gold_all[i] for i in idx]
    pred = [pred_all[i] for i in idx]
    crible = classification_metrics(gold, pred, classes)
    crible["coverage"] = ratio(sum(1 for t in tops if t), len(tops))
    crible["top_labels"] = dict(Counter(t or "(no topic)" for t in tops).most_common())
    maj = majority_class(gold, classes)
    baseline = classification_metrics(gold, [maj] * len(gold), classes)
    baseline["coverage"] = None
    baseline["majority"] = maj
    return {
        "classes": {c: list(TOPIC_MAP[c]) for c in classes},
        "unmapped_classes": unmapped,
        "unmapped_items": len(gold_all) - len(idx),
        "gold_distribution": dict(Counter(gold_all)),
        "systems": {"crible": crible, "majority": baseline},
    }


def language_identification(rows, verdicts) -> dict[str, Any]:
    codes = [str((v.get("language") or {}).get("code", "und")) for v in verdicts]
    gold = [r["lang"] for r in rows]
    correct = sum(1 for c, g in zip(codes, gold) if c == g)
    return {"n": len(rows), "correct": correct, "accuracy": ratio(correct, len(rows)),
            "und": sum(1 for c in codes if c == "und"),
            "other": sum(1 for c, g in zip(codes, gold) if c not in (g, "und")),
            "predicted": dict(Counter(codes).most_common())}


# --------------------------------------------------------------------------------------------
# Running everything
# --------------------------------------------------------------------------------------------


def load_rows(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(args, peers: dict[str, PeerState], log: Callable[[str], None]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    digests: set[str] = set()
    selected = [d for d in DATASETS if not args.only or d["name"] in args.only]
    for spec in selected:
        name, task = spec["name"], spec["task"]
        path = os.path.join(args.datasets, name + ".jsonl")
        entry: dict[str, Any] = {"title": spec["title"], "task": task, "file": name + ".jsonl"}
        results[name] = entry
        if not os.path.exists(path):
            entry["status"] = "missing"
            log(f"{name}: missing ({path})")
            continue
        rows = load_rows(path)
        if args.limit:
            rows = rows[: args.limit]
        entry["status"] = "ok"
        entry["n"] = len(rows)
        entry["languages"] = dict(Counter(r["lang"] for r in rows))
        log(f"{name}: {len(rows)} texts")

        run = run_crible(args.crible, rows, with_lang=True)
        log(f"  crible (lang given): {run.seconds:.1f}s, {run.failures} failures, exit {run.returncode}")
        lang_run = run_crible(args.crible, rows, with_lang=False)
        log(f"  crible (lang identified): {lang_run.seconds:.1f}s, {lang_run.failures} failures")
        run_digests = {}
        for label, r in (("lang_given", run), ("lang_identified", lang_run)):
            run_digests[label] = sorted({str(v["rules_digest"]) for v in r.verdicts if v.get("rules_digest")})
            digests.update(run_digests[label])
        entry["crible_runs"] = {
            label: {"seconds": r.seconds, "texts_per_second": ratio(len(rows), r.seconds), "exit": r.returncode,
                    "error_records": len(r.errors), "missing_verdicts": r.missing, "errors": r.errors[:20],
                    "stderr_lines": r.stderr_lines, "stderr_head": r.stderr_head,
                    "rules_digests": run_digests[label]}
            for label, r in (("lang_given", run), ("lang_identified", lang_run))
        }
        entry["language_identification"] = language_identification(rows, lang_run.verdicts)

        timings: dict[str, Any] = {"crible": ratio(len(rows), run.seconds),
                                   "crible_langid": ratio(len(rows), lang_run.seconds)}
        if task in SENTIMENT_TASKS:
            lang = "en" if task == "sentiment-rating" else "fr"
            # Also the run without the dataset's `lang`: what a user who does not declare it gets
            # (short texts whose language is not identified are scored with the lexicon that
            # knows their words).
            scores: dict[str, Optional[list[float]]] = {"crible": [crible_sentiment(v) for v in run.verdicts],
                                                        "crible_langid": [crible_sentiment(v) for v in lang_run.verdicts]}
            thresholds = {"crible": SENTIMENT_THRESHOLD, "crible_langid": SENTIMENT_THRESHOLD}
            peer_status = {}
            texts = [r["text"] for r in rows]
            for key, peer in peers.items():
                if PEERS[key]["lang"] != lang:
                    continue
                thresholds[key] = PEERS[key]["threshold"]
                if peer.scorer is None:
                    scores[key] = None
                    peer_status[key] = peer.status
                    continue
                s, seconds, failures = peer.score_all(texts)
                scores[key] = s
                timings[key] = ratio(len(rows), seconds)
                peer_status[key] = "ok" if not failures else f"{failures} texts raised an error (scored 0)"
                log(f"  {key}: {seconds:.1f}s")
            entry["peers"] = peer_status
            if task == "sentiment-rating":
                entry.update(sentiment_rating(rows, scores))
            elif task == "sentiment-binary":
                entry.update(sentiment_binary(rows, scores, thresholds, spec["positive"]))
            else:
                entry.update(sentiment_3class(rows, scores, thresholds))
            entry["thresholds"] = thresholds
        elif task == "toxicity":
            entry.update(toxicity(name, rows, run.verdicts, lang_run.verdicts))
        elif task == "spam":
            entry.update(spam(name, rows, run.verdicts, lang_run.verdicts))
        elif task == "topic":
            entry.update(topic(name, rows, run.verdicts))
        entry["texts_per_second"] = timings
    return {"datasets": results, "rules_digests": sorted(digests)}


def measure_startup(binary: str) -> float:
    rows = [{"id": "startup", "text": "Bonjour.", "lang": "fr"}]
    return run_crible(binary, rows, with_lang=True).seconds


def peer_check(results: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    for dataset, system, subset, metric, reference in PEER_REFERENCE:
        entry = results.get(dataset) or {}
        if entry.get("status") != "ok":
            continue
        block = entry["subsets"][subset] if "subsets" in entry else entry
        m = (block.get("systems") or {}).get(system)
        value = m
        for part in metric.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        diff = None if value is None else value - reference
        checks.append({"dataset": dataset, "system": system, "subset": subset, "metric": metric,
                       "reference": reference, "value": value, "difference": diff,
                       "agrees": None if diff is None else abs(diff) <= REFERENCE_TOLERANCE})
    return checks


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def pct(x: Optional[float]) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], align: Optional[str] = None) -> list[str]:
    align = align or "l" + "r" * (len(headers) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return out


def system_cell(key: str, peers: dict[str, PeerState]) -> str:
    if key in peers:
        return SYSTEM_NAMES[key]
    return SYSTEM_NAMES.get(key, key)


def not_run_note(key: str, peers: dict[str, PeerState]) -> str:
    return peers[key].status if key in peers else "not run"


def render(report: dict[str, Any], peers: dict[str, PeerState]) -> str:
    meta = report["meta"]
    data = report["datasets"]
    L: list[str] = []
    L.append("# Evaluation: Crible and its peers on human-labelled data")
    L.append("")
    L.append("Generated by `scripts/eval-peers.sh`; do not edit by hand. The same numbers are in "
             "[`evaluation.json`](evaluation.json).")
    L.append("")
    L.append(f"* **Date:** {meta['date']}")
    L.append(f"* **Command:** `{meta['command']}`")
    if meta.get("python_command") and meta["python_command"] != meta["command"]:
        L.append(f"  (which ran `{meta['python_command']}`)")
    L.append(f"* **Machine:** `uname -m` {meta['machine']}, `nproc` {meta['nproc']}, {meta['os']}, "
             f"Python {meta['python']}")
    L.append(f"* **Crible:** `crible --version` {meta['crible_version']}; rules digest "
             + (", ".join(f"`{d}`" for d in meta["rules_digests"]) or "—"))
    if len(meta["rules_digests"]) > 1:
        L.append("  **Several digests: the rule files changed during the run, so the Crible numbers below mix "
                 "rule versions. Run again on a quiet tree.**")
    for key, peer in peers.items():
        if peer.scorer is not None:
            L.append(f"* **{peer.name}:** {peer.version_string}")
        else:
            L.append(f"* **{peer.name}:** {peer.status}")
    L.append(f"* **Datasets:** `{meta['datasets']}` (each file and its labels are documented in its SOURCES.md)")
    if meta.get("limit"):
        L.append(f"* **Partial run:** only the first {meta['limit']} lines of each file were used.")
    L.append("")
    L.append("No peer package applies to toxicity, spam, topics or language identification, so those "
             "sections compare Crible with a majority-class baseline and with published figures only.")
    L.append("")

    L.append("## Conventions")
    L.append("")
    L.append("* Every system is scored by the same functions (`scripts/eval_peers.py`). Per class: "
             "P = tp/(tp+fp), R = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn). **Macro** values are the unweighted means "
             "over the classes; an undefined ratio (a class never predicted) counts as 0 there and shows as "
             "\"—\" elsewhere.")
    L.append("* Crible runs once per file, as a batch: `crible classify - --format jsonl --fail-on never`, "
             "texts on standard input as JSON lines `{id, text, lang}`. A text whose verdict is an error record "
             "(or is missing) counts as a verdict with no label and a sentiment score of 0. Every file is also "
             "run with `{id, text}` alone: sentiment, toxicity and spam show that run too (\"Crible, language "
             "not given\"), which is what a user who does not declare the language gets, since most rules are "
             "gated by language and the lexicon is the language's (a short text whose language is not "
             "identified is scored with the lexicon that covers at least half of its words).")
    L.append("* **Majority class:** always predicts the most frequent gold class of the set being scored "
             "(ties: the class listed first). Its Pearson r is undefined.")
    L.append(f"* **Sentiment, 3 classes:** a score ≥ {SENTIMENT_THRESHOLD} is positive, ≤ −{SENTIMENT_THRESHOLD} "
             f"negative, neutral in between (Crible's `sentiment.score`, VADER and vaderSentiment-fr compound); "
             f"textblob-fr polarity uses ±{TEXTBLOB_THRESHOLD}. The VADER gold mean rating (−4..4) is divided by "
             f"{VADER_GOLD_SCALE:g} and cut at the same ±{SENTIMENT_THRESHOLD} (the paper's convention: ±0.05 on the "
             "normalised score). P/R/F1 are macro over positive, neutral, negative.")
    L.append(f"* **Sentiment, 2 classes:** positive iff the score ≥ {SENTIMENT_THRESHOLD} (Crible, "
             f"vaderSentiment-fr) or polarity ≥ {TEXTBLOB_THRESHOLD} (textblob-fr). P/R/F1 are those of the "
             "positive class. A system **abstains** when its score is exactly 0; \"accuracy when answering\" "
             "leaves those texts out.")
    L.append("* **Toxicity and spam:** P/R/F1 of the positive class (toxic, hate, racist, spam). Two columns "
             "do not reward always answering the larger class, which matters on skewed sets (MLMA is 80–88 % "
             "toxic, so the all-toxic baseline's toxic-class F1 is high by construction): **bal. acc.** "
             "(balanced accuracy) is the mean of the recalls of the positive and the negative class, so any "
             "constant answer, the majority class included, scores 0.500; **macro-F1** is the mean of the F1 of "
             "the positive and of the negative class (an undefined F1 counts as 0). Both are computed by the same "
             "function for every system, the majority baseline included.")
    L.append("* **Topics:** Crible's answer is its highest-scoring `topic/…` label among the labels it returns "
             "(labels at or above threshold); no topic label counts as wrong. Gold classes map to Crible labels "
             "as listed in each table; AG News *World* is right if the top label is any of "
             + ", ".join(f"`{x}`" for x in WORLD_LABELS)
             + ". SIB-200 *geography* has no Crible topic: those items are **unmapped** and left out of "
               "accuracy and macro-F1 (coverage still counts them). Macro-F1 is over the mapped gold classes.")
    L.append("* **Speed** is wall-clock texts per second. For Crible it is the whole process (start-up, "
             "rule loading, JSON in and out) with `--jobs` at its default (all cores); peers run in this "
             "Python process, one text at a time, after their lexicons are loaded.")
    L.append("")

    # Failures
    L.append("## Crible run status")
    L.append("")
    L.append("Each file is run twice: with the dataset's `lang`, then without it (for language identification). "
             "Cells give both runs.")
    L.append("")
    rows = []
    for name, e in data.items():
        if e.get("status") != "ok":
            rows.append([name, "file missing", "", "", ""])
            continue
        runs = [e["crible_runs"]["lang_given"], e["crible_runs"]["lang_identified"]]
        rows.append([name, e["n"]] + [" / ".join(str(r[k]) for r in runs)
                                      for k in ("exit", "error_records", "missing_verdicts")])
    L += md_table(["dataset", "texts", "exit", "error records", "missing verdicts"], rows, "lrrrr")
    stderr = [(name, label, run) for name, e in data.items() if e.get("status") == "ok"
              for label, run in e["crible_runs"].items() if run["stderr_lines"]]
    if stderr:
        name, label, run = stderr[0]
        L.append("")
        L.append(f"{len(stderr)} runs wrote to standard error; the first was `{name}` ({label.replace('_', ' ')}), "
                 f"{run['stderr_lines']} lines, beginning:")
        L.append("")
        L.append("```")
        L += run["stderr_head"]
        L.append("```")
    errors = [(name, err) for name, e in data.items() if e.get("status") == "ok"
              for err in e["crible_runs"]["lang_given"]["errors"][:3]]
    if errors:
        L.append("")
        L.append("First error records (id: message):")
        L.append("")
        for name, err in errors[:15]:
            L.append(f"* `{name}` `{err['id']}`: {err['error']}")
    L.append("")

    # English sentiment
    L.append("## English sentiment: VADER ground truth (mean human rating)")
    L.append("")
    rows = []
    for name, e in data.items():
        if e.get("task") != "sentiment-rating":
            continue
        if e.get("status") != "ok":
            rows.append([name, "file missing", "", "", "", "", "", ""])
            continue
        for key in [k for k in ["crible", "crible_langid", "vader", "majority"] if k != "crible_langid" or e["systems"].get(k)]:
            m = e["systems"].get(key)
            if m is None:
                rows.append([name, system_cell(key, peers), e["n"], not_run_note(key, peers), "", "", "", ""])
                continue
            label = system_cell(key, peers) + (f" ({m['majority']})" if key == "majority" else "")
            rows.append([name, label, m["n"], fmt(m["r"]), fmt(m["macro_precision"]), fmt(m["macro_recall"]),
                         fmt(m["macro_f1"]), fmt(m["accuracy"])])
        for p in PUBLISHED.get(name, []):
            rows.append([name, f"*published:* {p['system']}", "", fmt(p.get("r")), fmt(p.get("P")), fmt(p.get("R")),
                         fmt(p.get("F1")), ""])
    L += md_table(["dataset", "system", "n", "r", "P (macro)", "R (macro)", "F1 (macro)", "accuracy"], rows, "llrrrrrr")
    L.append("")
    dist = [f"{n}: " + ", ".join(f"{c} {e['gold_distribution'].get(c, 0)}" for c in SENTIMENT_CLASSES)
            for n, e in data.items() if e.get("task") == "sentiment-rating" and e.get("status") == "ok"]
    if dist:
        L.append("Gold classes after normalisation: " + "; ".join(dist) + ".")
        L.append("")

    # French sentiment, binary
    L.append("## French sentiment, 2 classes")
    L.append("")
    rows = []
    for name, e in data.items():
        if e.get("task") != "sentiment-binary":
            continue
        if e.get("status") != "ok":
            rows.append([name, "file missing"] + [""] * 8)
            continue
        for key in [k for k in ["crible", "crible_langid", "vader-fr", "textblob-fr", "majority"]
                    if k != "crible_langid" or e["systems"].get(k)]:
            m = e["systems"].get(key)
            if m is None:
                rows.append([name, system_cell(key, peers), e["n"], not_run_note(key, peers)] + [""] * 6)
                continue
            label = system_cell(key, peers) + (f" ({m['majority']})" if key == "majority" else "")
            rows.append([name, label, m["n"], fmt(m["accuracy"]), fmt(m["precision"]), fmt(m["recall"]),
                         fmt(m["f1"]), pct(m["abstention"]) if m["abstention"] is not None else "—",
                         fmt(m["accuracy_answered"]), ""])
        for p in PUBLISHED.get(name, []):
            rows.append([name, f"*published:* {p['system']}", "", fmt(p.get("accuracy")), fmt(p.get("P")),
                         fmt(p.get("R")), fmt(p.get("F1")), "", "", ""])
    L += md_table(["dataset", "system", "n", "accuracy", "P", "R", "F1", "abstains", "accuracy when answering", ""],
                  rows, "llrrrrrrrl")
    L.append("")
    L.append("Pattern's own test requires A > 0.751, P > 0.765, R > 0.725, F > 0.744 on the book reviews. "
             "No published figure was verified for Allociné TV.")
    L.append("")

    # DEFT
    L.append("## French sentiment, 3 classes: DEFT 2017 tweets")
    L.append("")
    rows = []
    for name, e in data.items():
        if e.get("task") != "sentiment-3class":
            continue
        if e.get("status") != "ok":
            rows.append([name, "", "file missing", "", "", ""])
            continue
        for subset in ["test", "all"]:
            block = e["subsets"][subset]
            for key in [k for k in ["crible", "crible_langid", "vader-fr", "textblob-fr", "majority"]
                        if k != "crible_langid" or block["systems"].get(k)]:
                m = block["systems"].get(key)
                if m is None:
                    rows.append([name, subset, system_cell(key, peers), "", not_run_note(key, peers), ""])
                    continue
                label = system_cell(key, peers) + (f" ({m['majority']})" if key == "majority" else "")
                rows.append([name, subset, label, m["n"], fmt(m["accuracy"]), fmt(m["macro_f1"])])
        for p in PUBLISHED.get(name, []):
            rows.append([name, "test", f"*published:* {p['system']}", "", "", fmt(p.get("macro_f1"))])
    L += md_table(["dataset", "split", "system", "n", "accuracy", "macro-F1"], rows, "lllrrr")
    L.append("")
    L.append("The published UMSAB models are supervised, trained on the DEFT training split.")
    for name, e in data.items():
        if e.get("task") != "sentiment-3class" or e.get("status") != "ok":
            continue
        for key, m in e["subsets"]["test"]["systems"].items():
            if key == "majority" or not m or not m.get("at_threshold"):
                continue
            t = e["thresholds"][key]
            L.append("")
            L.append(f"On the test split {SYSTEM_NAMES[key]} scores exactly ±{t:g} on {m['at_threshold']} texts; with "
                     f"strict thresholds (> {t:g}, < −{t:g}) its accuracy would be {fmt(m['strict']['accuracy'])} and "
                     f"its macro-F1 {fmt(m['strict']['macro_f1'])}.")
    L.append("")

    # Toxicity
    L.append("## Toxicity and hate")
    L.append("")
    L.append("No peer package classifies toxicity; Crible is compared with the majority class and, for "
             "Davidson et al., with the published supervised model.")
    L.append("")
    rows = []
    notes = []
    for name, e in data.items():
        if e.get("task") != "toxicity":
            continue
        if e.get("status") != "ok":
            rows.append([name, "", "file missing"] + [""] * 8)
            continue
        for tname, t in e["tasks"].items():
            notes.append(f"* `{name}` / {tname}: {t['description']}.")
            for key in [k for k in ["crible", "crible_langid", "majority"] if k in t["systems"]]:
                m = t["systems"][key]
                label = SYSTEM_NAMES[key] + (f" ({m['majority']})" if key == "majority" else "")
                rows.append([name, tname, label, m["n"], m["positives"], fmt(m["precision"]), fmt(m["recall"]),
                             fmt(m["f1"]), fmt(m["accuracy"]), fmt(m["balanced_accuracy"]), fmt(m["macro_f1"])])
        for p in PUBLISHED.get(name, []):
            rows.append([name, "", f"*published:* {p['system']}", "", "", fmt(p.get("P")), fmt(p.get("R")),
                         fmt(p.get("F1")), "", "", ""])
    L += md_table(["dataset", "task", "system", "n", "gold positives", "P", "R", "F1", "accuracy", "bal. acc.",
                   "macro-F1"], rows, "lllrrrrrrrr")
    L.append("")
    L += notes
    L.append("")
    L.append("The published Davidson figures are for a 3-class classifier (hate, offensive, neither) trained on "
             "the same data; they are not directly comparable with the binary tasks above. "
             + PUBLISHED_NOTES["none_verified"])
    L.append("")

    # Spam
    L.append("## Spam")
    L.append("")
    rows = []
    for name, e in data.items():
        if e.get("task") != "spam":
            continue
        if e.get("status") != "ok":
            rows.append([name, "file missing"] + [""] * 10)
            continue
        for key in [k for k in ["crible", "crible_langid", "majority"] if k in e["tasks"]["spam"]["systems"]]:
            m = e["tasks"]["spam"]["systems"][key]
            label = SYSTEM_NAMES[key] + (f" ({'spam' if m['majority'] == 'positive' else 'ham'})"
                                         if key == "majority" else "")
            rows.append([name, label, m["n"], m["positives"], fmt(m["precision"]), fmt(m["recall"]), fmt(m["f1"]),
                         fmt(m["accuracy"]), pct(m["fpr"]), fmt(m["mcc"]), fmt(m["balanced_accuracy"]),
                         fmt(m["macro_f1"])])
        for p in PUBLISHED.get(name, []):
            rows.append([name, f"*published, not re-run:* {p['system']}", "", "", "", fmt(p.get("R")), "",
                         fmt(p.get("accuracy"), 4), pct(p.get("fpr")) if p.get("fpr") is not None else "",
                         fmt(p.get("mcc")), "", ""])
    L += md_table(["dataset", "system", "n", "spam", "P", "R (spam caught)", "F1", "accuracy", "ham blocked", "MCC",
                   "bal. acc.", "macro-F1"], rows, "llrrrrrrrrrr")
    L.append("")
    L.append(f"Crible predicts spam when `{SPAM_LABEL}` is among its labels. The published SVM was trained and "
             "tested on the full SMS collection (70/30 split); it is quoted for reference only.")
    L.append("")

    # Topics
    L.append("## News topics")
    L.append("")
    L.append("No peer package classifies topics; Crible is compared with the majority class and, for AG News, "
             "with published supervised models.")
    L.append("")
    rows = []
    per_class_lines = []
    mapping_lines = []
    for name, e in data.items():
        if e.get("task") != "topic":
            continue
        if e.get("status") != "ok":
            rows.append([name, "file missing"] + [""] * 6)
            continue
        for key in ["crible", "majority"]:
            m = e["systems"][key]
            label = SYSTEM_NAMES[key] + (f" ({m['majority']})" if key == "majority" else "")
            rows.append([name, label, e["n"], m["n"], e["unmapped_items"], fmt(m["accuracy"]), fmt(m["macro_f1"]),
                         pct(m["coverage"]) if m["coverage"] is not None else "—"])
        for p in PUBLISHED.get(name, []):
            rows.append([name, f"*published:* {p['system']}", "7600", "", "", fmt(p.get("accuracy")), "", ""])
        pc = e["systems"]["crible"]["per_class"]
        per_class_lines.append(f"* `{name}`: " + ", ".join(
            f"{c} {fmt(v['f1'], 2)} (n={v['support']})" for c, v in pc.items()))
        mapping_lines.append(f"* `{name}`: " + "; ".join(
            f"{c} → " + " / ".join(f"`{x}`" for x in labels) for c, labels in e["classes"].items())
            + ("; unmapped: " + ", ".join(e["unmapped_classes"]) if e["unmapped_classes"] else ""))
    L += md_table(["dataset", "system", "texts", "mapped", "unmapped", "accuracy", "macro-F1", "coverage"], rows,
                  "llrrrrrr")
    L.append("")
    L.append("Gold classes and the Crible labels they map to:")
    L.append("")
    L += mapping_lines
    L.append("")
    L.append("Crible's F1 per gold class:")
    L.append("")
    L += per_class_lines
    L.append("")
    L.append(PUBLISHED_NOTES["masakhanews"] + " The AG News figures are 1 − the published test error.")
    L.append("")

    # Language identification
    L.append("## Language identification (Crible, `lang` not given)")
    L.append("")
    rows = []
    for name, e in data.items():
        if e.get("status") != "ok":
            continue
        li = e["language_identification"]
        lang = "/".join(sorted(e["languages"]))
        rows.append([name, lang, li["n"], li["correct"], fmt(li["accuracy"]), li["und"], li["other"]])
    L += md_table(["dataset", "lang", "texts", "correct", "accuracy", "und", "other language"], rows, "llrrrrr")
    L.append("")

    # Speed
    L.append("## Speed (texts per second, wall clock)")
    L.append("")
    rows = []
    for name, e in data.items():
        if e.get("status") != "ok":
            continue
        t = e["texts_per_second"]
        rows.append([name, e["n"], fmt(t.get("crible"), 0), fmt(t.get("crible_langid"), 0),
                     fmt(t.get("vader"), 0), fmt(t.get("vader-fr"), 0), fmt(t.get("textblob-fr"), 0)])
    L += md_table(["dataset", "texts", "Crible (lang given)", "Crible (lang identified)", "VADER",
                   "vaderSentiment-fr", "textblob-fr"], rows, "lrrrrrr")
    L.append("")
    L.append(f"A Crible run over one short text takes {meta['crible_startup_seconds']:.2f} s (start-up and "
             "rule loading); that cost is included in every Crible rate above. Peer load times: "
             + ", ".join(f"{p.name} {p.load_seconds:.2f} s" for p in peers.values() if p.load_seconds is not None)
             + (" (not included)." if any(p.load_seconds is not None for p in peers.values()) else "none loaded."))
    L.append("")

    # Peer check
    checks = report["peer_check"]
    if checks:
        L.append("## Peer results against the earlier measurement")
        L.append("")
        L.append("The datasets' SOURCES.md records a run of the same peer packages on these files. This run "
                 f"should agree within ±{REFERENCE_TOLERANCE} (the recorded values are rounded).")
        L.append("")
        rows = [[c["dataset"], c["subset"], SYSTEM_NAMES[c["system"]],
                 c["metric"][len("strict."):] + " (strict thresholds)" if c["metric"].startswith("strict.") else c["metric"],
                 fmt(c["reference"]),
                 fmt(c["value"]), "—" if c["difference"] is None else f"{c['difference']:+.3f}",
                 "—" if c["agrees"] is None else ("yes" if c["agrees"] else "**no**")] for c in checks]
        L += md_table(["dataset", "split", "system", "metric", "recorded", "this run", "difference", "agrees"], rows,
                      "llllrrrl")
        L.append("")
        if any(c["metric"].startswith("strict.") for c in checks):
            L.append("The recorded 3-class figures for textblob-fr were computed with strict thresholds (> 0.1 "
                     "positive, < −0.1 negative); they are compared with the same computation here. This report's "
                     "own tables use ≥ / ≤ throughout.")
            L.append("")

    L.append("## Reading the numbers")
    L.append("")
    L += reading(report, peers)
    L.append("")
    return "\n".join(L)


def _range(values: list[float]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    lo, hi = min(values), max(values)
    return fmt(lo) if abs(hi - lo) < 5e-4 else f"{fmt(lo)}–{fmt(hi)}"


def _against_published(value, published, what, note=None):
    """Where a figure stands among several published ones: above all, below all, or how many it beats."""
    span = f"{fmt(min(published))}–{fmt(max(published))}" + (f", {note}" if note else "")
    if not _below(value, max(published)):
        return f"at or above every one of the {len(published)} {what} ({span})"
    if _below(value, min(published)):
        return f"below every one of the {len(published)} {what} ({span})"
    beaten = sum(1 for p in published if not _below(value, p))
    return f"above {beaten} of the {len(published)} {what} and below the other {len(published) - beaten} ({span})"


def _below(crible: Optional[float], other: Optional[float]) -> bool:
    return other is not None and (crible is None or crible < other)


def reading(report: dict[str, Any], peers: dict[str, PeerState]) -> list[str]:
    data = report["datasets"]
    out: list[str] = []
    ok = {n: e for n, e in data.items() if e.get("status") == "ok"}

    # English sentiment
    vs = [(n, e) for n, e in ok.items() if e["task"] == "sentiment-rating"]
    if vs:
        below_pub = [n for n, e in vs if _below(e["systems"]["crible"]["r"], PUBLISHED[n][0]["r"])]
        below_peer = [n for n, e in vs if e["systems"].get("vader")
                      and _below(e["systems"]["crible"]["r"], e["systems"]["vader"]["r"])]
        f1_below = [n for n, e in vs if _below(e["systems"]["crible"]["macro_f1"], PUBLISHED[n][0]["F1"])]
        cr = [e["systems"]["crible"]["r"] for n, e in vs]
        text = (f"* **English sentiment.** Crible's Pearson r against the human means is "
                f"{_range(cr) if any(x is not None for x in cr) else 'undefined (constant scores)'} on the "
                f"{len(vs)} VADER sets. It is below VADER's published r on {len(below_pub)} of {len(vs)} "
                f"({', '.join(below_pub) or 'none'})")
        if any(e["systems"].get("vader") for _, e in vs):
            text += f", and below VADER as run here on {len(below_peer)} of {len(vs)}"
        text += (f". Its 3-class macro-F1 is below VADER's published F1 on {len(f1_below)} of {len(vs)}. "
                 "The published figures are on the full sets, these runs on 3,000-line samples.")
        out.append(text)

    # French sentiment
    fb = [(n, e) for n, e in ok.items() if e["task"] == "sentiment-binary"]
    for n, e in fb:
        s = e["systems"]
        c = s["crible"]
        peers_here = {k: s[k] for k in ("vader-fr", "textblob-fr") if s.get(k)}
        parts = [f"* **{n}.** Crible: accuracy {fmt(c['accuracy'])}, F1 {fmt(c['f1'])}, abstains on "
                 f"{pct(c['abstention'])}"]
        for k, m in peers_here.items():
            rel = "below" if _below(c["accuracy"], m["accuracy"]) else "at or above"
            parts.append(f"{rel} {SYSTEM_NAMES[k]} ({fmt(m['accuracy'])})")
        maj = s["majority"]["accuracy"]
        parts.append(("below" if _below(c["accuracy"], maj) else "at or above") + f" the majority class ({fmt(maj)})")
        for p in PUBLISHED.get(n, []):
            rel = "below" if _below(c["accuracy"], p["accuracy"]) else "at or above"
            parts.append(f"{rel} the published {fmt(p['accuracy'], 2)} of the Pattern lexicon")
        out.append(parts[0] + "; " + ", ".join(parts[1:]) + ".")
    for n, e in ok.items():
        if e["task"] != "sentiment-3class":
            continue
        s = e["subsets"]["test"]["systems"]
        c = s["crible"]
        parts = [f"* **{n}, test split.** Crible macro-F1 {fmt(c['macro_f1'])}"]
        for k in ("vader-fr", "textblob-fr"):
            if s.get(k):
                rel = "below" if _below(c["macro_f1"], s[k]["macro_f1"]) else "at or above"
                parts.append(f"{rel} {SYSTEM_NAMES[k]} ({fmt(s[k]['macro_f1'])})")
        pub = [p["macro_f1"] for p in PUBLISHED.get(n, [])]
        if pub:
            parts.append(_against_published(c["macro_f1"], pub, "published UMSAB models", "supervised"))
        out.append(parts[0] + ": " + ", ".join(parts[1:]) + ".")

    # Toxicity and spam
    for task, label in (("toxicity", "Toxicity"), ("spam", "Spam")):
        items = []
        for n, e in ok.items():
            if e["task"] != task:
                continue
            for tname, t in e["tasks"].items():
                c, maj = t["systems"]["crible"], t["systems"]["majority"]
                rel = "below" if _below(c["accuracy"], maj["accuracy"]) else "at or above"
                rel_ba = "below" if _below(c["balanced_accuracy"], maj["balanced_accuracy"]) else "at or above"
                rel_mf = "below" if _below(c["macro_f1"], maj["macro_f1"]) else "at or above"
                items.append(f"{n}/{tname} F1 {fmt(c['f1'])}, accuracy {fmt(c['accuracy'])} ({rel} the majority "
                             f"class, {fmt(maj['accuracy'])}), balanced accuracy {fmt(c['balanced_accuracy'])} "
                             f"({rel_ba} the majority's {fmt(maj['balanced_accuracy'])}), macro-F1 "
                             f"{fmt(c['macro_f1'])} ({rel_mf} the majority's {fmt(maj['macro_f1'])})")
        if items:
            text = f"* **{label}.** " + "; ".join(items) + "."
            if task == "toxicity" and "davidson_hate_offensive_en" in ok:
                c = ok["davidson_hate_offensive_en"]["tasks"]["hate"]["systems"]["crible"]
                pub = PUBLISHED["davidson_hate_offensive_en"][1]
                text += (f" On hate speech alone Crible has P {fmt(c['precision'])} / R {fmt(c['recall'])}, "
                         f"against the published supervised P {fmt(pub['P'], 2)} / R {fmt(pub['R'], 2)}.")
            if task == "spam" and "sms_spam_en" in ok:
                c = ok["sms_spam_en"]["tasks"]["spam"]["systems"]["crible"]
                pub = PUBLISHED["sms_spam_en"][0]
                rel = "below" if _below(c["accuracy"], pub["accuracy"]) else "at or above"
                text += (f" On SMS, Crible's accuracy is {rel} the published linear SVM "
                         f"({fmt(pub['accuracy'], 4)}; spam caught {fmt(pub['R'], 3)} against Crible's "
                         f"{fmt(c['recall'])}).")
            out.append(text)

    # Topics
    items = []
    for n, e in ok.items():
        if e["task"] != "topic":
            continue
        c, maj = e["systems"]["crible"], e["systems"]["majority"]
        rel = "below" if _below(c["accuracy"], maj["accuracy"]) else "at or above"
        items.append(f"{n} accuracy {fmt(c['accuracy'])} ({rel} the majority class, {fmt(maj['accuracy'])}), "
                     f"coverage {pct(c['coverage'])}")
    if items:
        text = "* **Topics.** " + "; ".join(items) + "."
        if "ag_news_en" in ok:
            pub = [p["accuracy"] for p in PUBLISHED["ag_news_en"]]
            c = ok["ag_news_en"]["systems"]["crible"]["accuracy"]
            text += (f" On AG News Crible is {_against_published(c, pub, 'published supervised models')}, "
                     f"which were trained on 120,000 AG News articles.")
        out.append(text)

    # Language
    li = [(n, e["language_identification"]["accuracy"]) for n, e in ok.items()]
    if li:
        worst = min(li, key=lambda x: x[1] if x[1] is not None else -1)
        out.append(f"* **Language identification** is {_range([a for _, a in li])} across the sets; "
                   f"the lowest is {worst[0]} ({fmt(worst[1])}).")

    failures = sum(e["crible_runs"][k]["error_records"] + e["crible_runs"][k]["missing_verdicts"]
                   for e in ok.values() for k in e["crible_runs"])
    out.append(f"* **Failures.** Crible returned {failures} error records or missing verdicts over all runs.")
    checks = report["peer_check"]
    if checks:
        bad = [c for c in checks if c["agrees"] is False]
        out.append("* **Peers.** " + (
            f"All {len(checks)} peer figures agree with the earlier measurement within ±{REFERENCE_TOLERANCE}."
            if not bad else
            f"{len(bad)} of {len(checks)} peer figures differ from the earlier measurement: "
            + "; ".join(f"{c['dataset']} {c['system']} {c['metric']} {fmt(c['value'])} vs {fmt(c['reference'])}"
                        for c in bad) + "."))
    missing_peers = [p.name for p in peers.values() if p.scorer is None]
    if missing_peers:
        out.append("* **Not run:** " + "; ".join(f"{p.name}: {p.status}" for p in peers.values()
                                                  if p.scorer is None) + ".")
    out.append("* Crible is not trained on any of these sets; the published models for DEFT, Davidson, SMS and "
               "AG News are supervised models trained on the same sources. All Crible numbers belong to the "
               "rules digest above and change with the rule packs.")
    return out


# --------------------------------------------------------------------------------------------


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", required=True, help="folder of the evaluation JSONL files")
    parser.add_argument("--crible", required=True, help="the crible binary")
    parser.add_argument("--output", required=True, help="Markdown report to write")
    parser.add_argument("--json", help="JSON results to write (default: evaluation.json next to --output)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="evaluate only these datasets (file stems)")
    parser.add_argument("--limit", type=int, help="use only the first N lines of each file (quick checks)")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    args = parser.parse_args(argv)

    if not os.path.isdir(args.datasets):
        print(f"eval_peers: no datasets folder at {args.datasets}; nothing to evaluate.", file=sys.stderr)
        return 0
    if args.only:
        unknown = set(args.only) - {d["name"] for d in DATASETS}
        if unknown:
            parser.error("unknown dataset(s): " + ", ".join(sorted(unknown)))
    json_path = args.json or os.path.join(os.path.dirname(os.path.abspath(args.output)), "evaluation.json")

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    version = crible_version(args.crible)
    startup = measure_startup(args.crible)
    peers = {key: PeerState(key) for key in PEERS}
    for peer in peers.values():
        log(f"{peer.name}: {peer.status}" + (f" ({peer.version_string})" if peer.scorer else ""))

    evaluation = evaluate(args, peers, log)
    report: dict[str, Any] = {
        "meta": {
            **run_metadata("scripts/eval_peers.py", "EVAL_PEERS_COMMAND", argv),
            "crible": args.crible,
            "crible_version": version,
            "rules_digests": evaluation["rules_digests"],
            "crible_startup_seconds": startup,
            "datasets": args.datasets,
            "limit": args.limit,
            "peers": {k: {"name": p.name, "status": p.status, "versions": p.versions, "load_seconds": p.load_seconds}
                      for k, p in peers.items()},
            "conventions": {
                "sentiment_threshold": SENTIMENT_THRESHOLD, "textblob_threshold": TEXTBLOB_THRESHOLD,
                "vader_gold_scale": VADER_GOLD_SCALE, "toxic_labels": list(TOXIC_LABELS),
                "hate_label": HATE_LABEL, "spam_label": SPAM_LABEL,
            },
        },
        "datasets": evaluation["datasets"],
        "published": PUBLISHED,
    }
    # The earlier measurements are on whole files; a partial run cannot be compared with them.
    report["peer_check"] = [] if args.limit else peer_check(report["datasets"])
    report["meta"]["total_seconds"] = time.perf_counter() - started

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(render(report, peers))
    with open(json_path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=1, ensure_ascii=False, sort_keys=False)
        handle.write("\n")
    log(f"wrote {args.output} and {json_path} in {report['meta']['total_seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
