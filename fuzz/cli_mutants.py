#!/usr/bin/env python3
"""Mutation fuzzing of the parsers through the `gongkai` CLI (issue 12, acceptance 2).

Seeds: the corpus reports (text, Markdown, HTML; PDFs only when pdftotext is installed), the
seed example, and DOCX/XLSX rendered by gongkai itself from the corpus. Each mutant is written to
a temporary file and checked with `gongkai check --no-progress --format json FILE` under a time
limit. With --ledger, a 台账 in CSV and in XLSX (exported by gongkai) are seeds too, and their
mutants go through `gongkai ledger import --dry-run` on a scratch register. A crash is a run killed by a signal, an exit status other than 0/1/2, or "panicked" on
stderr; a hang is a run over the time limit. Crashing and hanging inputs are kept in OUT_DIR.

Mutations on bytes: bit flips, byte replacements with interesting values, deletions,
duplications and insertions of chunks, truncation, splices of two seeds, insertion of hostile
tokens (deep nesting, huge numbers, control characters, entities). ZIP seeds (DOCX/XLSX) are
also mutated inside: one XML entry is mutated and the archive is rewritten, so the mutants reach
the XML readers and not only the ZIP directory check.

Usage: fuzz/cli_mutants.py [--bin target/debug/gongkai] [--n 20000] [--jobs 2] [--seed 12]
                           [--timeout 20] [--out /tmp/gongkai-mutants] [--ledger]
Deterministic for a given --seed. Prints a summary; exits 1 when any crash or hang was found.
"""

import argparse
import concurrent.futures
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = "/work/shared/corpus/reports"

HOSTILE = [
    b"<div>" * 300,
    b"<table><tr><td rowspan=65535 colspan=65535>1</td></tr></table>",
    b"99999999999999999999999999999999999999",
    b"-79228162514264337593543950335",
    b"\x1b]0;x\x07\x1b[2J",
    b"&#x10FFFF;&#0;&lt;&#99999999;",
    b"\xef\xbb\xbf\xff\xfe\x00",
    "（一）一是二是三是本年新收政府信息公开申请数量".encode(),
    b"|" * 500,
    b"\t" * 200,
    b"<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"4000\"/><w:vMerge/></w:tcPr></w:tc></w:tr></w:tbl>",
    b"<c r=\"XFD1048576\" t=\"s\"><v>999999</v></c>",
    b"<mergeCell ref=\"A1:XFD1048576\"/>",
    b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
]
INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, ord("<"), ord(">"), ord("|"), ord("\n"), ord("\t"), ord("0"), ord("9")]


def seeds(binary):
    out = []
    for name in sorted(os.listdir(CORPUS)):
        path = os.path.join(CORPUS, name)
        if not os.path.isfile(path):
            continue
        if name.endswith(".pdf") and shutil.which("pdftotext") is None:
            continue
        if name.endswith((".txt", ".md", ".html", ".htm", ".pdf")):
            out.append((name, open(path, "rb").read()))
    for name in sorted(os.listdir(os.path.join(ROOT, "examples"))):
        if name.endswith(".md"):
            out.append((name, open(os.path.join(ROOT, "examples", name), "rb").read()))
    # DOCX and XLSX rendered by gongkai from each text seed.
    tmp = tempfile.mkdtemp(prefix="gongkai-seeds-")
    for name, data in list(out):
        if name.endswith(".pdf"):
            continue
        src = os.path.join(tmp, name)
        open(src, "wb").write(data)
        parsed = subprocess.run([binary, "parse", src, "--format", "json"], capture_output=True, timeout=120)
        if parsed.returncode != 0:
            continue
        js = os.path.join(tmp, name + ".json")
        open(js, "wb").write(parsed.stdout)
        for to in ("docx", "xlsx"):
            dst = os.path.join(tmp, f"{name}.{to}")
            r = subprocess.run([binary, "render", js, "--to", to, "--out", dst], capture_output=True, timeout=120)
            if r.returncode == 0 and os.path.exists(dst):
                out.append((f"{name}.{to}", open(dst, "rb").read()))
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def mutate_bytes(rng, data, others):
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3, 5, 10])):
        op = rng.randrange(9)
        n = len(b)
        if n == 0:
            b += rng.choice(HOSTILE)
            continue
        i = rng.randrange(n)
        if op == 0:
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[i] = rng.choice(INTERESTING)
        elif op == 2:
            del b[i : i + rng.randrange(1, 64)]
        elif op == 3:
            j = rng.randrange(n)
            chunk = b[j : j + rng.randrange(1, 256)]
            b[i:i] = chunk * rng.choice([1, 2, 16])
        elif op == 4:
            b[i:i] = rng.choice(HOSTILE)
        elif op == 5:
            del b[rng.randrange(n) :]
        elif op == 6:
            other = rng.choice(others)
            j = rng.randrange(len(other) or 1)
            b[i:] = other[j:]
        elif op == 7:
            b[i : i + 4] = str(rng.choice([0, -1, 10**30, 2**64, 2**63 - 1])).encode()
        else:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
    return bytes(b)


def mutate_zip(rng, data, others):
    """Mutate one entry of a ZIP container (XML inside DOCX/XLSX) and rewrite the archive."""
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        names = zin.namelist()
        xml = [n for n in names if n.endswith(".xml")]
        target = rng.choice(xml or names)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
            for n in names:
                content = zin.read(n)
                if n == target:
                    content = mutate_bytes(rng, content, [content])
                zout.writestr(n, content)
        return buf.getvalue()
    except Exception:
        return mutate_bytes(rng, data, others)


LEDGER_HEAD = "受理编号,收到申请日期,提交方式,申请人类型,申请人姓名或名称,证件号码,联系电话,电子邮箱,申请内容,答复日期,办理结果"


def ledger_seeds(binary, db):
    """A valid 台账 as CSV, and the same register exported by gongkai as XLSX."""
    rows = [LEDGER_HEAD]
    for i in range(40):
        day = 4 + i % 20
        reply = f"2024-04-{day:02}" if i % 3 else ""
        outcome = "R3.1" if i % 3 else ""
        rows.append(
            f"L-{i:03},2024-03-{day:02},网络,自然人,张{i}三,11010519491231002X,13812345678,"
            f"z{i}@example.cn,某事项{i},{reply},{outcome}"
        )
    csv_bytes = ("\n".join(rows) + "\n").encode()
    tmp = tempfile.mkdtemp(prefix="gongkai-ledger-")
    path = os.path.join(tmp, "l.csv")
    open(path, "wb").write(csv_bytes)
    out = [("ledger.csv", csv_bytes)]
    subprocess.run([binary, "--db", db, "init"], capture_output=True, check=True)
    subprocess.run([binary, "--db", db, "organ", "add", "--name", "某局"], capture_output=True, check=True)
    scratch = db + ".seed"
    subprocess.run([binary, "--db", scratch, "init"], capture_output=True, check=True)
    subprocess.run([binary, "--db", scratch, "organ", "add", "--name", "某局"], capture_output=True, check=True)
    subprocess.run([binary, "--db", scratch, "ledger", "import", path, "--organ", "1"], capture_output=True, check=True)
    x = os.path.join(tmp, "l.xlsx")
    subprocess.run([binary, "--db", scratch, "ledger", "export", "--organ", "1", "--out", x, "--unmask"], capture_output=True, check=True)
    out.append(("ledger.xlsx", open(x, "rb").read()))
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def run_one(binary, path, timeout, db=None):
    start = time.monotonic()
    if os.path.basename(path).startswith("ledger"):
        cmd = [binary, "--db", db, "ledger", "import", "--dry-run", path, "--organ", "1"]
    else:
        cmd = [binary, "check", "--no-progress", "--format", "json", path]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", time.monotonic() - start, b""
    elapsed = time.monotonic() - start
    if r.returncode < 0 or r.returncode not in (0, 1, 2) or b"panicked" in r.stderr:
        return "crash", elapsed, r.stderr[-2000:]
    return "ok", elapsed, b""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/debug/gongkai"))
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "gongkai-mutants"))
    ap.add_argument("--ledger", action="store_true", help="also mutate 台账 CSV/XLSX through ledger import")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    base = seeds(a.bin)
    work = tempfile.mkdtemp(prefix="gongkai-mut-")
    db = os.path.join(work, "register.db")
    if a.ledger:
        base += ledger_seeds(a.bin, db)
    kinds = {}
    for name, _ in base:
        kind = ("ledger-" if name.startswith("ledger") else "") + name.rsplit(".", 1)[-1]
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"seeds: {len(base)} {kinds}", flush=True)
    others = [d for _, d in base]
    counts = {"ok": 0, "crash": 0, "hang": 0}
    slowest = (0.0, "")
    per_kind = {}
    t0 = time.monotonic()

    def job(k):
        r = random.Random(a.seed * 1_000_003 + k)
        name, data = base[k % len(base)]
        ext = name.rsplit(".", 1)[-1]
        is_zip = ext in ("docx", "xlsx")
        m = mutate_zip(r, data, others) if is_zip and r.random() < 0.7 else mutate_bytes(r, data, others)
        prefix = "ledger-" if name.startswith("ledger") else ""
        path = os.path.join(work, f"{prefix}m{k:06}.{ext}")
        with open(path, "wb") as f:
            f.write(m)
        verdict, elapsed, err = run_one(a.bin, path, a.timeout, db)
        if verdict != "ok":
            keep = os.path.join(a.out, f"{verdict}-{k:06}.{ext}")
            shutil.copy(path, keep)
            open(keep + ".stderr", "wb").write(err)
        os.remove(path)
        return k, prefix + ext, verdict, elapsed

    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for k, ext, verdict, elapsed in pool.map(job, range(a.n)):
            counts[verdict] += 1
            per_kind[ext] = per_kind.get(ext, 0) + 1
            if elapsed > slowest[0]:
                slowest = (elapsed, f"m{k:06}.{ext}")
            if (k + 1) % 1000 == 0:
                print(f"{k + 1}/{a.n} {counts} {time.monotonic() - t0:.0f}s", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    print(f"mutants: {a.n} by kind {per_kind}")
    print(f"result: {counts['crash']} crashes, {counts['hang']} hangs (limit {a.timeout}s), {counts['ok']} ok")
    print(f"slowest: {slowest[0]:.2f}s ({slowest[1]}); total {time.monotonic() - t0:.0f}s; kept in {a.out}")
    return 1 if counts["crash"] or counts["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
