#!/usr/bin/env python3
"""Latency of `refkeeper lsp`, as an editor sees it.

Starts the server on a project, opens a chapter, then measures:
  - diagnostics: from a didChange (one keystroke) to the publishDiagnostics
    of that chapter;
  - completion: a textDocument/completion request where a key is typed.
Each is repeated and reported as median and worst, in milliseconds.

Usage: benches/lsp-latency.py BINARY PROJECT_FOLDER CHAPTER [RUNS]
  e.g. benches/lsp-latency.py target/release/refkeeper ../shared/corpus/lyttle-thesis chapters/introduction.tex
"""
import json, os, statistics, subprocess, sys, time, urllib.parse

binary, root, chapter = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 20
server = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, cwd=root)

def send(message):
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()

def receive():
    header = b""
    while not header.endswith(b"\r\n\r\n"):
        byte = server.stdout.read(1)
        if not byte:
            sys.exit("the server closed its output")
        header += byte
    length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    return json.loads(server.stdout.read(length))

def uri(path):
    return "file://" + urllib.parse.quote(os.path.join(root, path))

next_id = 0
def request(method, params):
    global next_id
    next_id += 1
    send({"jsonrpc": "2.0", "id": next_id, "method": method, "params": params})
    while True:
        message = receive()
        if message.get("id") == next_id:
            return message

def wait_diagnostics(target):
    while True:
        message = receive()
        if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == target:
            return message

start = time.perf_counter()
request("initialize", {"processId": None, "rootUri": uri(""), "capabilities": {}})
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
target = uri(chapter)
text = open(os.path.join(root, chapter), encoding="utf-8").read()
wait_diagnostics(target)
print(f"start (read and check the project): {1000 * (time.perf_counter() - start):.1f} ms")
# The server publishes the other files after this one (the bibliography,
# with every unused entry, last); a request answered after them lets the
# edits below be timed alone.
request("textDocument/hover", {"textDocument": {"uri": target}, "position": {"line": 0, "character": 0}})
print(f"every file published: {1000 * (time.perf_counter() - start):.1f} ms")
# Opening the file as it is on disk changes nothing, so nothing is sent.
send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
      "params": {"textDocument": {"uri": target, "languageId": "text", "version": 1, "text": text}}})

latex = chapter.endswith(".tex")
typed, closing = ("\\cite{", "}") if latex else ("[@", "]")
diagnostics, completions = [], []
for run in range(runs):
    # A new missing key each time, so that the diagnostics change.
    edited = text + f"\n{typed}a{run}{closing}"
    begin = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didChange",
          "params": {"textDocument": {"uri": target, "version": run + 2},
                     "contentChanges": [{"text": edited}]}})
    wait_diagnostics(target)
    diagnostics.append(1000 * (time.perf_counter() - begin))
    line = edited.count("\n")
    begin = time.perf_counter()
    answer = request("textDocument/completion", {"textDocument": {"uri": target},
                     "position": {"line": line, "character": len(typed) + 1 + len(str(run))}})
    completions.append(1000 * (time.perf_counter() - begin))
items = len((answer.get("result") or {}).get("items", []))
print(f"diagnostics after an edit: median {statistics.median(diagnostics):.1f} ms, worst {max(diagnostics):.1f} ms ({runs} edits)")
print(f"completion: median {statistics.median(completions):.1f} ms, worst {max(completions):.1f} ms ({items} items in the last answer)")
request("shutdown", None)
send({"jsonrpc": "2.0", "method": "exit"})
server.wait(timeout=10)
