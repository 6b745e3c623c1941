#!/usr/bin/env python3
"""The workbench under load: wrk on loopback against `gongkai serve` over a big register.

Prepare the register first (`gongkai-bench store` fills a fresh one; the first run of this driver takes
the first administrator's one-time password and sets it to ADMIN_PASSWORD, later runs on the
same register log in with that):

    gongkai-bench store --db /tmp/bench.db --rows 1000000 --kind store-load      # SQLite
    gongkai-bench store --db postgres://… --rows 1000000 --kind store-load       # --features postgres
    # it fills the schema gongkai_bench: serve it with
    #   --db 'postgres://…/DB?options=-csearch_path%3Dgongkai_bench'

(`cargo run --release -p gongkai-bench [--features postgres] -- store …`)

then: load.py --bin target/release/gongkai --db /tmp/bench.db [--organ 2] [--seconds 20] [--only list,…]

It logs in as the first administrator, adds a clerk of `--organ`, and measures, with 32
connections, the clerk's dashboard, application list and detail pages (p50/p99, non-200
answers, socket errors; with `--only`, also page 500 typed as `?page=500` and as the pager's
link reaches it); then the mixed load (one connection per wrk thread, 32 threads; 90 %
reads, 10 % writes of events on 64 new applications at the version last seen, so concurrent
writers meet stale-version refusals). Afterwards every accepted write must be in the history
(events and audit rows of the write applications = accepted writes: 0 lost updates) and
there must be 0 errors other than the 409 refusals. Prints one `GK_RESULT` line per run and
exits 1 when a check fails.
"""

import argparse
import html
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ADMIN_PASSWORD = "负载测试管理员密码01"


class Client:
    def __init__(self, port):
        self.port = port
        self.cookie = None

    def req(self, method, path, form=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {}
        body = None
        if self.cookie:
            headers["Cookie"] = f"gongkai_session={self.cookie}"
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        sc = r.getheader("Set-Cookie")
        if sc and sc.startswith("gongkai_session=") and not sc.startswith("gongkai_session=;"):
            self.cookie = sc.split(";")[0].split("=", 1)[1]
        loc = r.getheader("Location") or ""
        c.close()
        return r.status, loc, text


def csrf_of(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def login(port, name, password, new_password=None):
    c = Client(port)
    st, loc, _ = c.req("POST", "/login", {"name": name, "password": password})
    assert st == 303, f"login of {name}: {st}"
    if new_password:
        _, _, page = c.req("GET", "/password")
        st, _, _ = c.req("POST", "/password",
                         {"csrf": csrf_of(page), "old": password, "new": new_password, "again": new_password})
        assert st == 303, f"password change of {name}: {st}"
    _, _, page = c.req("GET", "/password")
    return c, csrf_of(page)


def wrk(script, env, threads, conns, seconds, port):
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s", "-s",
                          os.path.join(HERE, script), f"http://127.0.0.1:{port}"],
                         env=dict(os.environ, **env), capture_output=True, text=True)
    line = next((l for l in out.stdout.splitlines() if l.startswith("GK_RESULT")), None)
    if line is None:
        print(out.stdout, out.stderr, file=sys.stderr)
        raise SystemExit("wrk gave no result")
    return dict(kv.split("=") for kv in line.split()[1:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--organ", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--port", type=int, default=18181)
    ap.add_argument("--db-pool", type=int, help="the server's --db-pool (default: the server's own)")
    ap.add_argument("--only", default="",
                    help="comma-separated runs to make (dashboard, list, list_page_20, list_page_500, "
                         "list_page_500_via_pager, detail, mixed); default: dashboard, list, list_page_20, "
                         "detail, mixed")
    a = ap.parse_args()
    port = a.port
    env = dict(os.environ, GONGKAI_DB=a.db)
    # The server's log (a line per request) goes to a file: a pipe nobody reads would fill up
    # and stop the server, and reading it here would take CPU from the server.
    log_path = os.path.join(tempfile.gettempdir(), f"gongkai-load-{port}.log")
    # 0600: the first start writes the administrator's one-time password into it.
    log = os.fdopen(os.open(log_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600), "w+", encoding="utf-8")
    pool = ["--db-pool", str(a.db_pool)] if a.db_pool else []
    server = subprocess.Popen([a.bin, "serve", "--listen", f"127.0.0.1:{port}", *pool], env=env, stderr=log)
    password = None
    failures = []
    try:
        started = time.time()
        while True:
            text = open(log_path, encoding="utf-8", errors="replace").read()
            m = re.search(r"初始密码：(\S+)", text)
            if m:
                password = m.group(1)
            if "已启动" in text:
                break
            if server.poll() is not None or time.time() - started > 60:
                raise SystemExit("the server stopped:\n" + text)
            time.sleep(0.2)
        if password:
            admin, acsrf = login(port, "admin", password, ADMIN_PASSWORD)
        else:
            # A register this driver ran on before: the administrator's password is ours.
            admin, acsrf = login(port, "admin", ADMIN_PASSWORD)
        clerk_name = f"load{int(time.time())}"
        st, _, _ = admin.req("POST", "/users", {"csrf": acsrf, "name": clerk_name, "display_name": "负载经办人",
                                                "role": "clerk", "organ": str(a.organ),
                                                "password": "负载测试初始密码01"})
        assert st == 303, f"adding the clerk: {st}"
        clerk, csrf = login(port, clerk_name, "负载测试初始密码01", "负载测试经办人密码02")
        _, _, page = clerk.req("GET", "/applications")
        ids = re.findall(r'href="/applications/(\d+)"', page)[:50]
        total = re.search(r"共 (\d+) 件", page).group(1)
        print(f"organ {a.organ}: {total} applications visible to the clerk; detail pages of {len(ids)}")
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
        cookie = clerk.cookie
        pages = {
            "dashboard": "/",
            "list": "/applications",
            "list page 20": "/applications?page=20",
            "list page 500": "/applications?page=500",
            "detail": " ".join(f"/applications/{i}" for i in ids),
        }
        # A deep page as the pager reaches it: the next link of the page before it (keyset).
        _, _, before = clerk.req("GET", "/applications?page=499")
        link = re.search(r'<a href="([^"]+)">下一页</a>', before)
        if link:
            pages["list page 500 via pager"] = html.unescape(link.group(1))
        only = set(filter(None, a.only.split(","))) or {"dashboard", "list", "list_page_20", "detail", "mixed"}
        for name, paths in pages.items():
            if name.replace(" ", "_") not in only:
                continue
            r = wrk("read.lua", {"GK_COOKIE": cookie, "GK_PATHS": paths}, 2, a.connections, a.seconds, port)
            print(f"GK_RESULT page={name.replace(' ', '_')} " + " ".join(f"{k}={v}" for k, v in r.items()), flush=True)
            if int(r["non200"]) or int(r["socket_errors"]):
                failures.append(f"{name}: {r['non200']} non-200 answers, {r['socket_errors']} socket errors")
        if "mixed" not in only:
            return finish(server, log, log_path, failures)
        # The mixed load: 64 fresh applications to write to.
        writes = []
        for n in range(64):
            st, loc, body = clerk.req("POST", "/applications", {
                "csrf": csrf, "organ": str(a.organ), "serial": f"LOAD-{int(time.time())}-{n}", "received": today,
                "channel": "online", "kind": "自然人", "name": "负载测试", "description": "负载测试申请",
                "form": "electronic"})
            assert st == 303, f"registering a write application: {st} {body[:300]}"
            writes.append(int(re.search(r"/applications/(\d+)", loc).group(1)))
        reads = f"/ /applications /applications?page=20 " + " ".join(f"/applications/{i}" for i in ids)
        r = wrk("mixed.lua", {"GK_COOKIE": cookie, "GK_CSRF": csrf, "GK_TODAY": today, "GK_READS": reads,
                              "GK_WRITES": " ".join(map(str, writes))}, a.connections, a.connections, a.seconds, port)
        print("GK_RESULT page=mixed " + " ".join(f"{k}={v}" for k, v in r.items()), flush=True)
        if int(r["other_errors"]) or int(r["socket_errors"]):
            failures.append(f"mixed: {r['other_errors']} errors other than stale versions, "
                            f"{r['socket_errors']} socket errors")
        # Every accepted write is in the record and in its history.
        events = audited = 0
        for w in writes:
            _, _, page = clerk.req("GET", f"/applications/{w}")
            v = int(re.search(r"<dt>版本</dt><dd>(\d+)</dd>", page).group(1))
            events += v - 1
            _, _, hist = clerk.req("GET", f"/applications/{w}/history")
            audited += len(re.findall(r"版本 \d+ → \d+", hist))
        accepted = int(r["writes_ok"])
        # wrk stops with up to one request per connection in flight: such a write may be
        # committed without its answer being counted, so the record may hold up to
        # `connections` more writes than were counted; it may never hold fewer.
        lost = max(0, accepted - min(events, audited))
        print(f"GK_RESULT check=lost_updates accepted={accepted} in_records={events} in_history={audited} "
              f"lost={lost} uncounted_in_flight={events - accepted}")
        if lost or events != audited or events - accepted > a.connections:
            failures.append(f"accepted writes {accepted}, events recorded {events}, history rows {audited}")
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
    return finish(server, log, log_path, failures)


def finish(server, log, log_path, failures):
    """Stop the server, fail on ERROR lines in its log, print the verdict."""
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=30)
    if not os.path.exists(log_path):
        return 1 if failures else 0
    errors = [l for l in open(log_path, encoding="utf-8", errors="replace") if " ERROR " in l]
    log.close()
    os.remove(log_path)
    for line in errors[:20]:
        print("server error: " + line.rstrip())
    if errors:
        failures.append(f"{len(errors)} errors in the server's log")
    for f in failures:
        print("FAIL " + f)
    print(f"{0 if failures else 1} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
