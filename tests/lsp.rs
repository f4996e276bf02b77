//! `refkeeper lsp` spoken to over standard input and output, as an editor
//! speaks to it: JSON-RPC messages with `Content-Length` headers. One test
//! per feature, on small projects of each format; each reads the server's
//! answer, never its internals.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use common::project;

const TIMEOUT: Duration = Duration::from_secs(30);

const BIB: &str = "@book{kim2007, author = {Kim, Minjun}, title = {{Korea} and {Central Asia}}, publisher = {P}, date = {2007}}\n\
@article{lee2010, author = {Lee, Jiyoung}, title = {Silk Road Diplomacy}, journaltitle = {Asian Survey}, date = {2010}, doi = {https://doi.org/10.1000/xyz}}\n\
@book{park2011, author = {Park, J. and et al.}, title = {Unused Work}, publisher = {P}, date = {2011}}\n";

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Value>,
    next_id: u64,
    root: std::path::PathBuf,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_refkeeper"))
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let message: Value = serde_json::from_slice(&body).unwrap();
                if send.send(message).is_err() {
                    return;
                }
            }
        });
        let root = root.canonicalize().unwrap();
        let mut server = Server {
            child,
            stdin,
            messages,
            next_id: 0,
            root,
        };
        let uri = server.uri("");
        let result = server.request(
            "initialize",
            json!({ "processId": null, "rootUri": uri, "capabilities": {} }),
        );
        assert!(
            result["capabilities"]["completionProvider"].is_object(),
            "{result}"
        );
        server.notify("initialized", json!({}));
        server
    }

    fn uri(&self, file: &str) -> String {
        url::Url::from_file_path(self.root.join(file))
            .unwrap()
            .to_string()
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result (or its error, as `{"error": ...}`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self
                .messages
                .recv_timeout(TIMEOUT)
                .expect("an answer in time");
            if message["id"] == id {
                return match message.get("error") {
                    Some(error) => json!({ "error": error }),
                    None => message["result"].clone(),
                };
            }
        }
    }

    /// The next diagnostics published for a file.
    fn diagnostics_for(&mut self, file: &str) -> Vec<Value> {
        let uri = self.uri(file);
        loop {
            let message = self
                .messages
                .recv_timeout(TIMEOUT)
                .expect("diagnostics in time");
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn open(&mut self, file: &str, language: &str) {
        let text = std::fs::read_to_string(self.root.join(file)).unwrap();
        let uri = self.uri(file);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        );
    }

    fn change(&mut self, file: &str, version: i32, text: &str) {
        let uri = self.uri(file);
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    fn at(&self, file: &str, line: u32, character: u32) -> Value {
        json!({ "textDocument": { "uri": self.uri(file) }, "position": { "line": line, "character": character } })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

fn markdown_project() -> tempfile::TempDir {
    project(&[
        ("refs/refs.bib", BIB.as_bytes()),
        (
            "chapters/intro.md",
            b"As [@kim2007] and @lee2010 show, and [@kim2008].\n",
        ),
    ])
}

#[test]
fn diagnostics_follow_unsaved_edits_and_unused_entries_show_in_the_bib() {
    let dir = markdown_project();
    let mut server = Server::start(dir.path());
    // On start: every file of the project.
    let chapter = server.diagnostics_for("chapters/intro.md");
    assert_eq!(codes(&chapter), ["missing-entry"], "{chapter:?}");
    assert_eq!(
        chapter[0]["range"]["start"],
        json!({ "line": 0, "character": 39 })
    );
    assert!(
        chapter[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `kim2007`?")
    );
    // Opening the file changes nothing: nothing is sent again.
    server.open("chapters/intro.md", "markdown");
    // An unsaved edit that fixes the key and cites the unused entry.
    server.change(
        "chapters/intro.md",
        2,
        "As [@kim2007], @lee2010 and [@park2011].\n",
    );
    let chapter = server.diagnostics_for("chapters/intro.md");
    assert_eq!(codes(&chapter), Vec::<String>::new(), "{chapter:?}");
    let bib = server.diagnostics_for("refs/refs.bib");
    assert_eq!(codes(&bib), ["et-al-in-names", "invalid-doi"], "{bib:?}");
}

#[test]
fn completion_offers_keys_where_each_format_cites() {
    let dir = project(&[
        ("refs/refs.bib", BIB.as_bytes()),
        (
            "chapters/a.tex",
            b"As \\parencite[see][]{kim2007, le} says.\n",
        ),
        ("chapters/b.md", b"See [@silk\n"),
        ("chapters/c.typ", b"See #cite(<ki\n"),
    ]);
    let mut server = Server::start(dir.path());
    // LaTeX, after a comma in the key list: `le` matches lee2010's key.
    let list = server.request(
        "textDocument/completion",
        server.at("chapters/a.tex", 0, 32),
    );
    let labels: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["lee2010"], "{list}");
    assert_eq!(
        list["items"][0]["textEdit"]["range"]["start"],
        json!({ "line": 0, "character": 30 })
    );
    // Markdown: `silk` matches the title, not the key.
    let list = server.request("textDocument/completion", server.at("chapters/b.md", 0, 10));
    let labels: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["lee2010"], "{list}");
    // Typst, inside #cite(<...>).
    let list = server.request(
        "textDocument/completion",
        server.at("chapters/c.typ", 0, 13),
    );
    let labels: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["kim2007"], "{list}");
    // The documentation is the entry formatted (APA without a configured style).
    let item = server.request("completionItem/resolve", list["items"][0].clone());
    let text = item["documentation"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("Kim, M. (2007). *Korea and Central Asia*. P."),
        "{text}"
    );
    // Not where nothing is cited.
    let none = server.request("textDocument/completion", server.at("chapters/a.tex", 0, 2));
    assert!(none.is_null(), "{none}");
}

#[test]
fn hover_formats_the_entry_and_names_a_missing_keys_suggestion() {
    let dir = markdown_project();
    let mut server = Server::start(dir.path());
    let hover = server.request("textDocument/hover", server.at("chapters/intro.md", 0, 7));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("Kim, M. (2007). *Korea and Central Asia*. P."),
        "{text}"
    );
    assert!(text.contains("defined in refs/refs.bib:1"), "{text}");
    let hover = server.request("textDocument/hover", server.at("chapters/intro.md", 0, 42));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert_eq!(
        text,
        "`kim2008` is not in any bibliography; did you mean `kim2007`?"
    );
}

#[test]
fn definition_and_references_connect_citations_and_entries() {
    let dir = markdown_project();
    let mut server = Server::start(dir.path());
    let target = server.request(
        "textDocument/definition",
        server.at("chapters/intro.md", 0, 20),
    );
    assert_eq!(target["uri"], server.uri("refs/refs.bib"));
    assert_eq!(
        target["range"]["start"],
        json!({ "line": 1, "character": 9 })
    );
    // From the entry's key in the .bib: its citation.
    let mut params = server.at("refs/refs.bib", 0, 8);
    params["context"] = json!({ "includeDeclaration": false });
    let found = server.request("textDocument/references", params);
    let places: Vec<(String, u64)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["uri"].as_str().unwrap().to_owned(),
                l["range"]["start"]["character"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(places, [(server.uri("chapters/intro.md"), 5)]);
}

#[test]
fn rename_changes_the_key_everywhere_and_refuses_a_taken_name() {
    let dir = markdown_project();
    let mut server = Server::start(dir.path());
    let mut params = server.at("chapters/intro.md", 0, 7);
    params["newName"] = json!("kim2007a");
    let edit = server.request("textDocument/rename", params);
    let bib = &edit["changes"][server.uri("refs/refs.bib")];
    assert_eq!(bib[0]["newText"], "kim2007a");
    assert_eq!(
        bib[0]["range"]["start"],
        json!({ "line": 0, "character": 6 })
    );
    let chapter = &edit["changes"][server.uri("chapters/intro.md")];
    assert_eq!(chapter.as_array().unwrap().len(), 1);
    let mut taken = server.at("chapters/intro.md", 0, 7);
    taken["newName"] = json!("lee2010");
    let refused = server.request("textDocument/rename", taken);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already a key"),
        "{refused}"
    );
}

/// The code actions the server offers for a range on one line.
fn code_actions(server: &mut Server, file: &str, line: u32, from: u32, to: u32) -> Vec<Value> {
    let params = json!({
        "textDocument": { "uri": server.uri(file) },
        "range": { "start": { "line": line, "character": from }, "end": { "line": line, "character": to } },
        "context": { "diagnostics": [] }
    });
    server
        .request("textDocument/codeAction", params)
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn code_actions_fix_what_the_findings_name() {
    let dir = markdown_project();
    let mut server = Server::start(dir.path());
    let missing = code_actions(&mut server, "chapters/intro.md", 0, 40, 41);
    assert_eq!(missing[0]["title"], "Replace with `kim2007`");
    let column =
        |line: usize, text: &str| BIB.lines().nth(line).unwrap().find(text).unwrap() as u32;
    let doi = code_actions(
        &mut server,
        "refs/refs.bib",
        1,
        column(1, "https"),
        column(1, "https") + 1,
    );
    let doi_titles: Vec<&str> = doi.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert!(
        doi_titles.contains(&"Write only the DOI: 10.1000/xyz"),
        "{doi:?}"
    );
    let et_al = code_actions(
        &mut server,
        "refs/refs.bib",
        2,
        column(2, "Park"),
        column(2, "Park") + 1,
    );
    let fix = et_al
        .iter()
        .find(|a| a["title"] == "Write `and others`")
        .expect("an et al. fix");
    let change = &fix["edit"]["changes"][server.uri("refs/refs.bib")][0];
    assert_eq!(change["newText"], "Park, J. and others");
    let unused = code_actions(
        &mut server,
        "refs/refs.bib",
        2,
        column(2, "park2011"),
        column(2, "park2011") + 1,
    );
    let allow = unused
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Allow `park2011`"))
        .expect("an allow-unused fix");
    let change = &allow["edit"]["changes"][server.uri("refkeeper.toml")][0];
    assert_eq!(
        change["newText"],
        "\n[check]\nallow-unused = [\"park2011\"]\n"
    );
}

#[test]
fn code_actions_rename_a_misspelt_field_and_separate_citations() {
    let dir = project(&[
        (
            "refs/refs.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, publsher = {P}, date = {2007}}\n\
@book{lee2010, author = {Lee, J.}, title = {B}, publisher = {P}, date = {2010}}\n",
        ),
        ("chapters/intro.md", b"As [@kim2007, @lee2010] show.\n"),
    ]);
    let mut server = Server::start(dir.path());
    let field = code_actions(&mut server, "refs/refs.bib", 0, 52, 53);
    assert_eq!(field[0]["title"], "Rename to `publisher`", "{field:?}");
    let separator = code_actions(&mut server, "chapters/intro.md", 0, 16, 17);
    assert_eq!(
        separator[0]["title"], "Separate the citations with a semicolon",
        "{separator:?}"
    );
    let edit = &separator[0]["edit"]["changes"][server.uri("chapters/intro.md")][0];
    assert_eq!(edit["newText"], "; ");
    assert_eq!(
        edit["range"],
        json!({ "start": { "line": 0, "character": 12 }, "end": { "line": 0, "character": 14 } })
    );
}

#[test]
fn symbols_list_the_entries_of_a_bib_and_every_key() {
    let dir = markdown_project();
    let mut server = Server::start(dir.path());
    let symbols = server.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": server.uri("refs/refs.bib") } }),
    );
    let names: Vec<(&str, &str)> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("kim2007", "@book Korea and Central Asia"),
            ("lee2010", "@article Silk Road Diplomacy"),
            ("park2011", "@book Unused Work")
        ]
    );
    let found = server.request("workspace/symbol", json!({ "query": "LEE" }));
    assert_eq!(found[0]["name"], "lee2010");
}

#[test]
fn a_broken_bibliography_still_serves_the_entries_that_parse() {
    let dir = project(&[
        (
            "refs/refs.bib",
            b"@book{good2001, title = {Good}, date = 2001}\n@book{broken, title = {unclosed\n@book{also2002, title = {Also}, date = 2002}\n",
        ),
        ("chapters/a.md", b"See [@\n"),
    ]);
    let mut server = Server::start(dir.path());
    let list = server.request("textDocument/completion", server.at("chapters/a.md", 0, 6));
    let labels: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"good2001") && labels.contains(&"also2002"),
        "{list}"
    );
}

#[test]
fn an_unknown_request_is_an_error_and_the_server_goes_on() {
    let dir = markdown_project();
    let mut server = Server::start(dir.path());
    let answer = server.request("refkeeper/nothing", json!({}));
    assert!(answer["error"]["code"] == -32601, "{answer}");
    let hover = server.request("textDocument/hover", server.at("chapters/intro.md", 0, 7));
    assert!(hover["contents"].is_object(), "{hover}");
    let _ = server.request("shutdown", Value::Null);
    server.notify("exit", Value::Null);
}

#[test]
fn a_request_right_after_an_edit_is_answered() {
    // Regression: the server took the notifications waiting after an edit
    // and dropped the first request among them (Neovim's completion right
    // after typing got no answer).
    let dir = markdown_project();
    let mut server = Server::start(dir.path());
    server.open("chapters/intro.md", "markdown");
    for version in 2..6 {
        server.change("chapters/intro.md", version, "See [@le\n");
    }
    let list = server.request(
        "textDocument/completion",
        server.at("chapters/intro.md", 0, 8),
    );
    assert_eq!(list["items"][0]["label"], "lee2010", "{list}");
}

#[test]
fn a_typst_document_with_a_hayagriva_bibliography_is_served_alike() {
    let dir = project(&[
        (
            "main.typ",
            b"As @kim2007 shows.\n#bibliography(\"refs.yml\")\n",
        ),
        (
            "refs.yml",
            b"kim2007:\n  type: book\n  title: Korea and Central Asia\n  author: Kim, Minjun\n  publisher: P\n  date: 2007\n",
        ),
    ]);
    let mut server = Server::start(dir.path());
    let hover = server.request("textDocument/hover", server.at("main.typ", 0, 6));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("Kim, M. (2007). *Korea and Central Asia*. P."),
        "{text}"
    );
    assert!(text.contains("defined in refs.yml:1"), "{text}");
    let target = server.request("textDocument/definition", server.at("main.typ", 0, 6));
    assert_eq!(target["uri"], server.uri("refs.yml"));
    assert_eq!(
        target["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
}
