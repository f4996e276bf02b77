//! `refkeeper lsp` in a real editor: Neovim's built-in LSP client, headless,
//! opens a chapter, reads the diagnostics the server publishes and asks for
//! a completion list. Skips, saying so, when `nvim` is not installed
//! (`apt-get install neovim`); `.ci/run` installs nothing.

mod common;

use common::project;

/// Works with Neovim 0.7 (Debian 12's) and later: `start_client` and
/// `buf_attach_client` rather than `vim.lsp.start` (0.8).
const SCRIPT: &str = r#"
local bin, root, out = os.getenv('REFKEEPER_BIN'), os.getenv('PROJECT_ROOT'), os.getenv('RESULT_FILE')
local id = vim.lsp.start_client({ name = 'refkeeper', cmd = { bin, 'lsp' }, root_dir = root })
vim.cmd('edit ' .. root .. '/chapters/intro.md')
vim.lsp.buf_attach_client(0, id)
vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local messages = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(messages, d.message)
end
local client = vim.lsp.get_client_by_id(id)
local params = { textDocument = { uri = vim.uri_from_bufnr(0) }, position = { line = 1, character = 7 } }
local reply = client.request_sync('textDocument/completion', params, 10000, 0)
local labels = {}
if reply and reply.result then
  for _, item in ipairs(reply.result.items or reply.result) do
    table.insert(labels, item.label)
  end
end
local file = io.open(out, 'w')
file:write(vim.fn.json_encode({ diagnostics = messages, completion = labels }))
file:close()
vim.cmd('qa!')
"#;

#[test]
fn neovim_shows_diagnostics_and_completes_keys() {
    let nvim = std::process::Command::new("nvim").arg("--version").output();
    if !nvim.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: nvim is not installed (apt-get install neovim)");
        return;
    }
    let dir = project(&[
        (
            "refs/refs.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, publisher = {P}, date = 2007}\n@book{lee2010, author = {Lee, J.}, title = {B}, publisher = {P}, date = 2010}\n",
        ),
        ("chapters/intro.md", b"As [@kim2008] shows.\nSee [@le\n"),
    ]);
    let script = dir.path().join("test.lua");
    std::fs::write(&script, SCRIPT).unwrap();
    let result = dir.path().join("result.json");
    let status = std::process::Command::new("nvim")
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("REFKEEPER_BIN", env!("CARGO_BIN_EXE_refkeeper"))
        .env("PROJECT_ROOT", dir.path())
        .env("RESULT_FILE", &result)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&result).unwrap_or_else(|_| {
        panic!(
            "no result from nvim: {}",
            String::from_utf8_lossy(&status.stderr)
        )
    });
    let result: serde_json::Value = serde_json::from_str(&text).unwrap();
    let diagnostics = result["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics.iter().any(|d| d
            .as_str()
            .unwrap()
            .contains("`kim2008` is cited but is not in any bibliography")),
        "{result}"
    );
    assert_eq!(
        result["completion"],
        serde_json::json!(["lee2010"]),
        "{result}"
    );
}
