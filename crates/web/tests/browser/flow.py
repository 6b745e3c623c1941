#!/usr/bin/env python3
"""The workbench in a real browser: Debian's headless Chromium driven through WebDriver
(chromedriver), with an axe-core accessibility scan of every page.

The flow: a new register → `gongkai serve` prints the first administrator's password → the
admin logs in, changes it, adds a county government and a bureau, a clerk and a head → the
clerk logs in, changes the initial password, registers an application (the due date shows)
→ the head approves an extension → the clerk replies → the dashboard no longer lists it.
Every page of the flow is scanned with axe-core (from the npm registry, installed at test
time); serious or critical violations fail the run. Screenshots go to docs/screenshots/.

Usage: flow.py --bin target/debug/gongkai [--screenshots docs/screenshots] [--axe DIR]
Exit 0 on success; prints `N passed, M failed` as its last line.
"""

import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CHECKS = []


def check(name, ok, detail=""):
    CHECKS.append((name, bool(ok), detail))
    print(("ok   " if ok else "FAIL ") + name + (f" — {detail}" if detail and not ok else ""), flush=True)
    return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Driver:
    """A minimal W3C WebDriver client over urllib."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": shutil.which("chromium") or "/usr/bin/chromium",
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                            f"--user-data-dir={tempfile.mkdtemp(prefix='gk-chrome-')}",
                        ],
                    },
                }
            }
        }
        self.sid = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"{}").get("value", {}) if method != "DELETE" else {}

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.sid}{path}", body)

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def url(self):
        return self.s("GET", "/url")

    def find(self, css):
        el = self.s("POST", "/element", {"using": "css selector", "value": css})
        return list(el.values())[0]

    def type(self, css, text, clear=True):
        el = self.find(css)
        if clear:
            self.s("POST", f"/element/{el}/clear", {})
        self.s("POST", f"/element/{el}/value", {"text": text})

    def select(self, css, value):
        self.js("const s=document.querySelector(arguments[0]); s.value=arguments[1];", css, value)

    def click(self, css):
        """Click a submit button and wait for the next page to load (a marker set on the old
        page must be gone and the new document complete)."""
        self.js("window.__gk_old_page = true;")
        el = self.find(css)
        self.s("POST", f"/element/{el}/click", {})
        for _ in range(200):
            try:
                if self.js("return window.__gk_old_page === undefined && document.readyState === 'complete';"):
                    return
            except Exception:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"no new page after clicking {css}")

    def text(self):
        return self.js("return document.body.innerText;")

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def js_async(self, script, *args):
        return self.s("POST", "/execute/async", {"script": script, "args": list(args)})

    def shot(self, path):
        png = self.s("GET", "/screenshot")
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def quit(self):
        try:
            self.call("DELETE", f"/session/{self.sid}")
        except Exception:
            pass


def axe_scan(d, axe_src, page):
    """Run axe-core on the current page; return the serious/critical violations."""
    d.js(axe_src + "\nreturn true;")
    res = d.js_async(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', description: String(e), nodes: []}])));"
    )
    bad = [v for v in json.loads(res) if v.get("impact") in ("serious", "critical")]
    detail = "; ".join(f"{v['id']} ({v['impact']}): {v.get('description','')} ×{len(v.get('nodes', []))}" for v in bad)
    check(f"axe: {page} has no serious or critical violations", not bad, detail)
    return bad


def install_axe(dest):
    """axe-core from the npm registry, at test time."""
    path = os.path.join(dest, "node_modules", "axe-core", "axe.min.js")
    if not os.path.exists(path):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", dest, "axe-core@4"],
                       check=True)
    with open(path, encoding="utf-8") as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--screenshots", default="")
    ap.add_argument("--axe", default=os.path.join(tempfile.gettempdir(), "gongkai-axe"))
    a = ap.parse_args()
    axe_src = install_axe(a.axe)
    work = tempfile.mkdtemp(prefix="gk-web-")
    port, dport = free_port(), free_port()
    env = dict(os.environ, GONGKAI_DB=os.path.join(work, "register.db"))
    server = subprocess.Popen([a.bin, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                              stderr=subprocess.PIPE, text=True)
    password = None
    deadline = time.time() + 30
    while time.time() < deadline and password is None:
        line = server.stderr.readline()
        m = re.search(r"初始密码：(\S+)", line)
        if m:
            password = m.group(1)
    for _ in range(60):
        if "已启动" in server.stderr.readline():
            break
    driver_proc = subprocess.Popen(["chromedriver", f"--port={dport}"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
    d = None
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{dport}/status", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        d = Driver(dport)
        base = f"http://127.0.0.1:{port}"
        shots = a.screenshots
        if shots:
            os.makedirs(shots, exist_ok=True)

        def shot(name):
            if shots:
                d.shot(os.path.join(shots, name))

        check("the first start printed the administrator's password", password)
        d.go(base + "/")
        check("an anonymous visit goes to the login page", d.url().endswith("/login"), d.url())
        axe_scan(d, axe_src, "login")
        shot("01-login.png")

        def login(name, pw):
            d.go(base + "/login")
            d.type("#name", name)
            d.type("#password", pw)
            d.click("button[type=submit]")

        def change_password(old, new):
            d.type("#old", old)
            d.type("#new", new)
            d.type("#again", new)
            d.click("main button[type=submit]")

        login("admin", password)
        check("the initial password must be changed first", d.url().endswith("/password"), d.url())
        axe_scan(d, axe_src, "password")
        change_password(password, "管理员的新密码abc123")
        check("after the change the dashboard opens", d.url().rstrip("/") == base, d.url())
        # Organs.
        d.go(base + "/organs")
        for name, kind, parent in [("示例县人民政府", "government", ""), ("示例县科学技术局", "department", "1")]:
            d.type("#name", name)
            d.select("#kind", kind)
            d.select("#parent", parent)
            d.type("#code", "000000001")
            d.click("main form button[type=submit]")
        check("two organs were added", "示例县科学技术局" in d.text())
        axe_scan(d, axe_src, "organs")
        shot("02-organs.png")
        # An organ added under the wrong parent is renamed and moved (audited before/after).
        d.type("#name", "示例县科技服务中心")
        d.select("#kind", "department")
        d.select("#parent", "1")
        d.type("#code", "000000003")
        d.click("main form button[type=submit]")
        d.go(base + "/organs/3")
        d.type("#organ-name", "示例县科技创新服务中心")
        d.select("#organ-parent", "2")
        d.click("#organ-change button[type=submit]")
        t = d.text()
        check("the admin renamed the organ and moved it under 示例县科学技术局",
              "已保存" in t and "示例县科技创新服务中心" in t and "上级\n2" in t.replace("\t", "\n").replace(" ", ""),
              t[:400])
        axe_scan(d, axe_src, "organ")
        shot("17-organ.png")
        # Users.
        d.go(base + "/users")
        for name, display, role in [("wang", "王科员", "clerk"), ("li", "李主任", "head")]:
            d.type("#name", name)
            d.type("#display_name", display)
            d.select("#role", role)
            d.select("#organ", "2")
            d.type("#password", "初始密码初始密码99")
            d.click("main form button[type=submit]")
        check("a clerk and a head were added", "王科员" in d.text() and "李主任" in d.text())
        axe_scan(d, axe_src, "users")
        shot("03-users.png")
        d.click(".logout button")
        # The clerk registers.
        login("wang", "初始密码初始密码99")
        change_password("初始密码初始密码99", "王科员自己的密码22")
        d.go(base + "/applications/new")
        axe_scan(d, axe_src, "register form")
        today = d.js("return new Date(Date.now() + 8*3600*1000).toISOString().slice(0, 10);")
        d.select("#organ", "2")
        d.type("#serial", "2026-001")
        d.js("document.querySelector('#received').value = arguments[0];", today)
        d.type("#name", "张三")
        d.type("#phone", "12345")
        d.type("#description", "2025年度科技项目资金分配结果")
        d.click("main form button[type=submit]")
        check("a wrong phone number is shown inline in Chinese", "请改正以下问题" in d.text() and "电话" in d.text(),
              d.text()[:300])
        shot("04-register-error.png")
        d.type("#phone", "13812345678")
        d.click("main form button[type=submit]")
        check("after registering, the due date shows", "已登记。答复期限" in d.text(), d.text()[:300])
        check("personal data is masked", "张*" in d.text() and "13812345678" not in d.text())
        axe_scan(d, axe_src, "application")
        shot("05-application.png")
        app_url = d.url().split("?")[0]
        d.click(".logout button")
        # The head approves an extension.
        login("li", "初始密码初始密码99")
        change_password("初始密码初始密码99", "李主任自己的密码33")
        d.go(app_url)
        due_before = re.search(r"答复期限\s*(\d{4}年\d+月\d+日)", d.text())
        d.select("#kind", "extended")
        d.type("#days", "10")
        d.click("main form button[type=submit]")
        due_after = re.search(r"答复期限\s*(\d{4}年\d+月\d+日)", d.text())
        check("the head's extension moved the due date",
              due_before and due_after and due_before.group(1) != due_after.group(1) and "延期10个工作日" in d.text(),
              d.text()[:400])
        # The head signs the extension notice off; the page says who and when.
        d.select("#sign-kind", "extension")
        d.click("#sign button[type=submit]")
        check("the head signed the extension notice off",
              "已签发：政府信息公开申请延期答复告知书" in d.text() and "李主任" in d.text(), d.text()[:400])
        axe_scan(d, axe_src, "application after sign-off")
        d.js("document.querySelector('#sign').scrollIntoView();")
        shot("12-sign-off.png")
        d.click(".logout button")
        # The clerk replies; the dashboard no longer lists the application.
        login("wang", "王科员自己的密码22")
        d.go(base + "/?within=40")
        check("the dashboard lists the open application", "2026-001" in d.text())
        axe_scan(d, axe_src, "dashboard")
        shot("06-dashboard.png")
        d.go(app_url)
        d.select("#kind", "replied")
        d.select("#outcome", "R3.1")
        d.click("main form button[type=submit]")
        check("the reply closed the application", "已于" in d.text() and "办结" in d.text(), d.text()[:300])
        d.go(base + "/?within=40")
        check("the dashboard is updated", "2026-001" not in d.text().split("各机关办理情况")[0])
        d.go(base + "/applications")
        axe_scan(d, axe_src, "application list")
        shot("07-applications.png")
        d.go(app_url + "/history")
        check("the history names who did what", "王科员" in d.text() and "李主任" in d.text(), d.text()[:300])
        axe_scan(d, axe_src, "history")
        shot("08-history.png")
        d.go(base + "/catalogue")
        d.type("#title", "关于做好2027年政务公开工作的通知")
        d.js("document.querySelector('#issued').value = arguments[0];", today)
        d.click("main form[method=post] button[type=submit]")
        check("a catalogue entry got its index number", "关于做好2027年政务公开工作的通知" in d.text(), d.text()[:300])
        d.type("#title", "关于废止某项规定的通知")
        d.js("document.querySelector('#issued').value = arguments[0];", today)
        d.click("main form.card button[type=submit]")
        d.click("table form button[type=submit]")
        check("a catalogue entry was repealed (no second repeal offered)",
              d.js("return document.querySelectorAll('table form').length;") == 1, d.text()[:300])
        axe_scan(d, axe_src, "catalogue")
        shot("09-catalogue.png")
        d.go(base + "/cases")
        d.type("#number", "某复决字〔2026〕1号")
        d.js("document.querySelector('#filed').value = arguments[0];", today)
        d.click("main form.card button[type=submit]")
        check("a review case was registered", "某复决字〔2026〕1号" in d.text() and "尚未审结" in d.text(), d.text()[:300])
        d.click("table form button[type=submit]")
        check("the case was concluded", "结果维持" in d.text() and "尚未审结" not in d.text(), d.text()[:300])
        axe_scan(d, axe_src, "cases")
        shot("10-cases.png")
        d.go(base + "/counts?year=2026")
        d.type("#licences", "12")
        d.type("#fee_wan", "-1")
        d.click("main form.card button[type=submit]")
        check("a negative amount is refused in Chinese", "负数" in d.text() or "不能为负" in d.text(), d.text()[:300])
        d.type("#licences", "12")
        d.type("#fee_wan", "3.25")
        d.click("main form.card button[type=submit]")
        check("the counts were saved, blanks kept blank", "已填写2026年度的数量" in d.text(), d.text()[:300])
        axe_scan(d, axe_src, "counts")
        shot("11-counts.png")
        # The 台账: a bad file shows every bad row before anything is written; a good one is
        # previewed, then imported all at once; the export is masked.
        bad = os.path.join(work, "台账-有错.csv")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("受理编号,收到申请日期,提交方式,申请人类型,申请人姓名或名称,联系电话,申请内容\n"
                    "T-1,2026-01-05,网络,自然人,赵六,13812345678,某文件\n"
                    "T-2,2026-02-30,网络,自然人,钱七,13812345678,某文件\n"
                    "T-3,2026-01-06,飞鸽,自然人,孙八,12345,某文件\n")
        good = os.path.join(work, "台账.csv")
        with open(good, "w", encoding="utf-8") as f:
            f.write("受理编号,收到申请日期,提交方式,申请人类型,申请人姓名或名称,联系电话,申请内容,答复日期,办理结果\n"
                    "T-1,2026-01-05,网络,自然人,赵六,13812345678,某文件,2026-01-20,予以公开\n"
                    "T-2,2026-01-06,当面,商业企业,某某有限公司,,某批复,,\n")
        d.go(base + "/ledger")
        d.select("#organ", "2")
        d.type("#file", bad, clear=False)
        d.click("#upload button[type=submit]")
        t = d.text()
        check("every bad row of the ledger is shown, masked, and nothing is written",
              "有 3 处错误，未导入任何一行" in t and "第3行" in t and "第4行" in t and "钱七" not in t and "孙八" not in t,
              t[:500])
        axe_scan(d, axe_src, "ledger errors")
        shot("13-ledger-errors.png")
        d.select("#organ", "2")
        d.type("#file", good, clear=False)
        d.click("#upload button[type=submit]")
        check("a good ledger is previewed, not yet written", "校验通过" in d.text() and "共 2 行" in d.text(),
              d.text()[:400])
        axe_scan(d, axe_src, "ledger preview")
        shot("14-ledger-preview.png")
        d.click("#import")
        check("the previewed ledger was imported", "已导入 2 件申请" in d.text(), d.text()[:400])
        exported = d.js_async(
            "const done = arguments[arguments.length - 1];"
            "fetch('/ledger/export?organ=2&format=csv').then(r => r.text()).then(done).catch(e => done('ERR ' + e));")
        check("the ledger export is masked", "T-1" in exported and "赵*" in exported and "赵六" not in exported
              and "已隐去" in exported, exported[:300])
        # The unmasked export: an explicit form with a stated purpose (audited), for the clerk.
        d.go(base + "/ledger?organ=2")
        d.select("#unmasked-format", "csv")
        d.type("#purpose", "核对申请人身份")
        axe_scan(d, axe_src, "ledger export")
        shot("16-ledger-export.png")
        unmasked = d.js_async(
            "const done = arguments[arguments.length - 1];"
            "const f = document.querySelector('#export-unmasked');"
            "fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))})"
            ".then(r => r.text()).then(done).catch(e => done('ERR ' + e));")
        check("the unmasked ledger export, with its purpose, holds the personal data",
              "T-1" in unmasked and "赵六" in unmasked and "13812345678" in unmasked and "已隐去" not in unmasked,
              unmasked[:300])
        d.go(base + "/applications?q=T-")
        check("the imported applications are in the register", "T-1" in d.text() and "T-2" in d.text(), d.text()[:300])
        d.click(".logout button")
        # The administrator manages the clerk's account: disable, then enable again.
        login("admin", "管理员的新密码abc123")
        d.go(base + "/users/2")
        d.click("#disable")
        check("the admin disabled the clerk", "已停用" in d.text(), d.text()[:300])
        d.click("#enable")
        check("the admin enabled the clerk again", "已启用" in d.text(), d.text()[:300])
        axe_scan(d, axe_src, "user")
        shot("15-user.png")
    except Exception as e:  # a broken step is a failed check, never a silent pass
        check("the browser flow ran to the end", False, repr(e))
    finally:
        if d:
            d.quit()
        driver_proc.terminate()
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)
    passed = sum(1 for c in CHECKS if c[1])
    failed = len(CHECKS) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
