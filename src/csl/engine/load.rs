//! Loading a style: a bundled name, an alias, or a `.csl` file (an
//! independent style, or a dependent one whose parent is bundled), and the
//! chain of locales its terms come from.

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{IndependentStyle, Locale, LocaleCode, Style as CslStyle};
use std::path::Path;

/// Why a style cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StyleError {
    #[error("unknown style `{0}`")]
    /// No bundled style has this name, and it is not a `.csl` file.
    Unknown(String),
    #[error("{path}: {message}")]
    /// The `.csl` file cannot be read or parsed.
    File {
        /// The file.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    #[error(
        "{path}: a dependent style whose parent `{parent}` is not bundled; use the parent's .csl file"
    )]
    /// A dependent style whose parent is not bundled.
    UnknownParent {
        /// The dependent style.
        path: String,
        /// The parent it names.
        parent: String,
    },
    #[error("style `{0}` has no bibliography")]
    /// The style formats citations only.
    NoBibliography(String),
    #[error(
        "no locale for `{locale}`: its terms would silently be English; locales there are: {known}"
    )]
    /// A `--locale` whose language neither the style nor the CSL locale
    /// files have.
    UnknownLocale {
        /// The locale asked for.
        locale: String,
        /// The languages there are, comma-separated.
        known: String,
    },
}

/// Short names users type, for bundled styles whose archive names are long.
pub(super) const ALIASES: &[(&str, &str)] = &[
    ("mla", "modern-language-association"),
    ("harvard", "harvard-cite-them-right"),
];

/// A bundled style that can format References.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundledStyle {
    /// The shortest name it answers to (`apa`, `mla`).
    pub name: String,
    /// The other names it answers to (`american-psychological-association`).
    pub aliases: Vec<String>,
    /// Its title, edition included.
    pub title: &'static str,
}

/// The bundled styles that can format References, each once, by name.
/// Styles with citations only (`alphanumeric`) are left out.
pub fn bundled_styles() -> Vec<BundledStyle> {
    let mut styles: Vec<BundledStyle> = ArchivedStyle::all()
        .iter()
        .filter(|s| matches!(s.get(), CslStyle::Independent(style) if style.bibliography.is_some()))
        .map(|s| {
            // Every name a style answers to: `apa` as well as
            // `american-psychological-association`, and our short ones.
            let mut names: Vec<String> = s
                .names()
                .iter()
                .map(|n| (*n).to_owned())
                .chain(
                    ALIASES
                        .iter()
                        .filter(|(_, target)| s.names().contains(target))
                        .map(|(alias, _)| (*alias).to_owned()),
                )
                .collect();
            names.sort_by_key(|n| (n.len(), n.clone()));
            names.dedup();
            let name = names.remove(0);
            names.sort();
            BundledStyle {
                name,
                aliases: names,
                title: s.display_name(),
            }
        })
        .collect();
    styles.sort_by(|a, b| a.name.cmp(&b.name));
    styles
}

/// A bundled style (a name `refkeeper styles` lists) as CSL XML, to copy
/// and adapt or to give another CSL processor; `None` for a name that is
/// not bundled.
pub fn bundled_style_xml(name: &str) -> Option<String> {
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, target)| target);
    let xml = ArchivedStyle::by_name(name)?.get().to_xml().ok()?;
    // citationberg writes the root element without CSL's namespace, which
    // other processors (citeproc-js) and validators expect.
    let namespaced = match xml.strip_prefix("<style ") {
        Some(rest) if !rest.starts_with("xmlns") => {
            format!("<style xmlns=\"http://purl.org/net/xbiblio/csl\" {rest}")
        }
        _ => xml,
    };
    // citationberg 0.7 also writes `cs:et-al`'s term as it names it, "et al"
    // and "and others" (its `EtAlTerm` serde renames), where CSL says
    // "et-al" and "and-others"; citeproc-js fails on them in
    // `Names.prototype.setTerms`.
    //
    // It writes every default too; `quotes="false"` is not inert in
    // citeproc-js (its flip-flopper reads a quote in the field inside an
    // explicit `false` as outer: ‘x’ printed “x”), so the defaults that
    // say nothing are left out, as the style's authors left them.
    let terms = namespaced
        .replace("<et-al term=\"et al\"", "<et-al term=\"et-al\"")
        .replace("<et-al term=\"and others\"", "<et-al term=\"and-others\"")
        .replace(" quotes=\"false\"", "")
        .replace(" strip-periods=\"false\"", "");
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{terms}\n"
    ))
}

/// The locales a style's terms and options come from, first to last: the
/// style's own for the language, then for its primary language, then the
/// same from the CSL locale files.
pub(super) fn locale_chain<'a>(
    style: &'a IndependentStyle,
    locales: &'a [Locale],
    requested: Option<&LocaleCode>,
) -> Vec<&'a Locale> {
    let language = requested
        .or(style.default_locale.as_ref())
        .map_or("en-US", |l| l.0.as_str())
        .to_owned();
    let primary = language.split('-').next().unwrap_or_default().to_owned();
    let matches = |locale: &Locale, exact: bool| match &locale.lang {
        Some(code) if exact => code.0 == language,
        Some(code) => code.0.split('-').next() == Some(primary.as_str()),
        None => !exact,
    };
    style
        .locale
        .iter()
        .filter(|l| matches(l, true))
        .chain(style.locale.iter().filter(|l| matches(l, false)))
        .chain(locales.iter().filter(|l| matches(l, true)))
        .chain(locales.iter().filter(|l| matches(l, false)))
        .collect()
}

pub(super) fn load_style(spec: &str) -> Result<IndependentStyle, StyleError> {
    let path = Path::new(spec);
    let looks_like_file = spec.ends_with(".csl") || spec.contains(['/', '\\']);
    if looks_like_file || (path.is_file() && ArchivedStyle::by_name(spec).is_none()) {
        let file_error = |message: String| StyleError::File {
            path: spec.to_owned(),
            message,
        };
        let xml = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
        return match CslStyle::from_xml(&xml)
            .map_err(|e| file_error(format!("not a CSL style: {e}")))?
        {
            CslStyle::Independent(style) => Ok(style),
            CslStyle::Dependent(dependent) => {
                let parent = dependent.parent_link.href.to_string();
                match ArchivedStyle::by_id(&parent).map(ArchivedStyle::get) {
                    Some(CslStyle::Independent(style)) => Ok(style),
                    _ => Err(StyleError::UnknownParent {
                        path: spec.to_owned(),
                        parent,
                    }),
                }
            }
        };
    }
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == spec)
        .map_or(spec, |(_, target)| target);
    match ArchivedStyle::by_name(name).map(ArchivedStyle::get) {
        Some(CslStyle::Independent(style)) => Ok(style),
        _ => Err(StyleError::Unknown(spec.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use crate::csl::engine::Engine;

    #[test]
    fn styles_load_by_name_alias_and_error() {
        assert!(Engine::new("apa", None).is_ok());
        assert!(Engine::new("mla", None).is_ok());
        assert!(Engine::new("harvard", None).is_ok());
        let err = Engine::new("no-such-style", None).err().unwrap();
        assert!(err.to_string().starts_with("unknown style `no-such-style`"));
        let err = Engine::new("missing/file.csl", None).err().unwrap();
        assert!(err.to_string().starts_with("missing/file.csl: "), "{err}");
    }
}
