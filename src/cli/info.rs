//! The commands that read no project: `styles`, `explain`, `completions`
//! and `man`.

use refkeeper::Code;

use super::args::{Cli, ShellArg};
use super::output::print_bytes;
use super::{Failure, Status};

/// The bundled styles that can format References, or one as CSL XML.
pub fn styles(name: Option<&str>) -> Result<Status, Failure> {
    if let Some(name) = name {
        return match refkeeper::csl::engine::bundled_style_xml(name) {
            Some(xml) => print_bytes(xml.as_bytes()),
            None => Err(Failure::new(format!(
                "no bundled style is called `{name}`; `refkeeper styles` lists them"
            ))),
        };
    }
    let mut text = String::new();
    for style in refkeeper::csl::engine::bundled_styles() {
        text.push_str(&format!("{:<40} {}", style.name, style.title));
        if !style.aliases.is_empty() {
            text.push_str(&format!(" [also: {}]", style.aliases.join(", ")));
        }
        text.push('\n');
    }
    print_bytes(text.as_bytes())
}

/// Every code with its default level, or what one code means.
pub fn explain(code: Option<&str>) -> Result<Status, Failure> {
    let text = match code {
        None => {
            let mut list =
                String::from("Diagnostic codes (refkeeper explain CODE for details):\n\n");
            for code in Code::ALL {
                list.push_str(&format!(
                    "  {:<20} {:<8} {}\n",
                    code.as_str(),
                    code.default_level().describe(),
                    code.summary()
                ));
            }
            list
        }
        Some(name) => match name.parse::<Code>() {
            Ok(code) => format!(
                "{} ({} by default): {}\n\n{}\n",
                code.as_str(),
                code.default_level().describe(),
                code.summary(),
                code.explanation()
            ),
            Err(_) => return Err(super::plan::code_named(name).expect_err("not a code")),
        },
    };
    print_bytes(text.as_bytes())
}

/// Completions and the manual page come from the same clap definitions as
/// `--help`, so they cannot drift from it.
pub fn completions(shell: ShellArg) -> Result<Status, Failure> {
    use clap_complete::Shell;
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Elvish => Shell::Elvish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "refkeeper", &mut out);
    print_bytes(&out)
}

/// The manual page, in roff.
pub fn man(subcommand: Option<&str>) -> Result<Status, Failure> {
    let mut command = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    // Built, subcommands take their page names (`refkeeper-check`).
    command.build();
    let page = match subcommand {
        None => command,
        Some(name) => command.find_subcommand(name).cloned().ok_or_else(|| {
            let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
            Failure::new(format!(
                "`{name}` is not a subcommand; pages: {}",
                names.join(", ")
            ))
        })?,
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Failure::new(e.to_string()))?;
    print_bytes(&out)
}
