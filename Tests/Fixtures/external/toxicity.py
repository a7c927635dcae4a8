#!/usr/bin/env python3
"""A stand-in for an external model, speaking Crible's JSON-lines plugin protocol.

It flags the word "toxique" and misbehaves on purpose when asked to, so the tests can check
how Crible handles a slow, crashing or confused plugin.
"""
import json
import sys
import time

for line in sys.stdin:
    request = json.loads(line)
    text = request["text"]
    if "CRASH" in text:
        sys.exit(3)
    if "SLOW" in text:
        time.sleep(30)
    if "GARBAGE" in text:
        print("this is not JSON", flush=True)
        continue
    labels = []
    data = text.encode("utf-8")
    start = data.find("toxique".encode("utf-8"))
    if start >= 0:
        labels.append({"label": "test/toxic", "score": 0.9, "spans": [[start, start + len("toxique")]]})
    print(json.dumps({"id": request["id"], "labels": labels}), flush=True)
