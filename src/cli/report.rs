//! `refkeeper report --html`: one self-contained page about the project.

use refkeeper::Session;
use refkeeper::render::{self, plural};

use super::args::ReportArgs;
use super::output::{Destination, deliver, note, permit, unread_lines};
use super::{Failure, Status, plan};

pub fn run(args: ReportArgs) -> Result<Status, Failure> {
    let request = plan::request(args.inputs)?;
    let session = Session::load(&request)?;
    let overview = session.overview();
    unread_lines(&overview.unread);
    let title = args.title.unwrap_or_else(|| {
        let folder = request
            .cwd
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "this project".to_owned());
        format!("Citations in {folder}")
    });
    let destination = Destination::File(args.html.clone());
    let permit = permit(&overview.unread, &destination)?;
    let page = render::html::page(&overview.value, &title);
    // The page may go to a folder of its own (`site/report.html`).
    if let Some(folder) = args.html.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|e| Failure::new(format!("cannot write {}: {e}", args.html.display())))?;
    }
    deliver(&permit, &destination, page.as_bytes())?;
    let overview = &overview.value;
    note(&format!(
        "wrote {}: {}, {} cited, {} unused, {}",
        args.html.display(),
        plural(overview.chapters.len(), "chapter", "chapters"),
        plural(overview.cited.len(), "entry", "entries"),
        overview.unused.len(),
        plural(overview.missing.len(), "missing key", "missing keys")
    ));
    Ok(Status::Clean)
}
