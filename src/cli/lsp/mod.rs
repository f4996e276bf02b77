//! `refkeeper lsp`: a language server (LSP 3.17, over standard input and
//! output) for LaTeX, Pandoc/Quarto/R Markdown, Typst and the bibliography
//! files, built on the library: diagnostics for every `check` finding as
//! the author types, completion of keys wherever the format cites, hover,
//! go to definition, find references, rename, quick fixes and symbols.
//!
//! Built with `lsp-server` and `lsp-types`, as rust-analyzer is: a
//! synchronous loop over a channel of messages, which suits a server whose
//! every answer is a few milliseconds of work on data in memory (no async
//! runtime to carry). The server never writes a file: renames and fixes
//! are workspace edits the editor applies. A request that panics is
//! answered with an error, and the server goes on.

// lsp-types keys a workspace edit's changes by `Uri`, whose inner cell
// (fluent-uri's) does not take part in hashing or equality.
#![allow(clippy::mutable_key_type)]

mod features;
mod text;
mod workspace;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest, References,
    Rename, Request as _, ResolveCompletionItem, WorkspaceSymbolRequest,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, InitializeParams, MessageType, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};

use super::{Failure, Status};
use refkeeper::source::FileId;
use workspace::{Workspace, path_of};

/// Runs the server until the client shuts it down.
pub fn run() -> Result<Status, Failure> {
    let (connection, threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(["{", ",", "@", "<", " "].map(str::to_owned).to_vec()),
            resolve_provider: Some(true),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    let capabilities = serde_json::to_value(capabilities)
        .map_err(|e| Failure::new(format!("language server: {e}")))?;
    let params = connection
        .initialize(capabilities)
        .map_err(|e| Failure::new(format!("language server: {e}")))?;
    let params: InitializeParams = serde_json::from_value(params)
        .map_err(|e| Failure::new(format!("language server: initialize: {e}")))?;
    let root = root_of(&params)
        .or_else(|| std::env::current_dir().ok())
        .ok_or_else(|| Failure::new("language server: no workspace folder"))?;
    let mut server = Server {
        connection: &connection,
        workspace: Workspace::new(root),
        published: HashMap::new(),
    };
    server.say_why_unread();
    server.publish();
    // Completion's index and did-you-mean's are made now rather than at
    // the first key typed (200 ms and 75 ms on 100,000 entries): the
    // project was just read, nobody is typing yet.
    server.workspace.completion_entries();
    server.workspace.build_indexes();
    server
        .serve()
        .map_err(|e| Failure::new(format!("language server: {e}")))?;
    drop(connection);
    threads
        .join()
        .map_err(|e| Failure::new(format!("language server: {e}")))?;
    Ok(Status::Clean)
}

/// The folder the client opened: its first workspace folder, else the root URI.
#[allow(deprecated)] // `root_uri` is what older clients send.
fn root_of(params: &InitializeParams) -> Option<std::path::PathBuf> {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|f| f.uri.clone())
        .or_else(|| params.root_uri.clone())?;
    path_of(&folder)
}

struct Server<'c> {
    connection: &'c Connection,
    workspace: Workspace,
    /// What was last published for each file (a hash of it): a file whose
    /// diagnostics did not change is not sent again, and a file that went
    /// out of the project is cleared.
    published: HashMap<Uri, u64>,
}

impl Server<'_> {
    fn serve(&mut self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let mut next: Option<Message> = None;
        loop {
            let message = match next.take() {
                Some(message) => message,
                None => match self.connection.receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return Ok(()),
                },
            };
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    let response = self.answer(request);
                    self.connection.sender.send(Message::Response(response))?;
                }
                Message::Notification(notification) => {
                    let mut changed = self.notice(notification);
                    // Edits come in bursts (one per keystroke): take the
                    // notifications already waiting before checking again;
                    // the first other message is kept for the next turn.
                    while let Ok(waiting) = self.connection.receiver.try_recv() {
                        match waiting {
                            Message::Notification(notification) => {
                                changed |= self.notice(notification);
                            }
                            other => {
                                next = Some(other);
                                break;
                            }
                        }
                    }
                    if changed {
                        self.publish();
                    }
                }
                Message::Response(_) => {}
            }
        }
    }

    /// Answers a request; a panic becomes an error answer, not a crash.
    fn answer(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let method = request.method.clone();
        let workspace = &mut self.workspace;
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| dispatch(workspace, request)));
        match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("refkeeper failed on {method}; the server goes on"),
            ),
        }
    }

    /// Takes in a notification; true when the text changed.
    fn notice(&mut self, notification: Notification) -> bool {
        let workspace = &mut self.workspace;
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                else {
                    return false;
                };
                let Some(path) = path_of(&params.text_document.uri) else {
                    return false;
                };
                if !workspace.set_text(&path, params.text_document.text) {
                    // A file the project did not read: read it again, it
                    // may be new.
                    workspace.reload();
                }
                true
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) = notification.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) else {
                    return false;
                };
                let Some(path) = path_of(&params.text_document.uri) else {
                    return false;
                };
                // Full sync: the last change holds the whole text.
                match params.content_changes.into_iter().next_back() {
                    Some(change) => {
                        workspace.set_text(&path, change.text);
                        true
                    }
                    None => false,
                }
            }
            DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD => {
                // What a file includes or declares may have changed.
                workspace.reload();
                true
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                else {
                    return false;
                };
                if let Some(path) = path_of(&params.text_document.uri) {
                    workspace.close(&path);
                }
                true
            }
            _ => false,
        }
    }

    /// Publishes the diagnostics of every file the project reads that
    /// changed since they were last sent, and clears those of files it no
    /// longer reads.
    fn publish(&mut self) {
        let by_uri: HashMap<FileId, Uri> = self
            .workspace
            .session()
            .map(|session| {
                session
                    .sources()
                    .iter()
                    .filter_map(|(id, _)| Some((id, self.workspace.uri(id)?)))
                    .collect()
            })
            .unwrap_or_default();
        let published = &self.published;
        let known = |file: FileId| {
            by_uri
                .get(&file)
                .and_then(|uri| published.get(uri))
                .copied()
        };
        let (files, complete) = features::diagnostics(&mut self.workspace, &known);
        // After an edit, the files it reached; the others stand as published.
        let mut now = if complete {
            HashMap::new()
        } else {
            std::mem::take(&mut self.published)
        };
        // In the project's order (chapters, then bibliographies).
        for file in files {
            let Some(uri) = by_uri.get(&file.file) else {
                continue;
            };
            now.insert(uri.clone(), file.fingerprint);
            if let Some(diagnostics) = file.diagnostics {
                self.notify::<PublishDiagnostics>(PublishDiagnosticsParams::new(
                    uri.clone(),
                    diagnostics,
                    None,
                ));
            }
        }
        let gone: Vec<Uri> = (self.published.keys())
            .filter(|uri| !now.contains_key(*uri))
            .cloned()
            .collect();
        for uri in gone {
            self.notify::<PublishDiagnostics>(PublishDiagnosticsParams::new(uri, Vec::new(), None));
        }
        self.published = now;
    }

    /// Tells the user once why the project could not be read, if it could not.
    fn say_why_unread(&self) {
        if let Some(error) = &self.workspace.error {
            self.notify::<ShowMessage>(ShowMessageParams {
                typ: MessageType::WARNING,
                message: format!("refkeeper: {error}"),
            });
        }
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        let notification = Notification::new(N::METHOD.to_owned(), params);
        let _ = self
            .connection
            .sender
            .send(Message::Notification(notification));
    }
}

type Answer = Result<serde_json::Value, (ErrorCode, String)>;

/// The answer to one request.
fn dispatch(workspace: &mut Workspace, request: Request) -> Answer {
    fn params<R: lsp_types::request::Request>(
        request: Request,
    ) -> Result<R::Params, (ErrorCode, String)> {
        request
            .extract(R::METHOD)
            .map(|(_, params)| params)
            .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
    }
    fn json(value: impl serde::Serialize) -> Answer {
        serde_json::to_value(value).map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }
    match request.method.as_str() {
        Completion::METHOD => json(features::completion(
            workspace,
            params::<Completion>(request)?,
        )),
        ResolveCompletionItem::METHOD => json(features::resolve_completion(
            workspace,
            params::<ResolveCompletionItem>(request)?,
        )),
        HoverRequest::METHOD => json(features::hover(workspace, params::<HoverRequest>(request)?)),
        GotoDefinition::METHOD => json(features::definition(
            workspace,
            params::<GotoDefinition>(request)?,
        )),
        References::METHOD => json(features::references(
            workspace,
            params::<References>(request)?,
        )),
        Rename::METHOD => match features::rename(workspace, params::<Rename>(request)?) {
            Ok(edit) => json(edit),
            Err(message) => Err((ErrorCode::RequestFailed, message)),
        },
        CodeActionRequest::METHOD => json(features::code_actions(
            workspace,
            params::<CodeActionRequest>(request)?,
        )),
        DocumentSymbolRequest::METHOD => json(features::document_symbols(
            workspace,
            params::<DocumentSymbolRequest>(request)?,
        )),
        WorkspaceSymbolRequest::METHOD => json(features::workspace_symbols(
            workspace,
            params::<WorkspaceSymbolRequest>(request)?,
        )),
        method => Err((
            ErrorCode::MethodNotFound,
            format!("refkeeper does not answer {method}"),
        )),
    }
}
