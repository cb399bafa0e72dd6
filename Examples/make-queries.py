#!/usr/bin/env python3
"""Writes Examples/queries.jsonl: the queries for `bigram-search check --corpus Examples/more.jsonl`,
with expected ids computed here by brute force, independently of the library.

The rule (README "What a query matches", restricted to what these queries need):
  * the text is normalized: NFKC + case folding (ＬＩＮＵＸ -> linux), whitespace between CJK
    characters removed (a line wrap inside a word joins it: 参\\n观 -> 参观);
  * a term matches a document when it is a substring of the normalized `text`, and a Latin or
    digit end of the term does not continue into more letters/digits (`file` is not in `files`);
    punctuation is kept, so 常熟市 is not in 常熟，市;
  * clauses combine as written in each entry below (AND, OR, NOT) with Python's set logic.

Usage: python3 Examples/make-queries.py > Examples/queries.jsonl   (from the repository root)
"""
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def normalize(text):
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(rf"(?<=[{CJK}])\s+(?=[{CJK}])", "", text)


docs = [json.loads(line) for line in (HERE / "more.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
texts = {d["id"]: normalize(d.get("text") or "") for d in docs}


def has(term):
    """Ids of the documents whose normalized text contains `term` (word-bounded at Latin/digit ends)."""
    t = normalize(term)
    left = r"(?<![0-9a-z])" if re.match(r"[0-9a-z]", t) else ""
    right = r"(?![0-9a-z])" if re.search(r"[0-9a-z]$", t) else ""
    pattern = re.compile(left + re.escape(t) + right)
    return {i for i, x in texts.items() if pattern.search(x)}


ALL = set(texts)

# (query as typed, kind, expected set computed from `has`)
QUERIES = [
    ("核", "1char", has("核")),
    ("园", "1char", has("园")),
    ("參", "1char", has("參")),
    ("参观", "2char", has("参观")),                  # across a line wrap in ex-02
    ("升级", "2char", has("升级")),                  # across a blank line in ex-01
    ("常熟", "2char", has("常熟")),                  # also inside 非常熟悉 (ex-03)
    ("体育", "2char", has("体育")),                  # no Traditional folding by default: none
    ("體育", "2char", has("體育")),
    ("常熟市", "phrase", has("常熟市")),              # not 常熟，市 (ex-02)
    ("小微企业园", "phrase", has("小微企业园")),
    ('"中国 人民"', "phrase", has("中国人民")),       # quoted: the phrase 中国人民
    ("linux", "latin", has("linux")),                # Linux and full-width Ｌｉｎｕｘ
    ("ＬＩＮＵＸ", "latin", has("linux")),
    ("file", "latin", has("file")),                  # not files
    ("files", "latin", has("files")),
    ("Linux内核", "mixed", has("linux内核")),
    ("2000亿元", "mixed", has("2000亿元")),
    ("中国 人民", "boolean", has("中国") & has("人民")),
    ("常熟 -非常", "boolean", has("常熟") - has("非常")),
    ("旅游 OR 體育", "boolean", has("旅游") | has("體育")),
    ("考察 (苏州 OR 常熟市)", "boolean", has("考察") & (has("苏州") | has("常熟市"))),
    ("-经济 增长", "boolean", (ALL - has("经济")) & has("增长")),
]

for q, kind, expected in QUERIES:
    sys.stdout.write(json.dumps({"q": q, "kind": kind, "expected": sorted(expected)}, ensure_ascii=False) + "\n")
