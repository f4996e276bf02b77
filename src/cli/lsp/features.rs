//! What the server answers: diagnostics, completion, hover, go to
//! definition, find references, rename, code actions and symbols, each
//! made from the workspace's analysis (the library's), never by reading a
//! file itself.

use std::collections::HashMap;
use std::sync::LazyLock;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CompletionItem,
    CompletionItemKind, CompletionList, CompletionParams, CompletionTextEdit,
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol,
    DocumentSymbolParams, GotoDefinitionParams, Hover, HoverContents, HoverParams, Location,
    MarkupContent, MarkupKind, NumberOrString, Position, Range, ReferenceParams, RenameParams,
    SymbolInformation, SymbolKind, TextEdit, Uri, WorkspaceEdit, WorkspaceSymbolParams,
};
use refkeeper::bib::{Bibliography, EntryId};
use refkeeper::document::DocumentKind;
use refkeeper::render::references::{self as markup, Target};
use refkeeper::scan::Citation;
use refkeeper::source::{FileId, FileRole};
use refkeeper::{Code, Severity};
use regex::Regex;

use super::text::{offset, position, range};
use super::workspace::{Workspace, uri_of};

/// How many completion items one answer holds at most; the list is then
/// marked incomplete, and the client asks again as the user types.
const COMPLETION_LIMIT: usize = 200;

/// The findings of `check` for one file: a fingerprint of them, and (when
/// the caller does not hold that fingerprint already) the LSP diagnostics.
pub struct FileDiagnostics {
    pub file: FileId,
    pub fingerprint: u64,
    pub diagnostics: Option<Vec<LspDiagnostic>>,
}

/// Every file's findings as LSP diagnostics, made only for the files whose
/// findings differ from what `known` holds (by fingerprint): between two
/// keystrokes in a chapter, a bibliography's tens of thousands of findings
/// are fingerprinted, not converted and sent again.
///
/// After an edit, only the files it may have changed are looked at (see
/// `LiveCheck::changed`); the list then holds those alone, and the flag
/// that comes with it is false.
pub fn diagnostics(
    workspace: &mut Workspace,
    known: &dyn Fn(FileId) -> Option<u64>,
) -> (Vec<FileDiagnostics>, bool) {
    let root = workspace.root.clone();
    if let Some((files, report)) = workspace.take_changes() {
        return (by_file(&report, &root, files, known), false);
    }
    let Some(session) = workspace.session() else {
        return (Vec::new(), true);
    };
    let files: Vec<FileId> = session.sources().iter().map(|(id, _)| id).collect();
    let Some(report) = workspace.report() else {
        return (Vec::new(), true);
    };
    (by_file(report, &root, files, known), true)
}

/// The findings of a report for each of `files`: fingerprinted, and made
/// LSP diagnostics where the fingerprint is not the one `known` holds.
fn by_file(
    report: &refkeeper::Report,
    root: &std::path::Path,
    files: Vec<FileId>,
    known: &dyn Fn(FileId) -> Option<u64>,
) -> Vec<FileDiagnostics> {
    use std::hash::{Hash, Hasher};
    // Two passes over the findings, each read through one reused finding
    // (`Findings::for_each_in`): a bibliography's tens of thousands of
    // unused-entry findings are fingerprinted without each being made, and
    // made into LSP diagnostics only for a file whose fingerprint changed.
    let mut hashers: HashMap<FileId, std::hash::DefaultHasher> = (files.iter())
        .map(|&file| (file, Default::default()))
        .collect();
    let all = 0..report.findings.len();
    let Ok(()) = report.findings.for_each_in(all.clone(), |finding| {
        if let Some(hasher) = hashers.get_mut(&finding.primary.file) {
            finding.code.hash(hasher);
            (finding.severity == Severity::Error).hash(hasher);
            finding.primary.span.hash(hasher);
            finding.message.hash(hasher);
            finding.help.hash(hasher);
            for label in &finding.related {
                (label.file, &label.span, &label.message).hash(hasher);
            }
        }
        Ok::<(), std::convert::Infallible>(())
    });
    let fingerprints: Vec<(FileId, u64)> = (files.into_iter())
        .map(|file| (file, hashers[&file].finish()))
        .collect();
    let mut made: HashMap<FileId, Vec<LspDiagnostic>> = (fingerprints.iter())
        .filter(|&&(file, fingerprint)| known(file) != Some(fingerprint))
        .map(|&(file, _)| (file, Vec::new()))
        .collect();
    if !made.is_empty() {
        let Ok(()) = report.findings.for_each_in(all, |finding| {
            if let Some(list) = made.get_mut(&finding.primary.file) {
                list.push(to_lsp(report, root, finding));
            }
            Ok::<(), std::convert::Infallible>(())
        });
    }
    (fingerprints.into_iter())
        .map(|(file, fingerprint)| FileDiagnostics {
            file,
            fingerprint,
            diagnostics: made.remove(&file),
        })
        .collect()
}

/// One finding as an LSP diagnostic.
fn to_lsp(
    report: &refkeeper::Report,
    root: &std::path::Path,
    finding: &refkeeper::Diagnostic,
) -> LspDiagnostic {
    let source = report.sources.get(finding.primary.file);
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related = finding
        .related
        .iter()
        .filter_map(|label| {
            let other = report.sources.get(label.file);
            Some(DiagnosticRelatedInformation {
                location: Location::new(
                    uri_of(&refkeeper::inputs::join(root, &other.path))?,
                    range(other, &label.span),
                ),
                message: label.message.clone().unwrap_or_default(),
            })
        })
        .collect::<Vec<_>>();
    LspDiagnostic {
        range: range(source, &finding.primary.span),
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(finding.code.as_str().to_owned())),
        source: Some("refkeeper".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..LspDiagnostic::default()
    }
}

/// The citation under a position, if any: its file and the citation.
fn citation_at(workspace: &Workspace, uri: &Uri, at: Position) -> Option<(FileId, Citation)> {
    let file = workspace.file(uri)?;
    let source = workspace.source(file)?;
    let offset = offset(source, at);
    let analysis = workspace.analysis()?;
    let chapter = analysis.chapters.iter().find(|c| c.file == file)?;
    let citation = chapter
        .output
        .citations
        .iter()
        .find(|c| c.span.start <= offset && offset <= c.span.end)?;
    Some((file, citation.clone()))
}

/// The entry under a position: the entry a citation there names, or the
/// entry whose key is written there in a bibliography.
fn entry_at(workspace: &Workspace, uri: &Uri, at: Position) -> Option<EntryId> {
    if let Some((_, citation)) = citation_at(workspace, uri, at) {
        return workspace.analysis()?.bib.resolve(&citation.key);
    }
    let file = workspace.file(uri)?;
    let offset = offset(workspace.source(file)?, at);
    let bib = &workspace.analysis()?.bib;
    (0..bib.entries.len() as u32).map(EntryId).find(|&id| {
        let entry = bib.entry(id);
        entry.file == file && entry.key_span().start <= offset && offset <= entry.key_span().end
    })
}

/// The location of an entry's key.
fn entry_location(workspace: &Workspace, bib: &Bibliography, id: EntryId) -> Option<Location> {
    let entry = bib.entry(id);
    let source = workspace.source(entry.file)?;
    Some(Location::new(
        workspace.uri(entry.file)?,
        range(source, &entry.key_span()),
    ))
}

/// An entry formatted in the project's style, as Markdown.
fn formatted(workspace: &mut Workspace, id: EntryId) -> Option<String> {
    let localisation = workspace.engine()?.localisation();
    let (item, key) = {
        let sources = workspace.session()?.sources();
        let analysis = workspace.analysis()?;
        let (item, _) = refkeeper::csl::mapping::item_of(&analysis.bib, sources, id, &localisation);
        let key = item.id.clone();
        (item, key)
    };
    let engine = workspace.engine()?;
    let rendered = engine.render(std::slice::from_ref(&item));
    let reference = rendered.references.iter().find(|r| r.key == key)?;
    Some(markup::write(reference, Target::Markdown))
}

/// `textDocument/hover`: a cited entry formatted, and where it is defined;
/// for a missing key, the did-you-mean.
pub fn hover(workspace: &mut Workspace, params: HoverParams) -> Option<Hover> {
    let uri = params.text_document_position_params.text_document.uri;
    let at = params.text_document_position_params.position;
    if let Some((file, citation)) = citation_at(workspace, &uri, at)
        && workspace.analysis()?.bib.resolve(&citation.key).is_none()
    {
        let bib = &workspace.analysis()?.bib;
        let suggester = refkeeper::check::suggest::Suggester::new(bib);
        let mut text = format!("`{}` is not in any bibliography", citation.key);
        if let Some(help) = suggester.help(&citation.key) {
            text.push_str(&format!("; {help}"));
        }
        let source = workspace.source(file)?;
        return Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(range(source, &citation.span)),
        });
    }
    let id = entry_at(workspace, &uri, at)?;
    let text = formatted(workspace, id).unwrap_or_default();
    let analysis = workspace.analysis()?;
    let entry = analysis.bib.entry(id);
    let source = workspace.source(entry.file)?;
    let line = source.position(entry.key_span().start).line;
    let value = format!(
        "{text}\n\n`{}`, defined in {}:{line}",
        analysis.bib.key(entry),
        source.path.display()
    );
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    })
}

/// `textDocument/definition`: from a citation to its entry.
pub fn definition(workspace: &mut Workspace, params: GotoDefinitionParams) -> Option<Location> {
    let uri = params.text_document_position_params.text_document.uri;
    let at = params.text_document_position_params.position;
    let (_, citation) = citation_at(workspace, &uri, at)?;
    let bib = &workspace.analysis()?.bib;
    let id = bib.resolve(&citation.key)?;
    entry_location(workspace, &workspace.analysis()?.bib, id)
}

/// Every citation of an entry, under any of its keys.
fn citations_of(workspace: &Workspace, id: EntryId) -> Vec<(FileId, Citation)> {
    let Some(analysis) = workspace.analysis() else {
        return Vec::new();
    };
    refkeeper::check::citations_of(&analysis.chapters)
        .filter(|(_, c)| analysis.bib.resolve(&c.key) == Some(id))
        .map(|(file, c)| (file, c.clone()))
        .collect()
}

/// `textDocument/references`: every citation of the entry under the
/// position (a citation, or its key in a bibliography), and the entry
/// itself when asked.
pub fn references(workspace: &mut Workspace, params: ReferenceParams) -> Vec<Location> {
    let uri = params.text_document_position.text_document.uri;
    let at = params.text_document_position.position;
    let Some(id) = entry_at(workspace, &uri, at) else {
        return Vec::new();
    };
    let mut locations: Vec<Location> = citations_of(workspace, id)
        .into_iter()
        .filter_map(|(file, c)| {
            let source = workspace.source(file)?;
            Some(Location::new(workspace.uri(file)?, range(source, &c.span)))
        })
        .collect();
    if params.context.include_declaration
        && let Some(analysis) = workspace.analysis()
        && let Some(location) = entry_location(workspace, &analysis.bib, id)
    {
        locations.insert(0, location);
    }
    locations
}

/// Whether a name can be a key: no spaces, and none of the characters that
/// end a key in BibTeX or a citation.
fn is_key(name: &str) -> bool {
    !name.is_empty()
        && !name.chars().any(|c| {
            c.is_whitespace()
                || matches!(
                    c,
                    ',' | '{' | '}' | '(' | ')' | '"' | '#' | '%' | '\\' | '~' | '='
                )
        })
}

/// `textDocument/rename`: the key in its bibliography and every citation
/// that writes it; refused when the new name is not a key or is taken.
pub fn rename(workspace: &mut Workspace, params: RenameParams) -> Result<WorkspaceEdit, String> {
    let uri = params.text_document_position.text_document.uri;
    let at = params.text_document_position.position;
    let new_name = params.new_name.trim().to_owned();
    let Some(id) = entry_at(workspace, &uri, at) else {
        return Err("no citation or entry key here".to_owned());
    };
    if !is_key(&new_name) {
        return Err(format!(
            "`{new_name}` cannot be a key (spaces, commas, braces)"
        ));
    }
    let analysis = workspace
        .analysis()
        .ok_or("the project could not be read")?;
    if analysis.bib.resolve(&new_name).is_some() {
        return Err(format!("`{new_name}` is already a key"));
    }
    let old = analysis.bib.key_of(id).to_owned();
    let entry_file = analysis.bib.entry(id).file;
    let key_span = analysis.bib.entry(id).key_span();
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let mut edit = |workspace: &Workspace, file: FileId, span: &std::ops::Range<usize>| {
        if let (Some(uri), Some(source)) = (workspace.uri(file), workspace.source(file)) {
            changes
                .entry(uri)
                .or_default()
                .push(TextEdit::new(range(source, span), new_name.clone()));
        }
    };
    edit(workspace, entry_file, &key_span);
    // Citations of an `ids` alias keep citing the alias, which still resolves.
    for (file, citation) in citations_of(workspace, id) {
        if *citation.key == *old {
            edit(workspace, file, &citation.span);
        }
    }
    Ok(WorkspaceEdit::new(changes))
}

/// The partial key being typed at a position, and where it starts, when
/// the position is where the format cites.
fn completion_context(kind: DocumentKind, before: &str) -> Option<usize> {
    static LATEX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\\([A-Za-z]+)\*?(?:\s*\[[^\]]*\]|\s*\([^)]*\))*\s*\{([^{}]*)$")
            .expect("a pattern")
    });
    static MARKDOWN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[\s\[;(])-?@\{?([^\s\[\];,{}@]*)$").expect("a pattern"));
    static TYPST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:(?:^|[^\w@])@([^\s@\[\]()<>]*)|#?cite\(\s*<([^\s>]*))$").expect("a pattern")
    });
    let len = before.len();
    match kind {
        DocumentKind::Latex => {
            let captures = LATEX.captures(before)?;
            let commands = refkeeper::scan::latex::Commands::default();
            commands.get(&captures[1])?;
            // After the last comma of the key list.
            let list = captures.get(2)?;
            let last = list.as_str().rfind(',').map_or(0, |i| i + 1);
            let partial = &list.as_str()[last..];
            Some(len - partial.trim_start().len())
        }
        DocumentKind::Markdown | DocumentKind::Quarto => {
            let captures = MARKDOWN.captures(before)?;
            Some(captures.get(1)?.start())
        }
        DocumentKind::Typst => {
            let captures = TYPST.captures(before)?;
            Some(captures.get(1).or(captures.get(2))?.start())
        }
        DocumentKind::Html | DocumentKind::Plain => None,
    }
}

/// `textDocument/completion`: the keys, matched on key, authors, title and
/// year, where the format cites; the entry formatted as documentation.
pub fn completion(workspace: &mut Workspace, params: CompletionParams) -> Option<CompletionList> {
    let uri = params.text_document_position.text_document.uri;
    let at = params.text_document_position.position;
    let file = workspace.file(&uri)?;
    let source = workspace.source(file)?;
    if source.role != FileRole::Chapter {
        return None;
    }
    let cursor = offset(source, at);
    let line_start =
        (source.line_start(source.line_index(cursor))).expect("the line holds the cursor");
    // A key list may run over lines in LaTeX: look back a little further.
    let from = source.text[..line_start]
        .rfind('\n')
        .map_or(0, |i| i + 1)
        .min(line_start);
    let before = &source.text[from..cursor];
    let start = from + completion_context(DocumentKind::of(&source.path), before)?;
    let replace = Range::new(position(source, start), at);
    let typed = source.text[start..cursor].to_lowercase();
    let mut items = Vec::new();
    let mut complete = true;
    for entry in workspace.completion_entries() {
        if !typed.is_empty() && !entry.lower.contains(&typed) {
            continue;
        }
        if items.len() == COMPLETION_LIMIT {
            complete = false;
            break;
        }
        items.push(CompletionItem {
            label: entry.key.clone(),
            kind: Some(CompletionItemKind::REFERENCE),
            detail: Some(entry.detail.clone()),
            filter_text: Some(entry.filter.clone()),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                replace,
                entry.key.clone(),
            ))),
            data: Some(serde_json::json!({ "entry": entry.index })),
            ..CompletionItem::default()
        });
    }
    Some(CompletionList {
        is_incomplete: !complete,
        items,
    })
}

/// `completionItem/resolve`: the entry formatted in the project's style.
pub fn resolve_completion(workspace: &mut Workspace, mut item: CompletionItem) -> CompletionItem {
    let index = item
        .data
        .as_ref()
        .and_then(|d| d["entry"].as_u64())
        .map(|i| EntryId(i as u32));
    let in_range = workspace
        .analysis()
        .is_some_and(|a| index.is_some_and(|i| (i.0 as usize) < a.bib.entries.len()));
    if let Some(id) = index.filter(|_| in_range)
        && let Some(text) = formatted(workspace, id)
    {
        item.documentation = Some(lsp_types::Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }));
    }
    item
}

/// `textDocument/codeAction`: for the findings at the range, the fix each
/// names: the suggested key for a missing one, the bare DOI, `and others`
/// for a written-out "et al.", the field a misspelt name meant, a
/// semicolon between citations joined by a comma, and `allow-unused` for
/// an unused entry.
pub fn code_actions(
    workspace: &mut Workspace,
    params: CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let uri = params.text_document.uri;
    let Some(file) = workspace.file(&uri) else {
        return Vec::new();
    };
    let Some(source) = workspace.source(file) else {
        return Vec::new();
    };
    let (start, end) = (
        offset(source, params.range.start),
        offset(source, params.range.end),
    );
    let text = source.text.clone();
    let config_path = workspace.session().and_then(|s| s.config().path.clone());
    let root = workspace.root.clone();
    let Some(report) = workspace.report() else {
        return Vec::new();
    };
    let source = report.sources.get(file);
    let mut actions = Vec::new();
    let fix = |title: String, edits: HashMap<Uri, Vec<TextEdit>>| {
        CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            edit: Some(WorkspaceEdit::new(edits)),
            ..CodeAction::default()
        })
    };
    for finding in report.findings.iter().filter(|d| {
        d.primary.file == file && d.primary.span.start <= end && start <= d.primary.span.end
    }) {
        let span = &inside_delimiters(&text, &finding.primary.span);
        let replace = |new: String| {
            HashMap::from([(uri.clone(), vec![TextEdit::new(range(source, span), new)])])
        };
        match finding.code {
            Code::MissingEntry => {
                if let Some(suggested) = finding
                    .help
                    .as_deref()
                    .and_then(|h| h.strip_prefix("did you mean `"))
                    .and_then(|h| h.split('`').next())
                {
                    actions.push(fix(
                        format!("Replace with `{suggested}`"),
                        replace(suggested.to_owned()),
                    ));
                }
            }
            Code::InvalidDoi => {
                let value = &text[span.clone()];
                let (prefix, bare) = refkeeper::bib::fields::split_doi_prefix(value.trim());
                if prefix.is_some() {
                    actions.push(fix(
                        format!("Write only the DOI: {}", bare.trim()),
                        replace(bare.trim().to_owned()),
                    ));
                }
            }
            Code::EtAlInNames => {
                static ET_AL: LazyLock<Regex> = LazyLock::new(|| {
                    Regex::new(r"(?i)(?:\s+and)?\s*,?\s*\{?et\s*al\.?\}?\s*$").expect("a pattern")
                });
                let value = &text[span.clone()];
                let fixed = ET_AL.replace(value, " and others").into_owned();
                if fixed != value {
                    actions.push(fix("Write `and others`".to_owned(), replace(fixed)));
                }
            }
            Code::MisspelledField => {
                if let Some(meant) = finding
                    .help
                    .as_deref()
                    .and_then(|h| h.strip_prefix("rename it to `"))
                    .and_then(|h| h.split('`').next())
                {
                    actions.push(fix(
                        format!("Rename to `{meant}`"),
                        replace(meant.to_owned()),
                    ));
                }
            }
            Code::CitationSeparator => {
                // The comma and spaces between the two citations, up to
                // the second one's `@`.
                let at = finding.primary.span.start.saturating_sub(1);
                let from = text[..at].trim_end_matches([' ', ',']).len();
                if text[from..at].contains(',') {
                    let edit = TextEdit::new(range(source, &(from..at)), "; ".to_owned());
                    actions.push(fix(
                        "Separate the citations with a semicolon".to_owned(),
                        HashMap::from([(uri.clone(), vec![edit])]),
                    ));
                }
            }
            Code::UnusedEntry => {
                if let Some(key) = &finding.key
                    && let Some(edit) = allow_unused_edit(config_path.as_deref(), &root, key)
                {
                    actions.push(fix(
                        format!("Allow `{key}` to stay uncited (refkeeper.toml)"),
                        edit,
                    ));
                }
            }
            _ => {}
        }
    }
    actions
}

/// A field value's span without its braces or quotes (`{10.1/x}` is
/// `10.1/x`); other spans as they are.
fn inside_delimiters(text: &str, span: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let value = &text[span.clone()];
    let delimited = (value.starts_with('{') && value.ends_with('}'))
        || (value.len() >= 2 && value.starts_with('"') && value.ends_with('"'));
    if delimited && value.len() >= 2 {
        span.start + 1..span.end - 1
    } else {
        span.clone()
    }
}

/// The edit that lists `key` under `allow-unused`: in the `[check]` table
/// of refkeeper.toml, or a new table at its end (the file is made when
/// there is none: the client applies the edit, the server writes nothing).
fn allow_unused_edit(
    config: Option<&std::path::Path>,
    root: &std::path::Path,
    key: &str,
) -> Option<HashMap<Uri, Vec<TextEdit>>> {
    let path = config.map_or_else(
        || root.join(refkeeper::config::FILE_NAME),
        |p| refkeeper::inputs::join(root, p),
    );
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let quoted = format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""));
    let file = refkeeper::source::SourceFile::new(path.clone(), FileRole::Chapter, text.clone());
    let (at, insert) = match text.find("allow-unused = [") {
        Some(list) => (list + "allow-unused = [".len(), format!("{quoted}, ")),
        None => match text.find("[check]\n") {
            Some(table) => (
                table + "[check]\n".len(),
                format!("allow-unused = [{quoted}]\n"),
            ),
            None => {
                let newline = if text.is_empty() || text.ends_with('\n') {
                    ""
                } else {
                    "\n"
                };
                (
                    text.len(),
                    format!("{newline}\n[check]\nallow-unused = [{quoted}]\n"),
                )
            }
        },
    };
    let place = position(&file, at);
    Some(HashMap::from([(
        uri_of(&path)?,
        vec![TextEdit::new(Range::new(place, place), insert)],
    )]))
}

/// `textDocument/documentSymbol`: a bibliography's entries, with type and title.
#[allow(deprecated)] // `DocumentSymbol::deprecated` has no other way to be left out.
pub fn document_symbols(
    workspace: &mut Workspace,
    params: DocumentSymbolParams,
) -> Vec<DocumentSymbol> {
    let Some(file) = workspace.file(&params.text_document.uri) else {
        return Vec::new();
    };
    let Some(session) = workspace.session() else {
        return Vec::new();
    };
    let sources = session.sources().clone();
    let Some(analysis) = workspace.analysis() else {
        return Vec::new();
    };
    let source = sources.get(file);
    let bib = &analysis.bib;
    (0..bib.entries.len() as u32)
        .map(EntryId)
        .filter(|&id| bib.entry(id).file == file)
        .map(|id| {
            let entry = bib.entry(id);
            let fields = refkeeper::bib::fields::collect(bib, &sources, id);
            let title = fields.text("title").unwrap_or("").replace(['{', '}'], "");
            DocumentSymbol {
                name: bib.key(entry).to_owned(),
                detail: Some(format!("@{} {title}", entry.kind()).trim().to_owned()),
                kind: SymbolKind::STRUCT,
                tags: None,
                deprecated: None,
                range: range(source, &entry.span()),
                selection_range: range(source, &entry.key_span()),
                children: None,
            }
        })
        .collect()
}

/// `workspace/symbol`: every key that holds the query.
#[allow(deprecated)] // `SymbolInformation::deprecated` has no other way to be left out.
pub fn workspace_symbols(
    workspace: &mut Workspace,
    params: WorkspaceSymbolParams,
) -> Vec<SymbolInformation> {
    let query = params.query.to_lowercase();
    let Some(analysis) = workspace.analysis() else {
        return Vec::new();
    };
    let matching: Vec<EntryId> = (0..analysis.bib.entries.len() as u32)
        .map(EntryId)
        .filter(|&id| {
            let entry = analysis.bib.entry(id);
            entry.duplicate_of().is_none()
                && (analysis.bib.key(entry).to_lowercase()).contains(&query)
        })
        .take(COMPLETION_LIMIT)
        .collect();
    let bib = &workspace.analysis().expect("made above").bib;
    matching
        .into_iter()
        .filter_map(|id| {
            Some(SymbolInformation {
                name: bib.key_of(id).to_owned(),
                kind: SymbolKind::STRUCT,
                tags: None,
                deprecated: None,
                location: entry_location(workspace, bib, id)?,
                container_name: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_contexts_per_format() {
        fn at(kind: DocumentKind, text: &str) -> Option<&str> {
            completion_context(kind, text).map(|i| &text[i..])
        }
        assert_eq!(
            at(DocumentKind::Latex, "as \\parencite[see][1]{kim"),
            Some("kim")
        );
        assert_eq!(at(DocumentKind::Latex, "\\cite{a, le"), Some("le"));
        assert_eq!(at(DocumentKind::Latex, "\\cite{"), Some(""));
        assert_eq!(at(DocumentKind::Latex, "\\section{kim"), None);
        assert_eq!(at(DocumentKind::Markdown, "as [@ki"), Some("ki"));
        assert_eq!(at(DocumentKind::Markdown, "see [@a; @b"), Some("b"));
        assert_eq!(at(DocumentKind::Markdown, "mail me@exam"), None);
        assert_eq!(at(DocumentKind::Typst, "see @kim"), Some("kim"));
        assert_eq!(at(DocumentKind::Typst, "#cite(<kim"), Some("kim"));
    }

    #[test]
    fn keys_have_no_spaces_or_delimiters() {
        assert!(is_key("kim-2007:a"));
        assert!(!is_key("kim 2007"));
        assert!(!is_key("kim,2007"));
        assert!(!is_key(""));
    }
}
