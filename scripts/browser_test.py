#!/usr/bin/env python3
"""Browser test of `minipy run --timeline FILE.html` and `.svg`, in headless Chromium.

For the two-thread countdown and the balance race: writes the timeline page and the SVG,
opens each in `chromium --headless --no-sandbox`, driven over the DevTools protocol (a
WebSocket, spoken here with the standard library only), and checks that
  - the page draws one row per thread and has no console errors,
  - a real mouse click on a running slice shows its details (thread, state, start,
    duration, source line), and a click on "zoom in" narrows the view,
  - the SVG file renders with one row per thread;
then saves a screenshot of each (target/browser-test/*.png).

    scripts/browser_test.py [--binary PATH] [--out DIR]

Chromium comes from scripts/install-chromium (Debian's package, installed if missing).
When it cannot be installed here the test says so and exits 0: it is skipped, not failed.
"""

import argparse
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAMS = [
    ("countdown", "demos/countdown_threads.mpy", []),
    ("race", "tests/trace/balance.mpy", ["--seed", "4"]),
]
THREADS = 3  # MainThread and two workers, in both programs


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("  ok: " + what)


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: text frames, client-masked."""

    def __init__(self, url):
        parts = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
             % (parts.path, parts.hostname, parts.port, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise Failure("the DevTools WebSocket closed during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise Failure("the DevTools WebSocket refused: %r" % head[:200])

    def send(self, text):
        data = text.encode()
        header = bytes([0x81])
        if len(data) < 126:
            header += bytes([0x80 | len(data)])
        elif len(data) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(data))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise Failure("the DevTools WebSocket closed")
            out += chunk
        return out

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(n)
            opcode = b0 & 0x0F
            if opcode == 8:
                raise Failure("the DevTools WebSocket closed")
            if opcode in (0, 1, 2):
                message += payload
                if b0 & 0x80:
                    return message.decode()


class Page:
    """One tab, spoken to with DevTools commands."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise Failure("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, method, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)
            self.events.append(json.loads(self.ws.recv()))
        raise Failure("no %s within %ds" % (method, timeout))

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise Failure("%s: %s" % (expression, result["exceptionDetails"]))
        return result["result"].get("value")

    def open(self, path):
        self.events.clear()
        self.call("Page.navigate", url="file://" + path)
        self.wait_event("Page.loadEventFired")

    def click(self, x, y):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        print("  screenshot: " + os.path.relpath(path, ROOT))

    def console_errors(self):
        return [e for e in self.events
                if e.get("method") == "Runtime.exceptionThrown"
                or (e.get("method") == "Runtime.consoleAPICalled"
                    and e["params"].get("type") == "error")]


def start_chromium(exe, profile):
    proc = subprocess.Popen(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--allow-file-access-from-files", "--remote-debugging-port=0",
         "--user-data-dir=" + profile, "--window-size=1280,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            raise Failure("chromium exited (%s) before it listened" % proc.returncode)
        if "DevTools listening on ws://" in line:
            port = int(line.split("ws://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
            return proc, port
    stop_chromium(proc)
    raise Failure("chromium did not start its DevTools server within 60s")


def stop_chromium(proc):
    # Chromium's own children (renderer, GPU, zygote) are in its session: end them all.
    try:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, 9)
        proc.wait()


def new_tab(port):
    url = "http://127.0.0.1:%d/json/new?about:blank" % port
    req = urllib.request.Request(url, method="PUT")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)["webSocketDebuggerUrl"]


def test_program(page, binary, name, program, extra, out):
    print("%s (%s):" % (name, program))
    html = os.path.join(out, name + ".html")
    svg = os.path.join(out, name + ".svg")
    for path in (html, svg):
        run = subprocess.run([binary, "run", "--timeline", path] + extra + [program], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        check(run.returncode == 0, "minipy run --timeline %s (%s)" % (os.path.basename(path),
                                                                      run.stderr.strip()))
    page.call("Page.enable")
    page.call("Runtime.enable")
    page.open(html)
    check(page.js("document.body.getAttribute('data-ready')") == "yes", "the page's script ran")
    rows = page.js("document.querySelectorAll('#plot g.row').length")
    check(rows == THREADS, "one row per thread (%s rows)" % rows)
    labels = page.js("[...document.querySelectorAll('#plot g.row text.label')]"
                     ".map(e => e.textContent)")
    check(labels == ["MainThread", "Thread-1", "Thread-2"], "rows named %s" % labels)
    # The widest running slice of Thread-1's row: click its middle, as a user would.
    box = page.js("""(() => {
        const row = document.querySelector('#plot g.row[data-thread="1"]');
        let best = null;
        for (const r of row.querySelectorAll('rect.slice.running')) {
            const b = r.getBoundingClientRect();
            if (!best || b.width > best.width) best = b;
        }
        return best && {x: best.x + best.width / 2, y: best.y + best.height / 2, w: best.width};
    })()""")
    check(box is not None and box["w"] >= 1, "Thread-1 has a running slice to click")
    page.click(box["x"], box["y"])
    details = page.js("document.getElementById('details').textContent")
    state = page.js("document.getElementById('details').getAttribute('data-state')")
    print("  details: " + details.replace("\n", " | "))
    check(details.startswith("Thread-1: running"), "the click shows the slice's thread and state")
    for word in ("start ", "duration ", "source line ", "counted instructions"):
        check(word in details, "the details give %r" % word.strip())
    check(state == "running", "the details name the state")
    check(page.js("document.querySelector('#plot rect.selected') !== null"),
          "the clicked slice is outlined")
    before = page.js("document.getElementById('view').textContent")
    page.js("document.getElementById('zoom-in').click()")
    after = page.js("document.getElementById('view').textContent")
    check(before != after and after.startswith("showing "), "zoom in narrows the view (%s)" % after)
    page.js("document.getElementById('reset').click()")
    page.screenshot(os.path.join(out, name + "-page.png"))
    errors = page.console_errors()
    check(not errors, "no script errors (%s)" % errors[:1])
    page.open(svg)
    rows = page.js("document.querySelectorAll('g.row').length")
    check(rows == THREADS, "the SVG renders one row per thread (%s rows)" % rows)
    width = page.js("document.documentElement.getBoundingClientRect().width")
    check(width and width > 100, "the SVG has a size (%spx wide)" % width)
    page.screenshot(os.path.join(out, name + "-svg.png"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", help="the minipy to test (default: target/release, else debug)")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "browser-test"),
                    help="where the pages and screenshots go")
    args = ap.parse_args()
    binary = args.binary
    if not binary:
        built = [os.path.join(ROOT, "target", kind, "minipy") for kind in ("release", "debug")]
        built = [b for b in built if os.path.exists(b)]
        if not built:
            print("browser test: no minipy built (cargo build first)", file=sys.stderr)
            return 1
        binary = max(built, key=os.path.getmtime)
    installer = subprocess.run([os.path.join(ROOT, "scripts", "install-chromium")])
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if installer.returncode != 0 or not exe:
        print("browser test SKIPPED: no Chromium here (see the message above)")
        return 0
    os.makedirs(args.out, exist_ok=True)
    out = os.path.abspath(args.out)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        proc, port = start_chromium(exe, profile)
        try:
            page = Page(new_tab(port))
            for name, program, extra in PROGRAMS:
                test_program(page, binary, name, program, extra, out)
        except Failure as e:
            print("browser test FAILED: %s" % e, file=sys.stderr)
            return 1
        finally:
            stop_chromium(proc)
    print("browser test passed (%s, %s)" % (exe, os.path.relpath(binary, ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
