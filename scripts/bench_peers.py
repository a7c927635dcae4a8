#!/usr/bin/env python3
"""Measures Crible's throughput next to fast keyword matchers and a French sentiment lexicon.

Usage (normally through scripts/bench-peers.sh, which builds Crible and installs the peers):

    python scripts/bench_peers.py --crible .build/release/crible --megabytes 16 --repetitions 5 \
        [--output bench.md] [--json bench.json]

Everything runs on the same text, in one run, and ends in one table:

* the text is the `*.txt` files of ../shared/corpus (--corpus), or, when there are none, French-like
  text generated from a fixed seed (deterministic: the same bytes on every machine). It is cut into
  documents of about 3,000 bytes at blank lines and repeated until the batch reaches --megabytes
  (MB = 10^6 bytes of UTF-8), then written to .build/bench/documents.jsonl;
* 1,000 keywords are chosen from it by a fixed rule (half occur in the text, half do not) and
  written to .build/bench/keywords-1000.txt; its first 10 lines are the 10-keyword set;
* Crible measures itself (`crible bench --documents ... --keywords ... --format json`);
* the peers run in this process, one thread, on the same documents: Hyperscan (python-hyperscan),
  pyahocorasick, Python's `re`, and vaderSentiment-fr. Each timing is the median of
  --repetitions runs after one warm-up run.

Only the standard library is needed; a peer that is not installed, or fails, is reported in its
row as "not run: reason" and the others still run.
"""

from __future__ import annotations

import argparse
import copy
import importlib.metadata
import json
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import time
import unicodedata
import warnings
from collections import Counter
from peer_common import run_metadata
from typing import Any, Callable, Optional, Sequence

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DOCUMENT_BYTES = 3000  # documents are cut at blank lines to about this size
KEYWORD_COUNT = 1000
SMALL_KEYWORD_COUNT = 10
MIN_KEYWORD_LENGTH = 4
GENERATED_SEED = 20240917
GENERATED_SOURCE_BYTES = 300_000  # generated text before it is repeated, as the corpus is

# Suffixes that turn a word of the text into a French-looking word that is not in it.
ABSENT_SUFFIXES = ("eraient", "isation", "ements", "iques", "ettes", "aires", "ismes", "erons")

# The 1,000 keyword rules with one slow rule added: one the engine skips where its digits are
# missing, one it skips where a part of it is not found, one that runs everywhere (see
# `Benchmark.SlowRule`).
SLOW_RULE_GROUPS = ("keywords-1000-slow-regex", "keywords-1000-slow-regex-factor", "keywords-1000-slow-regex-unfiltered")
CRIBLE_IDS = ("load", "text-view", "keywords-10", "keywords-1000", *SLOW_RULE_GROUPS, "pipeline-1-job",
              "pipeline-N-jobs", "sentiment-1-job", "jsonl-1-job", "jsonl-N-jobs")
CRIBLE_NAMES = {  # used when Crible's output does not name a measurement
    "load": "rule loading", "text-view": "text view", "keywords-10": "text view + 10 keyword rules",
    "keywords-1000": "text view + 1,000 keyword rules",
    "keywords-1000-slow-regex": "text view + 1,000 keyword rules + one catastrophic regex rule needing 12 digits",
    "keywords-1000-slow-regex-factor": "text view + 1,000 keyword rules + one catastrophic regex rule needing 12 symbols in a row",
    "keywords-1000-slow-regex-unfiltered": "text view + 1,000 keyword rules + one catastrophic regex rule that always runs",
    "pipeline-1-job": "full pipeline, 1 job",
    "pipeline-N-jobs": "full pipeline, all jobs",
    "sentiment-1-job": "sentiment alone, 1 job",
    "jsonl-1-job": "pipeline + JSON lines, 1 job",
    "jsonl-N-jobs": "pipeline + JSON lines, all jobs",
}

# --------------------------------------------------------------------------------------------
# Folding: what "case- and accent-insensitive" means for the Python peers
# --------------------------------------------------------------------------------------------

_MARKS = re.compile("[\u0300-\u036f]+")
LIGATURES = {"œ": "oe", "æ": "ae"}


def fold(text: str) -> str:
    """Lowercase without accents: NFD, drop the combining accents U+0300–U+036F, lowercase, and
    write the ligatures œ and æ as oe and ae. This is the Python peers' "text view"."""
    folded = _MARKS.sub("", unicodedata.normalize("NFD", text)).lower()
    for ligature, letters in LIGATURES.items():
        if ligature in folded:
            folded = folded.replace(ligature, letters)
    return folded


def word_tokens(folded: str) -> list[str]:
    """Runs of letters and digits, as Crible's tokenizer cuts them (underscore, apostrophes and
    hyphens separate)."""
    return re.findall(r"[^\W_]+", folded)


# Hyperscan: the accented letters of French, by the ASCII letter they fold to. With
# HS_FLAG_CASELESS the capitals match too. Classes of every Latin letter that folds to a letter
# (about 40 for `a`) made the 1,000-keyword database take 90 s to compile and scan at a fifth of
# the speed; letters with accents that French does not use are rare enough in French text.
FRENCH_VARIANTS = {"a": "aàâä", "c": "cç", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "y": "yÿ"}


# --------------------------------------------------------------------------------------------
# Text and documents
# --------------------------------------------------------------------------------------------

FUNCTION_WORDS = (
    "le la les de des du un une et à en dans pour par sur avec sans sous entre vers chez qui que "
    "quoi dont où ce cette ces son sa ses leur leurs nous vous ils elles il elle on ne pas plus "
    "mais ou donc car aussi très bien déjà encore toujours après avant depuis pendant selon comme "
    "être avoir fait été sont était ont peut doit même tout tous toute autre deux trois premier "
    "année français française européen gouvernement entreprise données réseau marché sécurité"
).split()
SYLLABLES = (
    "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go la le li lo lu ma me mi "
    "mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo "
    "con com pro pré dé ré tra tri par por ver mon man cha che chi tion ment eur ance ence ique "
    "age ise ette elle oir dé té ré pré né lè mè frè tê prê cô rô dî sû ça çon cœ"
).split()


def generated_paragraphs(seed: int = GENERATED_SEED, size: int = GENERATED_SOURCE_BYTES) -> list[str]:
    """French-looking text from a fixed seed: a Zipf-distributed vocabulary of French function
    words and syllable-built words, in sentences and paragraphs. Deterministic."""
    rng = random.Random(seed)
    made: list[str] = []
    seen = set(FUNCTION_WORDS)
    while len(made) < 4000:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            made.append(word)
    vocabulary = list(FUNCTION_WORDS) + made
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    paragraphs: list[str] = []
    total = 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(2, 6)):
            words = rng.choices(vocabulary, weights, k=rng.randint(6, 22))
            for index in range(2, len(words) - 1):
                if rng.random() < 0.08:
                    words[index] += ","
            sentence = " ".join(words)
            sentences.append(sentence[0].upper() + sentence[1:] + rng.choice(".....?!"))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        total += len(paragraph.encode("utf-8")) + 2
    return paragraphs


def split_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n[ \t\r\f\v]*\n", text) if p.strip()]


def load_source(corpus: str) -> tuple[list[str], dict[str, Any]]:
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".txt")) if os.path.isdir(corpus) else []
    if files:
        paragraphs: list[str] = []
        sizes = {}
        for name in files:
            with open(os.path.join(corpus, name), encoding="utf-8") as handle:
                text = handle.read()
            sizes[name] = len(text.encode("utf-8"))
            paragraphs.extend(split_paragraphs(text))
        if paragraphs:
            return paragraphs, {"kind": "corpus", "folder": shown_path(corpus), "files": sizes}
    return generated_paragraphs(), {"kind": "generated", "seed": GENERATED_SEED,
                                    "generator": "`generated_paragraphs` in scripts/bench_peers.py, Python's random.Random"}


def make_documents(paragraphs: list[str], target_bytes: int) -> list[str]:
    """Paragraphs in order, repeated as often as needed, joined by blank lines into documents of
    about DOCUMENT_BYTES (a document closes before the paragraph that would take it past that
    size); stops at the first document boundary at or after target_bytes."""
    documents: list[str] = []
    current: list[str] = []
    current_bytes = 0
    total = 0
    index = 0
    while True:
        paragraph = paragraphs[index % len(paragraphs)]
        index += 1
        size = len(paragraph.encode("utf-8"))
        if current and current_bytes + 2 + size > DOCUMENT_BYTES:
            document = "\n\n".join(current)
            documents.append(document)
            total += len(document.encode("utf-8"))
            current, current_bytes = [], 0
            if total >= target_bytes:
                break
        current.append(paragraph)
        current_bytes += size + (2 if len(current) > 1 else 0)
    return documents


# --------------------------------------------------------------------------------------------
# Keywords
# --------------------------------------------------------------------------------------------


def choose_keywords(paragraphs: list[str]) -> tuple[list[str], dict[str, Any]]:
    """1,000 keywords, half in the text and half not, interleaved (so the first 10 are 5 + 5).

    Word types: folded tokens made of ASCII letters only, at least MIN_KEYWORD_LENGTH long, ranked
    by frequency (then alphabetically). Occurring keywords: every k-th type from rank k//2, with
    k = types // 500. Absent keywords: types in rank order, each with the next suffix of
    ABSENT_SUFFIXES, kept when the result is no token of the text.
    """
    counts = Counter(word_tokens(fold("\n\n".join(paragraphs))))
    every_token = set(counts)
    ranked = sorted((w for w in counts if len(w) >= MIN_KEYWORD_LENGTH and re.fullmatch("[a-z]+", w)),
                    key=lambda w: (-counts[w], w))
    half = KEYWORD_COUNT // 2
    step = max(1, len(ranked) // half)
    present = [ranked[i] for i in range(step // 2, len(ranked), step)][:half]
    chosen = set(present)
    absent: list[str] = []
    suffix_index = 0
    for word in ranked * 2:
        if len(absent) >= KEYWORD_COUNT - len(present):
            break
        variant = word + ABSENT_SUFFIXES[suffix_index % len(ABSENT_SUFFIXES)]
        suffix_index += 1
        if variant not in every_token and variant not in chosen:
            chosen.add(variant)
            absent.append(variant)
    keywords: list[str] = []
    for i in range(max(len(present), len(absent))):
        if i < len(present):
            keywords.append(present[i])
        if i < len(absent):
            keywords.append(absent[i])
    keywords = keywords[:KEYWORD_COUNT]
    small = keywords[:SMALL_KEYWORD_COUNT]
    info = {
        "types": len(ranked), "step": step, "present": len(present), "absent": len(absent),
        "small_present": sum(1 for w in small if w in counts), "small": small,
    }
    return keywords, info


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------


class Row:
    """One line of the table."""

    def __init__(self, group: str, system: str, label: str, nbytes: int = 0):
        self.group = group  # text-view, keywords-10, keywords-1000, pipeline-1-job, ...
        self.system = system
        self.label = label
        self.bytes = nbytes
        self.seconds: list[float] = []
        self.status = "ok"
        self.note = ""
        self.matches: Optional[int] = None
        self.sample = False
        self.reported_median: Optional[float] = None  # Crible's own median, when it gives one
        self.crible_ratio: Optional[float] = None  # Crible's MB/s ÷ this row's, same measurement
        # On 1,000-keyword rows: s/MB with 1,000 ÷ with 10; on the slow-rule rows: with the slow
        # rule ÷ without it.
        self.scaling: Optional[float] = None

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.seconds)

    @property
    def median(self) -> Optional[float]:
        if self.reported_median is not None:
            return self.reported_median
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def mbps(self) -> Optional[float]:
        median = self.median
        if not self.ok or not self.bytes or not median:
            return None
        return self.bytes / 1e6 / median

    def as_json(self) -> dict[str, Any]:
        return {"group": self.group, "system": self.system, "measurement": self.label, "bytes": self.bytes,
                "sample": self.sample, "seconds": self.seconds, "median_seconds": self.median,
                "megabytes_per_second": self.mbps, "status": self.status, "matches": self.matches,
                "note": self.note or None}


def timed(row: Row, run: Callable[[Optional[Counter]], int], repetitions: int,
          warmup_counts: Optional[Counter] = None, log: Callable[[str], None] = print) -> None:
    """One warm-up run (which may record per-keyword counts), then `repetitions` timed runs."""
    try:
        row.matches = run(warmup_counts)
        for _ in range(repetitions):
            start = time.perf_counter()
            run(None)
            row.seconds.append(time.perf_counter() - start)
    except Exception as error:  # a peer that breaks is reported in its row, not fatal
        row.seconds = []
        row.status = f"not run: failed ({type(error).__name__}: {error})"[:200]
    log(f"  {row.system}, {row.label}: " + (f"{row.mbps:.1f} MB/s" if row.mbps else
                                             (f"{row.median:.3f} s" if row.ok else row.status)))


def prefix(documents: list[str], encoded: list[bytes], megabytes: float) -> int:
    """How many leading documents make at least `megabytes` MB (all of them if fewer)."""
    total = 0
    for count, data in enumerate(encoded, 1):
        total += len(data)
        if total >= megabytes * 1e6:
            return count
    return len(documents)


# --------------------------------------------------------------------------------------------
# Crible
# --------------------------------------------------------------------------------------------


def crible_version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             check=True, timeout=60)
        return out.stdout.decode(errors="replace").strip() or "unknown"
    except (OSError, subprocess.SubprocessError) as error:
        return f"unknown (`--version` failed: {getattr(error, 'strerror', None) or error})"


def run_crible(binary: str, documents_path: str, keywords_path: str, repetitions: int,
               log: Callable[[str], None]) -> tuple[Optional[dict[str, Any]], str, str, list[str]]:
    """Runs `crible bench` and returns (parsed JSON, or None with a short and a full reason; command)."""
    command = [binary, "bench", "--documents", documents_path, "--keywords", keywords_path,
               "--repetitions", str(repetitions), "--format", "json"]
    log("crible: " + shlex.join(command))
    try:
        # Standard error passes through: Crible's own progress and error messages show as they come.
        out = subprocess.run(command, stdout=subprocess.PIPE, stderr=None)
    except OSError as error:
        return None, "cannot execute crible", f"cannot execute {binary}: {error.strerror or error}", command
    if out.returncode != 0:
        return None, f"`crible bench` failed (status {out.returncode})", \
            f"`crible bench` exited with status {out.returncode} (its message is above)", command
    try:
        data = json.loads(out.stdout.decode("utf-8"))
        problem = None
        if not isinstance(data, dict) or not isinstance(data.get("batch"), dict) \
                or not isinstance(data.get("measurements"), list):
            problem = "no `batch` object or `measurements` list"
        else:
            for m in data["measurements"]:
                if not isinstance(m, dict) or not all(k in m for k in ("id", "bytes", "seconds", "median_seconds")):
                    problem = f"a measurement lacks id, bytes, seconds or median_seconds: {str(m)[:100]}"
                    break
    except ValueError as error:
        problem = f"{type(error).__name__}: {error}"
    if problem:
        head = out.stdout[:200].decode("utf-8", errors="replace")
        return None, "no valid JSON from `crible bench`", \
            f"`crible bench` printed no valid JSON ({problem}; its output starts {head!r})", command
    return data, "", "", command


# --------------------------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------------------------


def dist_version(*names: str) -> Optional[str]:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def missing_reason(package: str, error: BaseException) -> str:
    failed = os.environ.get("BENCH_PEERS_PIP_FAILED", "").split()
    why = f"{package} is not installed"
    if package in failed:
        why += " (pip could not install it; see the message above)"
    elif isinstance(error, ImportError) and not isinstance(error, ModuleNotFoundError):
        why = f"{package} does not import ({error})"
    return "not run: " + why


# What counts as a letter or digit at a keyword's edges: ASCII letters and digits, and the Latin
# letters U+00C0–U+024F (Latin-1 letters without × and ÷, Latin Extended-A and -B). `\p{L}\p{N}`
# would be Unicode's full set, but it made the 100-keyword database 10 MB and its compile 15 s.
HS_WORD = "0-9A-Za-zÀ-ÖØ-öø-ɏ"
HS_PATTERN_LEFT = rf"(?:\A|[^{HS_WORD}])"
HS_PATTERN_RIGHT = rf"(?:[^{HS_WORD}]|\z)"
HS_FLAG_NAMES = ("HS_FLAG_CASELESS", "HS_FLAG_UTF8")


def hyperscan_pattern(keyword: str) -> str:
    """`keyword` (ASCII letters) as a Hyperscan pattern: a letter that French writes with accents
    becomes the class of its accented forms, `oe` and `ae` also match the ligatures, and the word
    is bounded by anything that is not a letter or a digit (or the start or end of the document)."""
    def letter(ch: str) -> str:
        return f"[{FRENCH_VARIANTS[ch]}]" if ch in FRENCH_VARIANTS else ch

    parts = []
    i = 0
    while i < len(keyword):
        pair = keyword[i:i + 2]
        if pair in ("oe", "ae"):
            ligature = "œ" if pair == "oe" else "æ"
            parts.append(f"(?:{letter(pair[0])}{letter(pair[1])}|{ligature})")
            i += 2
        else:
            parts.append(letter(keyword[i]))
            i += 1
    return HS_PATTERN_LEFT + "".join(parts) + HS_PATTERN_RIGHT


class Peers:
    """The peers, imported once; each missing one keeps its reason."""

    def __init__(self) -> None:
        self.versions: dict[str, Optional[str]] = {
            "hyperscan": dist_version("hyperscan"),
            "pyahocorasick": dist_version("pyahocorasick"),
            "vaderSentiment-fr": dist_version("vaderSentiment-fr", "vaderSentiment_fr"),
        }
        self.errors: dict[str, str] = {}
        self.hyperscan: Any = None
        self.ahocorasick: Any = None
        self.vader_fr: Any = None
        self.hyperscan_library: Optional[str] = None
        try:
            import hyperscan  # type: ignore
            self.hyperscan = hyperscan
        except Exception as error:
            self.errors["hyperscan"] = missing_reason("hyperscan", error)
        try:
            import ahocorasick  # type: ignore
            self.ahocorasick = ahocorasick
        except Exception as error:
            self.errors["pyahocorasick"] = missing_reason("pyahocorasick", error)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # fuzzywuzzy warns that python-Levenshtein is absent
                from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore
            self.vader_fr = SentimentIntensityAnalyzer
        except Exception as error:
            self.errors["vaderSentiment-fr"] = missing_reason("vaderSentiment-fr", error)


def bench_hyperscan(peers: Peers, keywords: list[str], group: str, encoded: list[bytes], nbytes: int,
                    repetitions: int, counts: Counter,
                    info: dict[str, Any], log: Callable[[str], None]) -> Row:
    row = Row(group, "Hyperscan", f"{len(keywords):,} keywords, one database, block mode", nbytes)
    if peers.hyperscan is None:
        row.status = peers.errors["hyperscan"]
        return row
    hs = peers.hyperscan
    try:
        flags = 0
        for name in HS_FLAG_NAMES:
            flags |= getattr(hs, name)
        expressions = [hyperscan_pattern(k).encode("utf-8") for k in keywords]
        database = hs.Database(mode=hs.HS_MODE_BLOCK)
        start = time.perf_counter()
        database.compile(expressions=expressions, ids=list(range(len(keywords))), elements=len(keywords),
                         flags=[flags] * len(keywords))
        info[f"compile_seconds_{len(keywords)}"] = time.perf_counter() - start
        info[f"database_bytes_{len(keywords)}"] = database.size()
        if peers.hyperscan_library is None:
            described = database.info()
            described = described.decode() if isinstance(described, bytes) else str(described)
            found = re.search(r"Version:\s*(\S+)", described)
            peers.hyperscan_library = found.group(1) if found else described
    except Exception as error:
        row.status = f"not run: Hyperscan could not compile the database ({type(error).__name__}: {error})"[:200]
        return row

    def run(record: Optional[Counter]) -> int:
        matches = [0]
        if record is None:
            def on_match(pattern_id: int, start: int, end: int, flags: int, context: Any) -> None:
                matches[0] += 1
        else:
            def on_match(pattern_id: int, start: int, end: int, flags: int, context: Any) -> None:
                matches[0] += 1
                record[keywords[pattern_id]] += 1
        for data in encoded:
            database.scan(data, match_event_handler=on_match)
        return matches[0]

    timed(row, run, repetitions, counts, log)
    return row


def bench_ahocorasick(peers: Peers, keywords: list[str], group: str, texts: list[str], nbytes: int,
                      repetitions: int, counts: Counter, log: Callable[[str], None]) -> Row:
    row = Row(group, "pyahocorasick", f"{len(keywords):,} keywords, fold + automaton + boundary check", nbytes)
    if peers.ahocorasick is None:
        row.status = peers.errors["pyahocorasick"]
        return row
    automaton = peers.ahocorasick.Automaton()
    for keyword in keywords:
        automaton.add_word(keyword, len(keyword))
    automaton.make_automaton()

    def run(record: Optional[Counter]) -> int:
        matches = 0
        for text in texts:
            folded = fold(text)
            last = len(folded) - 1
            for end, length in automaton.iter(folded):
                start = end - length + 1
                if (start == 0 or not folded[start - 1].isalnum()) and (end == last or not folded[end + 1].isalnum()):
                    matches += 1
                    if record is not None:
                        record[folded[start:end + 1]] += 1
        return matches

    timed(row, run, repetitions, counts, log)
    return row


def bench_re(keywords: list[str], group: str, texts: list[str], nbytes: int, repetitions: int,
             log: Callable[[str], None], sample: bool) -> Row:
    row = Row(group, "Python re", f"{len(keywords):,} keywords, one alternation, fold + finditer", nbytes)
    row.sample = sample
    alternation = "|".join(sorted(keywords, key=lambda w: (-len(w), w)))
    pattern = re.compile(r"(?<![^\W_])(?:" + alternation + r")(?![^\W_])")

    def run(record: Optional[Counter]) -> int:
        return sum(1 for text in texts for _ in pattern.finditer(fold(text)))

    timed(row, run, repetitions, None, log)
    return row


def bench_fold(texts: list[str], nbytes: int, repetitions: int, log: Callable[[str], None]) -> Row:
    row = Row("text-view", "Python str", "fold: NFD, strip accents, lowercase", nbytes)

    def run(record: Optional[Counter]) -> int:
        return sum(len(fold(text)) for text in texts)

    timed(row, run, repetitions, None, log)
    row.matches = None
    return row


def bench_vader_fr(peers: Peers, texts: list[str], nbytes: int, repetitions: int,
                   log: Callable[[str], None]) -> Row:
    row = Row("pipeline-1-job", "vaderSentiment-fr", "polarity_scores per document", nbytes)
    row.sample = True
    if peers.vader_fr is None:
        row.status = peers.errors["vaderSentiment-fr"]
        return row
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            analyzer = peers.vader_fr()
    except Exception as error:
        row.status = f"not run: vaderSentiment-fr failed to load ({type(error).__name__}: {error})"[:200]
        return row

    def run(record: Optional[Counter]) -> int:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for text in texts:
                analyzer.polarity_scores(text)
        return len(texts)

    timed(row, run, repetitions, None, log)
    row.matches = None
    return row


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

GROUP_TITLES = {
    "load": "rule loading",
    "text-view": "text view (fold)",
    "keywords-10": "10 keywords",
    "keywords-1000": "1,000 keywords",
    "keywords-1000-slow-regex": "1,000 keywords + 1 slow rule needing 12 digits",
    "keywords-1000-slow-regex-factor": "1,000 keywords + 1 slow rule needing 12 symbols in a row",
    "keywords-1000-slow-regex-unfiltered": "1,000 keywords + 1 slow rule that always runs",
    "pipeline-1-job": "full pipeline, 1 job",
    "pipeline-N-jobs": "full pipeline, all jobs",
    "sentiment-1-job": "sentiment alone, 1 job",
    "jsonl-1-job": "pipeline + JSON lines, 1 job",
    "jsonl-N-jobs": "pipeline + JSON lines, all jobs",
}


def fmt_mbps(row: Row) -> str:
    if not row.ok:
        return row.status
    return "—" if row.mbps is None else (f"{row.mbps:.1f}" if row.mbps >= 1 else f"{row.mbps:.3f}")


def fmt_seconds(row: Row) -> str:
    return f"{row.median:.3f}" if row.ok else "—"


def fmt_bytes(row: Row) -> str:
    if not row.bytes or not row.ok:
        return "—"
    text = f"{row.bytes / 1e6:.2f} MB"
    return text + " (sample)" if row.sample else text


def fmt_ratio(x: Optional[float]) -> str:
    if x is None:
        return "—"
    return f"{x:.2f}×" if x < 100 else f"{x:.0f}×"


def crible_row(rows: list[Row], group: str) -> Optional[Row]:
    for row in rows:
        if row.system == "Crible" and row.group == group:
            return row
    return None


def ratios(rows: list[Row], crible_costs: Optional[dict[str, float]] = None) -> None:
    """Adds, to each row, Crible's MB/s divided by its own (same measurement), and on the
    1,000-keyword rows the cost of 1,000 keywords against 10 (seconds per MB, same system).
    Crible's costs are its own paired ratios (`cost_ratios`) when it gives them: each timed in
    alternation with what it is compared with, where the peers' are ratios of two medians."""
    for row in rows:
        reference = crible_row(rows, row.group)
        if row.system != "Crible" and reference is not None and reference.mbps and row.mbps:
            row.crible_ratio = reference.mbps / row.mbps
        if row.system == "Crible" and crible_costs and row.group in crible_costs:
            row.scaling = crible_costs[row.group]
            continue
        if (row.group == "keywords-1000" or row.group in SLOW_RULE_GROUPS) and row.mbps:
            smaller = "keywords-10" if row.group == "keywords-1000" else "keywords-1000"
            small = next((r for r in rows if r.group == smaller and r.system == row.system), None)
            if small is not None and small.mbps:
                row.scaling = small.mbps / row.mbps


def md_table(headers: Sequence[str], rows: list[Sequence[str]], align: str) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        padded = [c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(cells, widths, align)]
        return "| " + " | ".join(padded) + " |"

    sep = "| " + " | ".join(("-" * (w - 1) + ":") if a == "r" else "-" * w for w, a in zip(widths, align)) + " |"
    return [line(headers), sep] + [line(r) for r in rows]


def render(report: dict[str, Any], rows: list[Row]) -> str:
    meta = report["meta"]
    kw = report["keywords"]
    L: list[str] = []
    L.append("# Throughput: Crible and its peers on the same text")
    L.append("")
    L.append("Generated by `scripts/bench-peers.sh`; `--json FILE` writes the same numbers, and more, as JSON.")
    L.append("")
    L.append(f"* **Date:** {meta['date']}")
    L.append(f"* **Command:** `{meta['command']}`")
    L.append(f"* **Machine:** `uname -m` {meta['machine']}, `nproc` {meta['nproc']}, {meta['os']}, "
             f"Python {meta['python']}")
    crible = report["crible"]
    batch = crible.get("batch") or {}
    crible_line = f"* **Crible:** `crible --version` {meta['crible_version']} (`{meta['crible']}`)"
    if batch:
        crible_line += f"; {batch.get('rules', '—')} rules loaded, {batch.get('jobs', '—')} jobs for the all-jobs run"
    L.append(crible_line)
    for name, version in meta["peer_versions"].items():
        extra = ""
        if name == "hyperscan" and meta.get("hyperscan_library"):
            extra = f" (library {meta['hyperscan_library']}, from `Database.info()`)"
        L.append(f"* **{name}:** {version or 'not installed'}{extra}")
    source = report["text"]["source"]
    if source["kind"] == "corpus":
        files = ", ".join(f"`{name}` ({size:,} bytes)" for name, size in source["files"].items())
        L.append(f"* **Text:** the corpus at `{source['folder']}`: {files}, cut at blank lines into documents "
                 f"of about {DOCUMENT_BYTES:,} bytes and repeated to the batch size")
    else:
        L.append(f"* **Text:** no corpus found, so French-looking text generated from the fixed seed "
                 f"{source['seed']} by {source['generator']} (deterministic: the same bytes on every run), cut "
                 f"into documents of about {DOCUMENT_BYTES:,} bytes and repeated to the batch size")
    text = report["text"]
    L.append(f"* **Batch:** {text['documents']:,} documents, {text['bytes']:,} bytes of UTF-8 "
             f"({text['bytes'] / 1e6:.2f} MB), in `{text['documents_path']}`")
    L.append(f"* **Keywords:** `{kw['path']}`: {kw['count']:,} keywords ({kw['present']} that occur in the text: "
             f"one in {kw['step']} of its {kw['types']} folded word types of {MIN_KEYWORD_LENGTH}+ letters by "
             f"frequency; {kw['absent']} that do not: the same types with a suffix such as "
             f"`-{ABSENT_SUFFIXES[0]}`); the first {SMALL_KEYWORD_COUNT} lines ({kw['small_present']} occurring) "
             f"are the 10-keyword set: {', '.join(kw['small'])}")
    runs = f"{meta['repetitions']} timed run" + ("s" if meta["repetitions"] != 1 else "")
    L.append(f"* **Method:** one thread per measurement (except Crible's all-jobs run), median of {runs} "
             f"after one warm-up (Crible's rule loading, which takes a fraction of a second and uses every core: "
             f"median of {max(meta['repetitions'], 11)}); MB/s = UTF-8 bytes of the documents measured / 10^6 / median seconds")
    L.append("")
    headers = ["Measurement", "System", "What runs", "MB/s (median)", "Seconds (median)", "Bytes",
               "Crible ÷ this (MB/s)", "1,000 ÷ 10 keywords (s/MB); + slow rule ÷ without"]
    table: list[list[str]] = []
    for row in rows:
        table.append([GROUP_TITLES.get(row.group, row.group), row.system, row.label, fmt_mbps(row),
                      fmt_seconds(row), fmt_bytes(row),
                      "reference" if row.system == "Crible" and row.group != "load" and row.ok
                      and any(r.group == row.group and r.system != "Crible" for r in rows)
                      else fmt_ratio(row.crible_ratio),
                      fmt_ratio(row.scaling)])
    L.extend(md_table(headers, table, "lllrrrrr"))
    L.append("")
    L.append("Notes:")
    L.append("")
    for note in report["notes"]:
        L.append(f"* {note}")
    L.append("")
    return "\n".join(L)


def notes(report: dict[str, Any], rows: list[Row], hs_info: dict[str, Any],
          counts: dict[str, dict[str, Counter]], vader_docs: int, re_docs: int) -> list[str]:
    out: list[str] = []
    text_bytes = report["text"]["bytes"]
    digit_documents = report["text"].get("documents_with_12_digits_in_a_row", 0)
    symbol_documents = report["text"].get("documents_with_12_symbols_in_a_row", 0)
    batch = report["crible"].get("batch") or {}
    if batch and (batch.get("bytes") != text_bytes or batch.get("documents") != report["text"]["documents"]):
        out.append(f"**Crible counted {batch.get('documents')} documents and {batch.get('bytes')} bytes, this "
                   f"script {report['text']['documents']} and {text_bytes}:** Crible's MB/s use its own count.")
    if report["crible"].get("error"):
        out.append(f"**Crible was not measured:** {report['crible']['error']}.")
    speed_ups = {str(s.get("id", "")).split("-")[0]: s for s in report["crible"].get("speed_ups") or []
                 if isinstance(s, dict) and isinstance(s.get("median_paired_ratio"), (int, float))}
    if speed_ups:
        jobs = next(iter(speed_ups.values())).get("jobs", "N")
        parts = [f"{what} {speed_ups[key]['median_paired_ratio']:.2f}×"
                 for key, what in (("pipeline", "full pipeline"), ("jsonl", "pipeline + JSON lines")) if key in speed_ups]
        hosts = [f"{speed_ups[key]['host_reference_ratio']:.2f}× beside the {what}"
                 for key, what in (("pipeline", "full pipeline"), ("jsonl", "pipeline + JSON lines"))
                 if key in speed_ups and isinstance(speed_ups[key].get("host_reference_ratio"), (int, float))]
        host_note = ""
        if hosts:
            host_note = (" Timed in the same rounds, a reference shows what the machine gave at those moments: "
                         f"arithmetic on registers alone, split evenly over {jobs} threads, sharing nothing "
                         f"(`HostReference` in the source); its speed-up was {' and '.join(hosts)}. It falls when other "
                         "guests of this virtual machine take the cores (two single-thread processes of pure arithmetic "
                         "have run at 1.3× to 2.0× one within a few minutes here), and no program scales beyond it; it "
                         "does not see what they take of the shared cache and the memory bus.")
        out.append(f"**Speed-up with {jobs} jobs:** {', '.join(parts)}. Crible times one job and {jobs} jobs in "
                   "alternation (one, then the other, then the other way round), and each speed-up is the median "
                   "of the pairs' ratios, not the ratio of the two medians above: this machine's speed drifts "
                   "more between two blocks of runs than the ratio moves." + host_note)
    out.append("Crible's rows are its own measurements (`crible bench --documents ... --keywords ... --format json`); "
               "its keyword rows are the text view plus matching N case-insensitive, accent-insensitive, "
               "word-bounded keyword rules over all documents, one job. Its three slow-rule rows each add to the 1,000 "
               "keyword rules one regex rule that backtracks exponentially on every text it runs on (so it "
               "spends its whole match limit there) and has no literal for the prefilter: "
               "`(?:\\w+\\s?)+\\d{12}` needs twelve digits in a row, which the engine reads and looks for "
               f"before running it ({digit_documents:,} document{'' if digit_documents == 1 else 's'} of the batch "
               f"{'has' if digit_documents == 1 else 'have'} them); `(?:\\w+\\s?)+[^\\w\\s]{{12}}` needs twelve "
               "characters in a row that are neither word characters nor spaces, a part of it the engine "
               "searches alone (one fast pass, no nested repetition) before running it "
               f"({symbol_documents:,} document{'' if symbol_documents == 1 else 's'} "
               f"{'holds' if symbol_documents == 1 else 'hold'} such a run, counted by Python's `re`); and "
               "`(?:\\w+\\s?)+$` needs nothing the engine can read, so it runs on every document: the worst rule "
               "a user can add, bounded by its match limit. "
               "Each ratio is the time with the rule over the time without it. Crible's time ratios (1,000 keyword rules over 10, each slow rule "
               "over none) are medians of alternated pairs, as its speed-ups are; the peers' are ratios of their "
               "two medians. Its pipeline rows run the batch classifier, as `crible classify` "
               "does when it streams its output: each job keeps only what decides a verdict's outcome once the "
               "verdict is done; the JSON-lines rows add what `crible classify --format jsonl` does besides writing: each "
               "verdict encoded (every hit with its offsets, line and column) by the job that classified it.")
    compile_times = ", ".join(f"{hs_info[k]:.2f} s for {int(k.rsplit('_', 1)[1]):,} keywords"
                              for k in sorted(hs_info) if k.startswith("compile_seconds_"))
    out.append("Hyperscan: flags `HS_FLAG_CASELESS | HS_FLAG_UTF8` on every pattern, one database per keyword "
               "set, `HS_MODE_BLOCK`, one `scan` per document (UTF-8 bytes, encoded before timing) with a Python "
               "callback that counts matches. Each keyword is compiled as "
               f"`{HS_PATTERN_LEFT}` + letters + `{HS_PATTERN_RIGHT}`: a letter that French writes with "
               "accents is the class of its forms (`a` → `[aàâä]`, `c` → `[cç]`, `e` → `[eéèêë]`, `i` → `[iîï]`, "
               "`o` → `[oôö]`, `u` → `[uùûü]`, `y` → `[yÿ]`; capitals through CASELESS) and `oe`/`ae` also match "
               "`œ`/`æ`; a keyword is bounded by the start or end of the document or a character that is not an "
               "ASCII letter or digit nor a Latin letter in U+00C0–U+024F (× and ÷ excepted). So it is case- and accent-insensitive and "
               "word-bounded as Crible is for French text, with two simplifications that keep the database "
               "small (with classes of every accented Latin letter and `[^\\p{L}\\p{N}]` edges it took "
               "minutes to compile and scanned several times slower): other accented letters (`á`, `ñ`, `ø`…) "
               "do not match the plain letter, and letters of other scripts next to a keyword count as "
               "boundaries. `\\b` was not used: with `HS_FLAG_UCP` Hyperscan refuses it (\"\\b unsupported in "
               "UCP mode\"), and without UCP it is ASCII-only, so it finds a boundary inside `cafés` after "
               "`é`. The edge character is part of the match, which changes the reported offsets, not the "
               "count; a keyword that occurs is reported once per occurrence."
               + (f" Database compile time (not in the timings): {compile_times}." if compile_times else ""))
    out.append("pyahocorasick: one automaton of the folded keywords; per document the text is folded in Python "
               "(NFD, combining accents U+0300–U+036F removed, `str.lower()`, `œ`/`æ` → `oe`/`ae`), "
               "`Automaton.iter` lists every keyword occurrence and a match counts when the characters before "
               "and after it are not `str.isalnum()`. The folding is timed with it: it is what the Crible text "
               "view does; the \"text view\" row times that folding alone.")
    re_rows = [r for r in rows if r.system == "Python re"]
    if re_rows:
        sample_note = ""
        if any(r.sample for r in re_rows):
            sample_note = (f" The 1,000-keyword alternation is slow, so it was timed on the first {re_docs} "
                           f"documents ({next(r.bytes for r in re_rows if r.sample) / 1e6:.2f} MB, option `--re-megabytes`).")
        out.append("Python re: the same folding, then one compiled alternation of the keywords (longest first) "
                   "between `(?<![^\\W_])` and `(?![^\\W_])`, counted with `finditer`." + sample_note)
    vader = next((r for r in rows if r.system == "vaderSentiment-fr"), None)
    if vader is not None:
        out.append(f"vaderSentiment-fr: `SentimentIntensityAnalyzer().polarity_scores(text)` on each document; "
                   f"it is slow, so it was timed on the first {vader_docs} documents "
                   f"({vader.bytes / 1e6:.2f} MB, option `--vader-megabytes`). Its one timing is shown twice: "
                   "against Crible's whole pipeline (every bundled rule and plugin, sentiment included, one job), "
                   "and against Crible's sentiment alone (text view, language identification, the walk of the "
                   "lexicon's terms and the scoring, one job; no rule, no plugin), which is the work "
                   "vaderSentiment-fr does.")
    for group, systems in counts.items():
        found = {name: (sum(c.values()), len(c)) for name, c in systems.items()}
        if len(found) >= 2:
            values = set(found.values())
            detail = "; ".join(f"{name} {total:,} matches of {distinct} distinct keywords"
                               for name, (total, distinct) in found.items())
            if len(values) == 1 and all(systems[n] == next(iter(systems.values())) for n in systems):
                out.append(f"Check, {GROUP_TITLES[group]}: Hyperscan and pyahocorasick agree keyword by keyword "
                           f"({detail}).")
            else:
                out.append(f"**Check, {GROUP_TITLES[group]}: the peers disagree** ({detail}).")
    return out


# --------------------------------------------------------------------------------------------


def shown_path(path: str) -> str:
    """A path relative to the current folder when it is inside it or beside it (../shared), else
    absolute."""
    relative = os.path.relpath(path)
    return os.path.abspath(path) if relative.startswith(os.path.join("..", "..")) else relative


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crible", default=os.environ.get("CRIBLE_BIN") or os.path.join(REPO_ROOT, ".build/release/crible"),
                        help="the crible binary (default: $CRIBLE_BIN, else .build/release/crible)")
    parser.add_argument("--corpus", default=os.path.join(REPO_ROOT, "..", "shared", "corpus"),
                        help="folder of *.txt files to build the batch from (default: ../shared/corpus); "
                             "without any, French-like text is generated from a fixed seed")
    parser.add_argument("--megabytes", type=float, default=16, help="batch size in MB (10^6 bytes; default 16)")
    parser.add_argument("--repetitions", type=int, default=5, help="timed runs after one warm-up (default 5)")
    parser.add_argument("--vader-megabytes", type=float, default=1,
                        help="vaderSentiment-fr is timed on the first documents up to this size (default 1)")
    parser.add_argument("--re-megabytes", type=float, default=1,
                        help="Python re with 1,000 keywords is timed on the first documents up to this size "
                             "(default 1)")
    parser.add_argument("--no-re", action="store_true", help="skip the Python re rows")
    parser.add_argument("--work-dir", default=os.path.join(REPO_ROOT, ".build", "bench"),
                        help="where documents.jsonl and keywords-1000.txt go (default .build/bench)")
    parser.add_argument("--output", help="also write the report as Markdown to this file")
    parser.add_argument("--json", help="also write the numbers as JSON to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    args = parser.parse_args(argv)
    if args.megabytes <= 0 or args.repetitions < 1:
        parser.error("--megabytes must be positive and --repetitions at least 1")

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()

    # Text, documents, keywords.
    paragraphs, source = load_source(args.corpus)
    documents = make_documents(paragraphs, int(args.megabytes * 1_000_000))
    encoded = [d.encode("utf-8") for d in documents]
    total_bytes = sum(len(e) for e in encoded)
    keywords, keyword_info = choose_keywords(paragraphs)
    small = keywords[:SMALL_KEYWORD_COUNT]
    os.makedirs(args.work_dir, exist_ok=True)
    documents_path = os.path.join(args.work_dir, "documents.jsonl")
    keywords_path = os.path.join(args.work_dir, "keywords-1000.txt")
    with open(documents_path, "w", encoding="utf-8") as handle:
        for number, text in enumerate(documents, 1):
            handle.write(json.dumps({"id": f"bench-{number}", "text": text}, ensure_ascii=False) + "\n")
    with open(keywords_path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(keywords) + "\n")
    log(f"batch: {len(documents)} documents, {total_bytes / 1e6:.2f} MB "
        f"({'corpus ' + source['folder'] if source['kind'] == 'corpus' else 'generated text, seed ' + str(GENERATED_SEED)}); "
        f"{len(keywords):,} keywords ({keyword_info['present']} occurring)")

    # Crible.
    version = crible_version(args.crible)
    data, crible_short, crible_error, crible_command = run_crible(args.crible, shown_path(documents_path),
                                                    shown_path(keywords_path), args.repetitions, log)
    if crible_error:
        print(f"bench_peers: Crible not measured: {crible_error}", file=sys.stderr)
    rows: list[Row] = []
    jobs = (data or {}).get("batch", {}).get("jobs")
    # Crible names its multi-core run after the job count (`pipeline-2-jobs`).
    by_id = {(re.sub(r"-\d+-jobs$", "-N-jobs", str(m["id"]))): m for m in (data or {}).get("measurements", [])}
    crible_rows: dict[str, Row] = {}
    for ident in CRIBLE_IDS:
        measurement = by_id.get(ident)
        label = (measurement or {}).get("name") or (
            CRIBLE_NAMES[ident].replace("all jobs", f"{jobs} jobs") if jobs else CRIBLE_NAMES[ident])
        row = Row(ident, "Crible", str(label),
                  measurement["bytes"] if measurement and isinstance(measurement["bytes"], int) else 0)
        if measurement:
            try:
                row.seconds = [float(x) for x in measurement["seconds"]] or [float(measurement["median_seconds"])]
                row.reported_median = float(measurement["median_seconds"])
                if not row.bytes and ident != "load":
                    row.bytes = int((data or {}).get("batch", {}).get("bytes") or 0)
            except (TypeError, ValueError) as error:
                row.seconds = []
                row.status = f"not run: unreadable measurement in crible's output ({error})"[:200]
        else:
            row.status = f"not run: {crible_short}" if crible_error else "not run: not in crible's output"
        crible_rows[ident] = row

    # Peers.
    peers = Peers()
    for name, why in peers.errors.items():
        log(f"{name}: {why}")
    hs_info: dict[str, Any] = {}
    counts: dict[str, dict[str, Counter]] = {"keywords-10": {}, "keywords-1000": {}}
    vader_docs = prefix(documents, encoded, args.vader_megabytes)
    re_docs = prefix(documents, encoded, args.re_megabytes)
    log(f"peers, medians of {args.repetitions} runs after a warm-up:")
    fold_row = bench_fold(documents, total_bytes, args.repetitions, log)
    peer_rows: dict[str, list[Row]] = {"text-view": [fold_row], "keywords-10": [], "keywords-1000": []}
    for group, words in (("keywords-10", small), ("keywords-1000", keywords)):
        hs_counts: Counter = Counter()
        ac_counts: Counter = Counter()
        peer_rows[group].append(bench_hyperscan(peers, words, group, encoded, total_bytes, args.repetitions,
                                                hs_counts, hs_info, log))
        peer_rows[group].append(bench_ahocorasick(peers, words, group, documents, total_bytes, args.repetitions,
                                                  ac_counts, log))
        if peer_rows[group][0].ok:
            counts[group]["Hyperscan"] = hs_counts
        if peer_rows[group][1].ok:
            counts[group]["pyahocorasick"] = ac_counts
        if not args.no_re:
            sampled = group == "keywords-1000" and re_docs < len(documents)
            texts = documents[:re_docs] if sampled else documents
            nbytes = sum(len(e) for e in encoded[:len(texts)])
            peer_rows[group].append(bench_re(words, group, texts, nbytes, args.repetitions, log, sampled))
    vader_row = bench_vader_fr(peers, documents[:vader_docs], sum(len(e) for e in encoded[:vader_docs]),
                               args.repetitions, log)
    for ident in CRIBLE_IDS:
        rows.append(crible_rows[ident])
        rows.extend(peer_rows.get(ident, []))
        if ident == "pipeline-1-job":
            rows.append(vader_row)
        if ident == "sentiment-1-job":
            # The same timing, compared with the part of Crible that does what it does.
            rows.append(copy.copy(vader_row))
            rows[-1].group = ident
    crible_costs = {str(c["id"]): float(c["median_paired_time_ratio"]) for c in (data or {}).get("cost_ratios") or []
                    if isinstance(c, dict) and isinstance(c.get("median_paired_time_ratio"), (int, float))}
    ratios(rows, crible_costs)

    # Report.
    report: dict[str, Any] = {
        "meta": {
            **run_metadata("scripts/bench_peers.py", "BENCH_PEERS_COMMAND", argv),
            "crible": args.crible,
            "crible_version": version,
            "peer_versions": peers.versions,
            "hyperscan_library": peers.hyperscan_library,
            "repetitions": args.repetitions,
        },
        "text": {"source": source, "documents": len(documents), "bytes": total_bytes,
                 "documents_with_12_digits_in_a_row": sum(1 for d in documents if re.search(r"[0-9]{12}", d)),
                 "documents_with_12_symbols_in_a_row": sum(1 for d in documents if re.search(r"[^\w\s]{12}", d)),
                 "document_target_bytes": DOCUMENT_BYTES, "documents_path": shown_path(documents_path),
                 "vader_documents": vader_docs, "re_documents": re_docs},
        "keywords": {"path": shown_path(keywords_path), "count": len(keywords), **keyword_info},
        "crible": {"command": crible_command, "error": crible_error or None,
                   "batch": (data or {}).get("batch"), "measurements": (data or {}).get("measurements"),
                   "speed_ups": (data or {}).get("speed_ups"), "cost_ratios": (data or {}).get("cost_ratios")},
        "hyperscan": {"flags": list(HS_FLAG_NAMES), "mode": "HS_MODE_BLOCK",
                      "pattern": HS_PATTERN_LEFT + "<letter classes>" + HS_PATTERN_RIGHT, **hs_info},
    }
    report["notes"] = notes(report, rows, hs_info, counts, vader_docs, re_docs)
    report["rows"] = [{**row.as_json(), "crible_ratio": row.crible_ratio, "time_ratio": row.scaling}
                      for row in rows]
    report["meta"]["total_seconds"] = time.perf_counter() - started
    markdown = render(report, rows)
    print(markdown)
    if args.output:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(markdown)
        log(f"wrote {args.output}")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=1, ensure_ascii=False)
            handle.write("\n")
        log(f"wrote {args.json}")
    log(f"done in {report['meta']['total_seconds']:.0f}s")
    return 1 if crible_error else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench_peers: interrupted", file=sys.stderr)
        sys.exit(130)
