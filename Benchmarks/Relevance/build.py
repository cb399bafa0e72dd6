#!/usr/bin/env python3
# Builds the judged relevance set in this folder (documents.jsonl, queries.jsonl) from real text,
# WITHOUT using BigramSearch (no Swift code, no ICU word breaking).
#
# Requires (pip):   jieba==0.42.1   opencc-python-reimplemented==0.1.7
#   jieba   decides words (query words, trap words and their judgments).
#   opencc  is used ONLY to annotate heading-tw queries (which need character folding only and
#           which need regional word variants); it never decides a query or a judgment.
# Requires (Debian, bookworm): apt-get download of
#   debian-reference-zh-cn=2.100  debian-reference-zh-tw=2.100  manpages-zh=1.6.4.0-1
#   (fetched into a temporary folder unless --debs DIR already holds the three .deb files).
#
# Usage:
#   python3 Benchmarks/Relevance/build.py --open /work/shared/corpus/open.jsonl [--debs DIR] [--out DIR]
# The output is deterministic (fixed seed, sorted keys, stable order): rerunning it regenerates
# byte-identical files.  See README.md beside this file for every rule.
import argparse
import collections
import glob
import gzip
import html
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

SEED = 20240607
DEB_PINS = ["debian-reference-zh-cn=2.100", "debian-reference-zh-tw=2.100", "manpages-zh=1.6.4.0-1"]

# ---- document subset rule -------------------------------------------------------------------
MAN_MAX_CHARS = 12000          # man pages whose text is at most this many characters
LO_SAMPLE = 1000               # seeded sample of LibreOffice help pages
LILY_SAMPLE = 40               # seeded sample of LilyPond pages (mostly English distractors)
ALL_SOURCES = ("debian-reference-zh-cn", "maint-guide-zh-cn", "debian-edu-doc-zh-cn")

# ---- query counts per kind (seeded samples of the eligible items) -----------------------------
N_KNOWN_MAN = 120
N_KNOWN_TITLE = 50
N_TW_DEBREF = 80
N_TW_MAN = 80
N_TRAP = 60
N_GRADED = 60

MAX_CLAUSES = 4
# Function words dropped from heading queries (a user would not type them as search words).
STOPWORDS = set("""一个 一些 一种 以及 或者 如何 怎样 什么 这个 那个 这些 那些 我们 你的 可以 对于 关于
进行 所有 其他 相关 通过 使用 之间 以便 为了 其中 它们 以下 如果 是否 并且 或是
一個 一種 如何 怎樣 什麼 這個 那個 這些 那些 我們 對於 關於 進行 所有 其他 相關 通過 使用 之間 為了 其中
它們 以下 如果 是否 並且""".split())

# ---- matching rule (adapted from shared/corpus/oracle.py, the reference of the library's rule) --
HAN_KANA = (r"\u3005\u3007\u3021-\u3029\u3038-\u303B\u3041-\u309F\u30A0-\u30FF\u31F0-\u31FF"
            r"\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U0001B000-\U0001B16F\U00020000-\U000323AF")
HANGUL = r"\u1100-\u11FF\u3130-\u318F\uA960-\uA97F\uAC00-\uD7AF\uD7B0-\uD7FF"
CJK = f"[{HAN_KANA}{HANGUL}]"
JOIN_WS = re.compile(rf"(?<=[{HAN_KANA}])\s+(?=[{HAN_KANA}])")
WORDCH = rf"(?:(?!{CJK})[^\W_])"
UNIT = re.compile(rf"{CJK}+|{WORDCH}+")
HAN_RE = re.compile(rf"[{HAN_KANA}]")
HAN_ONLY = re.compile(rf"[{HAN_KANA}]+")


def norm(t):
    t = unicodedata.normalize("NFKC", t).casefold()
    return JOIN_WS.sub("", t)


def clauses(q):
    return [m.group(1) if m.group(1) is not None else m.group(2)
            for m in re.finditer(r'"([^"]*)"|(\S+)', q)]


def clause_regex(clause):
    units = UNIT.findall(norm(clause))
    if not units:
        return None
    parts = []
    for u in units:
        p = re.escape(u)
        if re.fullmatch(WORDCH + "+", u):
            p = (rf"(?<!{WORDCH})(?<!{WORDCH}[.,;'’]){p}"
                 rf"(?!{WORDCH})(?![.,;'’]{WORDCH})")
        parts.append(p)
    gap = rf"(?:(?!{CJK})[\W_])*"
    return re.compile(gap.join(parts))


_CACHE = {}


def matches(q, ntitle, ntext):
    """Every clause occurs in the normalized title or the normalized text."""
    if q not in _CACHE:
        tests = []
        for c in clauses(q):
            nc = norm(c)
            if HAN_ONLY.fullmatch(nc):          # one CJK run: a plain substring test
                tests.append(lambda t, nc=nc: nc in t)
            else:
                r = clause_regex(c)
                if r is not None:
                    tests.append(lambda t, r=r: r.search(t) is not None)
        _CACHE[q] = tests
    tests = _CACHE[q]
    return bool(tests) and all(f(ntitle) or f(ntext) for f in tests)


# ---- helpers -------------------------------------------------------------------------------------
def dumps(o):
    return json.dumps(o, ensure_ascii=False, sort_keys=True)


def ws1(s):
    return re.sub(r"\s+", " ", s).strip()


def join_wrapped(s):
    """Join wrapped lines: whitespace between two Han characters goes, other runs become a space."""
    return ws1(JOIN_WS.sub("", s))


SECNUM = re.compile(r"^(?:第\s*[0-9]+\s*章|附[录錄]\s*[A-Z]\s*\.|(?:[0-9A-Z]+\.)+(?:[0-9]+\.?)?)\s*")


def strip_secnum(h):
    return SECNUM.sub("", ws1(h)).strip()


def words(s, jieba):
    """Query words of a heading: jieba tokens (default mode) of its CJK runs that have >= 2
    characters, and its Latin/digit words (kept whole) of >= 2 characters with a letter, not in STOPWORDS, first occurrence only;
    more than MAX_CLAUSES: keep the longest MAX_CLAUSES (ties: earlier first), in heading order."""
    out = []
    toks = []
    for m in re.finditer(rf"[{HAN_KANA}]+|[A-Za-z0-9]+(?:[._+'-][A-Za-z0-9]+)*",
                         unicodedata.normalize("NFKC", s)):
        # CJK runs are cut by jieba; a Latin/digit word (like smb.conf) is kept whole
        toks += jieba.lcut(m.group(0)) if HAN_RE.match(m.group(0)) else [m.group(0)]
    for tok in toks:
        if len(tok) < 2 or tok in STOPWORDS or tok in out:
            continue
        if HAN_ONLY.fullmatch(tok) or re.search(r"[A-Za-z]", tok):
            out.append(tok)
    if len(out) > MAX_CLAUSES:
        keep = sorted(range(len(out)), key=lambda i: (-len(out[i]), i))[:MAX_CLAUSES]
        out = [out[i] for i in sorted(keep)]
    if not any(HAN_ONLY.fullmatch(w) for w in out):
        return None
    return out


CHUNK = re.compile(rf"{CJK}+|[A-Za-z0-9][A-Za-z0-9._+-]*[A-Za-z0-9]|[A-Za-z0-9]")


def chunks(s):
    """Query clauses of a zh-tw heading, as typed: the heading cut only at its own spaces and
    punctuation (no word segmentation: jieba's dictionary is Simplified and cuts Traditional text
    badly), keeping pieces with a CJK character or >= 2 Latin/digit characters; more than
    MAX_CLAUSES: keep the longest MAX_CLAUSES (ties: earlier first), in heading order."""
    out = []
    for piece in re.findall(rf"(?:{CJK}|[A-Za-z0-9._+-])+", unicodedata.normalize("NFKC", s)):
        piece = piece.strip("._+-")
        if (HAN_RE.search(piece) or len(piece) >= 2) and piece not in out:
            out.append(piece)
    if len(out) > MAX_CLAUSES:
        keep = sorted(range(len(out)), key=lambda i: (-len(out[i]), i))[:MAX_CLAUSES]
        out = [out[i] for i in sorted(keep)]
    if not any(HAN_RE.search(w) for w in out):
        return None
    return out


def get_debs(debs_dir):
    need = {"debian-reference-zh-cn", "debian-reference-zh-tw", "manpages-zh"}
    if debs_dir:
        have = {os.path.basename(p).split("_")[0] for p in glob.glob(os.path.join(debs_dir, "*.deb"))}
        if need <= have:
            return debs_dir
    d = debs_dir or tempfile.mkdtemp(prefix="relevance-debs-")
    os.makedirs(d, exist_ok=True)
    subprocess.run(["apt-get", "download", *DEB_PINS], cwd=d, check=True,
                   stdout=subprocess.DEVNULL)
    return d


def extract(debs_dir):
    root = tempfile.mkdtemp(prefix="relevance-ex-")
    for name in ("debian-reference-zh-cn", "debian-reference-zh-tw", "manpages-zh"):
        deb = sorted(glob.glob(os.path.join(debs_dir, name + "_*.deb")))[-1]
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    return root


# ---- Debian Reference: headings with anchor ids -------------------------------------------------
def html_heads(path):
    h = open(path, encoding="utf-8").read()
    out = []
    for m in re.finditer(r"<h(\d)[^>]*>(.*?)</h\1>", h, re.S):
        inner = m.group(2)
        ids = re.findall(r'id="([^"]+)"', inner)
        txt = ws1(html.unescape(re.sub(r"<[^>]+>", "", inner)))
        out.append((int(m.group(1)), ids[0] if ids else None, txt))
    return out


def debref_pairs(root, docs):
    """zh-cn doc id -> (level, anchor, zh-tw heading).  The corpus's sections of a page are its
    headings in order (a heading without a section is skipped: matched by exact title text in
    order); the zh-tw heading is the one carrying the same anchor id in the zh-tw page."""
    base = os.path.join(root, "usr/share/debian-reference")
    bypage = collections.defaultdict(list)
    for d in docs:
        if d["source"] == "debian-reference-zh-cn":
            page, n = d["id"].split("/", 1)[1].split("#")
            bypage[page].append((int(n), d))
    out = {}
    for page, lst in sorted(bypage.items()):
        lst.sort(key=lambda x: x[0])
        cn = html_heads(os.path.join(base, page))
        tw = {a: (lv, t) for lv, a, t in html_heads(os.path.join(base, page.replace(".zh-cn.", ".zh-tw.")))
              if a}
        j = 0
        for lv, anchor, txt in cn:
            if j < len(lst) and ws1(lst[j][1]["title"]) == txt:
                d = lst[j][1]
                out[d["id"]] = (lv, anchor, tw.get(anchor, (None, None))[1])
                j += 1
        assert j == len(lst), page
    return out


# ---- man pages: NAME descriptions ---------------------------------------------------------------
NAME_HDR = re.compile(r"^(?:NAME|名称|名稱|名字)\b|^(?:NAME|名称|名稱|名字)")
DESC_SPLIT = re.compile(r"\s+[-−–—]{1,2}\s+|\s+[-−–—]{1,2}(?=[^\x00-\x7f])|(?<=\w)\s*[—–]\s*")


def man_desc_rendered(text):
    lines = text.split("\n")
    for i, l in enumerate(lines):
        if l and not l[0].isspace() and NAME_HDR.match(l.strip()):
            blk = []
            for l2 in lines[i + 1:]:
                if l2.strip() == "":
                    if blk:
                        break
                    continue
                if not l2[0].isspace():
                    break
                blk.append(l2)
            return split_desc("\n".join(blk))
    return None


def split_desc(blk):
    s = join_wrapped(blk)
    parts = DESC_SPLIT.split(s, 1)
    if len(parts) != 2 or not parts[1].strip():
        return None
    return parts[1].strip()


ROFF_ESC = [(re.compile(r"\\f(?:\[[^\]]*\]|\(..|.)"), ""), (re.compile(r"\\\((?:em|en)"), "—"),
            (re.compile(r"\\\(.."), ""), (re.compile(r"\\[,/&%:]"), ""), (re.compile(r"\\-"), "-"),
            (re.compile(r"\\e"), "\\\\"), (re.compile(r"\\ "), " "), (re.compile(r'\\".*'), "")]


def roff_text(line):
    if line.startswith(".") or line.startswith("'"):
        m = re.match(r"^[.'](\w+)\s*(.*)$", line)
        if not m:
            return ""
        mac, arg = m.group(1), m.group(2)
        if mac in ("B", "I", "SM", "SB"):
            line = arg.replace('"', "")
        elif mac in ("BR", "RB", "IR", "RI", "BI", "IB"):
            line = "".join(re.findall(r'"[^"]*"|\S+', arg)).replace('"', "")
        else:
            return ""
    for r, s in ROFF_ESC:
        line = r.sub(s, line)
    return line


def man_desc_roff(path, base, depth=0):
    raw = gzip.open(path, "rb").read().decode("utf-8", "replace")
    m = re.match(r"^\.so\s+(\S+)", raw.strip())
    if m and depth < 3:
        tgt = os.path.join(base, m.group(1)) + ".gz"
        return man_desc_roff(tgt, base, depth + 1) if os.path.exists(tgt) else None
    lines = raw.split("\n")
    for i, l in enumerate(lines):
        if re.match(r"^\.S[Hh]\s", l) and re.search(r"NAME|名稱|名称|名字", l):
            blk = []
            for l2 in lines[i + 1:]:
                if re.match(r"^\.S[HhSs]\b", l2):
                    break
                blk.append(roff_text(l2))
            return split_desc("\n".join(blk))
    return None


# ---- main -------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--open", required=True, help="shared/corpus/open.jsonl")
    ap.add_argument("--debs", help="folder holding (or to receive) the three .deb files")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()

    import jieba
    import opencc
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    t2s = opencc.OpenCC("t2s")
    tw2sp = opencc.OpenCC("tw2sp")

    def rng(part):                     # one seeded generator per part, so parts stay independent
        return random.Random(f"{SEED}/{part}")
    alldocs = [json.loads(l) for l in open(args.open, encoding="utf-8")]

    # documents.jsonl: the subset rule
    lo = sorted(d["id"] for d in alldocs if d["source"] == "libreoffice-help-zh-cn")
    ly = sorted(d["id"] for d in alldocs if d["source"] == "lilypond-doc-html-zh")
    keep = set(rng("libreoffice").sample(lo, LO_SAMPLE)) | set(rng("lilypond").sample(ly, LILY_SAMPLE))
    docs = [d for d in alldocs if d["source"] in ALL_SOURCES or d["id"] in keep or
            (d["source"] == "manpages-zh" and len(d["text"]) <= MAN_MAX_CHARS)]
    docs = [{k: d[k] for k in ("id", "title", "text", "source")} for d in docs]
    byid = {d["id"]: d for d in docs}
    ntitle = {d["id"]: norm(d["title"]) for d in docs}
    ntext = {d["id"]: norm(d["text"]) for d in docs}

    debs = get_debs(args.debs)
    root = extract(debs)
    queries = []
    seen_q = set()

    def add(kind, q, judg, note):
        if (kind, q) in seen_q:
            return False
        seen_q.add((kind, q))
        queries.append({"q": q, "kind": kind, "judgments": judg, "note": note})
        return True

    # -- known-item-heading (a): man page NAME descriptions ------------------------------------
    man = [d for d in docs if d["source"] == "manpages-zh"]
    mdesc = {d["id"]: man_desc_rendered(d["text"]) for d in man}
    dcount = collections.Counter(norm(v) for v in mdesc.values() if v)
    elig_man = [i for i in sorted(mdesc) if mdesc[i] and dcount[norm(mdesc[i])] == 1
                and words(mdesc[i], jieba)]
    rng("known-man").shuffle(elig_man)
    n = 0
    for i in elig_man:
        if n == N_KNOWN_MAN:
            break
        n += add("known-item-heading", " ".join(words(mdesc[i], jieba)), {i: 3},
                 f"man NAME of {byid[i]['title']}: {mdesc[i]}")

    # -- known-item-heading (b): section titles of the other manuals ----------------------------
    tcount = collections.Counter(norm(strip_secnum(d["title"])) for d in docs)
    elig_t = [d["id"] for d in docs
              if d["source"] in ("libreoffice-help-zh-cn", "maint-guide-zh-cn", "debian-edu-doc-zh-cn")
              and tcount[norm(strip_secnum(d["title"]))] == 1 and words(strip_secnum(d["title"]), jieba)]
    elig_t.sort()
    rng("known-title").shuffle(elig_t)
    n = 0
    for i in elig_t:
        if n == N_KNOWN_TITLE:
            break
        n += add("known-item-heading", " ".join(words(strip_secnum(byid[i]["title"]), jieba)), {i: 3},
                 f"title of {byid[i]['source']} page: {byid[i]['title']}")

    # -- heading-tw (a): Debian Reference zh-tw headings, paired by anchor id ----------------------
    pairs = debref_pairs(root, docs)
    dr_ids = [d["id"] for d in docs if d["source"] == "debian-reference-zh-cn"]
    hcount = collections.Counter(norm(strip_secnum(byid[i]["title"])) for i in dr_ids)

    def fold_note(qtw, did):
        a = matches(t2s.convert(qtw), ntitle[did], ntext[did])
        b = matches(tw2sp.convert(qtw), ntitle[did], ntext[did])
        c1, c2 = t2s.convert(qtw), tw2sp.convert(qtw)
        var = (f" regional-words:yes (OpenCC t2s '{c1}' vs tw2sp '{c2}');" if c1 != c2
               else " regional-words:no;")
        return (f"fold:{'chars' if a else ('variants' if b else 'none')};{var}"
                f" t2s match={'yes' if a else 'no'}, tw2sp match={'yes' if b else 'no'}")

    elig_tw = []
    for i in dr_ids:
        lv, anchor, twh = pairs[i]
        if not twh:
            continue
        cnh, twh_s = strip_secnum(byid[i]["title"]), strip_secnum(twh)
        if hcount[norm(cnh)] != 1 or norm(cnh) == norm(twh_s):
            continue
        w = chunks(twh_s)
        if w:
            elig_tw.append((i, anchor, twh, " ".join(w)))
    rng("tw-debref").shuffle(elig_tw)
    n = 0
    for i, anchor, twh, q in elig_tw:
        if n == N_TW_DEBREF:
            break
        n += add("heading-tw", q, {i: 3},
                 f"debian-reference-zh-tw #{anchor} '{twh}' ↔ zh-cn '{byid[i]['title']}'; "
                 + fold_note(q, i))

    # -- heading-tw (b): zh_TW man page NAME descriptions, paired by file path ------------------
    manbase = os.path.join(root, "usr/share/man/zh_TW")
    elig_twm = []
    for i in sorted(mdesc):
        if not mdesc[i] or dcount[norm(mdesc[i])] != 1:
            continue
        p = os.path.join(manbase, i.split("/", 1)[1] + ".gz")
        if not os.path.exists(p):
            continue
        tdesc = man_desc_roff(p, manbase)
        if not tdesc or norm(tdesc) == norm(mdesc[i]):
            continue
        w = chunks(tdesc)
        if w:
            elig_twm.append((i, tdesc, " ".join(w)))
    rng("tw-man").shuffle(elig_twm)
    n = 0
    for i, tdesc, q in elig_twm:
        if n == N_TW_MAN:
            break
        n += add("heading-tw", q, {i: 3},
                 f"manpages-zh zh_TW NAME of {byid[i]['title']}: {tdesc} ↔ zh_CN: {mdesc[i]}; "
                 + fold_note(q, i))

    # -- trap: dictionary words that mostly occur across a jieba word boundary -------------------
    # candidates: jieba dictionary words of 2-3 Han characters, frequency >= 100, part of speech
    # noun/verb/adjective (tag n*, v*, a*; not a person name nr*)
    pos = {}
    with jieba.dt.get_dict_file() as f:          # jieba's own dict.txt: "word freq tag"
        for line in f:
            parts = line.decode("utf-8").split()
            if len(parts) == 3:
                pos[parts[0]] = parts[2]
    dict_words = {w for w, f in jieba.dt.FREQ.items() if f >= 100 and 2 <= len(w) <= 3
                  and HAN_ONLY.fullmatch(w) and pos.get(w, "x")[0] in "nva"
                  and not pos.get(w, "").startswith("nr")}
    # Every occurrence of a dictionary word (as a substring of a normalized field) is one of:
    # a jieba token of its own ("token"), inside one longer jieba token ("inside"), or spanning a
    # boundary between jieba tokens ("across").
    sub_cnt = collections.defaultdict(collections.Counter)   # word -> doc -> all occurrences
    tok_cnt = collections.defaultdict(collections.Counter)   # word -> doc -> as a token
    cross_cnt = collections.defaultdict(collections.Counter)  # word -> doc -> across a boundary
    for d in docs:
        did = d["id"]
        for field in (ntitle[did], ntext[did]):
            toks = list(jieba.tokenize(field))
            bounds = {b for _, a, e in toks for b in (a, e)}
            spans = {(a, e) for _, a, e in toks}
            for m in HAN_ONLY.finditer(field):
                run, base = m.group(0), m.start()
                for k in (2, 3):
                    for s in range(len(run) - k + 1):
                        g = run[s:s + k]
                        if g in dict_words:
                            a = base + s
                            sub_cnt[g][did] += 1
                            if (a, a + k) in spans:
                                tok_cnt[g][did] += 1
                            elif any(b in bounds for b in range(a + 1, a + k)):
                                cross_cnt[g][did] += 1
    trap_elig = []
    for w in sorted(sub_cnt):
        S = sum(sub_cnt[w].values())
        T = sum(tok_cnt[w].values())
        X = sum(cross_cnt[w].values())
        rel = [x for x in tok_cnt[w] if tok_cnt[w][x] > 0]
        nonrel = [x for x in sub_cnt[w] if tok_cnt[w][x] == 0]
        if S >= 10 and X / S >= 0.4 and rel and nonrel:
            trap_elig.append((w, S, T, X, len(rel), len(nonrel)))
    rng("trap").shuffle(trap_elig)
    for w, S, T, X, nr, nn in sorted(trap_elig[:N_TRAP]):
        judg = {x: (1 if c == 1 else 2 if c <= 3 else 3) for x, c in sorted(tok_cnt[w].items()) if c > 0}
        add("trap", w, judg, f"{S} occurrences: {T} as a jieba token, {X} across a jieba boundary, "
            f"{S - T - X} inside a longer token; {nr} docs with it as a token (relevant), "
            f"{nn} matching docs without (grade 0); jieba freq {jieba.dt.FREQ[w]}, pos {pos[w]}")

    # -- graded: Debian Reference chapter/section headings, graded by the section tree ----------
    order = sorted(dr_ids, key=lambda i: (i.split("#")[0], int(i.split("#")[1])))
    elig_g = []
    for k, i in enumerate(order):
        lv = pairs[i][0]
        if lv > 2 or hcount[norm(strip_secnum(byid[i]["title"]))] != 1:
            continue
        page = i.split("#")[0]
        judg = {i: 3}
        for j in order[k + 1:]:
            if j.split("#")[0] != page or pairs[j][0] <= lv:
                break
            depth = pairs[j][0] - lv
            if depth <= 2:
                judg[j] = 3 - depth
        w = words(strip_secnum(byid[i]["title"]), jieba)
        if len(judg) > 1 and w:
            elig_g.append((i, " ".join(w), judg))
    rng("graded").shuffle(elig_g)
    n = 0
    for i, q, judg in elig_g:
        if n == N_GRADED:
            break
        n += add("graded", q, judg, f"debian-reference-zh-cn heading '{byid[i]['title']}' (h{pairs[i][0]}): "
                 f"itself 3, subsections 2, their subsections 1")

    # -- order, checks, output --------------------------------------------------------------
    kinds = ["known-item-heading", "heading-tw", "trap", "graded"]
    queries.sort(key=lambda r: (kinds.index(r["kind"]), r["q"]))
    stats = collections.OrderedDict()
    for r in queries:
        assert all(x in byid for x in r["judgments"]), r
        m = [x for x in byid if matches(r["q"], ntitle[x], ntext[x])]
        rel = [x for x in r["judgments"] if r["judgments"][x] > 0]
        relm = [x for x in rel if x in set(m)]
        if r["kind"] != "heading-tw":
            assert m, r
        s = stats.setdefault(r["kind"], collections.Counter())
        s["queries"] += 1
        s["judged relevant"] += len(rel)
        s["judged relevant that match literally"] += len(relm)
        s["queries with >=1 literal match"] += bool(m)
        s["queries whose grade-3 doc matches literally"] += any(r["judgments"][x] == 3 for x in relm)
        s["matching docs (sum)"] += len(m)
        if r["kind"] == "heading-tw":
            s["fold:" + r["note"].split("fold:")[1].split(";")[0]] += 1

    shutil.rmtree(root)
    if debs != args.debs:
        shutil.rmtree(debs)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "documents.jsonl"), "w", encoding="utf-8") as f:
        for d in docs:
            f.write(dumps(d) + "\n")
    with open(os.path.join(args.out, "queries.jsonl"), "w", encoding="utf-8") as f:
        for r in queries:
            f.write(dumps(r) + "\n")
    src = collections.Counter(d["source"] for d in docs)
    print(f"documents: {len(docs)} ({', '.join(f'{k} {v}' for k, v in sorted(src.items()))})")
    print(f"eligible: man NAME {len(elig_man)}, titles {len(elig_t)}, debref tw {len(elig_tw)}, "
          f"man tw {len(elig_twm)}, trap words {len(trap_elig)}, graded {len(elig_g)}")
    print(f"queries: {len(queries)}")
    for k, s in stats.items():
        print(f"  {k}: " + ", ".join(f"{a} {b}" for a, b in s.items()))


if __name__ == "__main__":
    main()
