//! Rewrites of a CSL style that make hayagriva render it as CSL prescribes
//! (and as citeproc-js does), where hayagriva itself does not.
//!
//! Each fix is a small change to the parsed style, made once when the
//! style is loaded, and a row of [`FIXES`]: the hayagriva behaviour it works
//! around and the upstream issue, so that each can go when hayagriva is
//! fixed.

use std::collections::HashMap;

use hayagriva::Entry;
use hayagriva::citationberg::taxonomy::{
    DateVariable, NameVariable, OtherTerm, StandardVariable, Term, Variable,
};
use hayagriva::types::{
    ChunkedString, FormatString, Person, PersonRole, PersonsWithRoles, StringChunk,
};

use crate::csl::engine::{DELIMITER_MARKS, PREFIX_MARKS, SUFFIX_MARKS};
use crate::csl::mapping::CslItem;
use hayagriva::citationberg::{
    ChooseBranch, IndependentStyle, LayoutRenderingElement, LongShortForm, Name, NameForm, Names,
    NamesChild, SortKey, Substitute, TermForm, Text, TextCase, TextTarget,
};

/// One rewrite of a style: what it works around in hayagriva 0.10.1 (the
/// source file and function where the behaviour lives), and the upstream
/// issue or pull request where there is one. A row goes when hayagriva is
/// fixed; the fidelity ratchet (`tests/fidelity.rs`) tells whether it can.
pub struct Fix {
    /// The rewrite (its function's name).
    pub name: &'static str,
    /// What hayagriva does that CSL 1.0.2 and citeproc-js do not.
    pub works_around: &'static str,
    /// The hayagriva issue or pull request about it, if there is one.
    pub upstream: Option<&'static str>,
    rewrite: Rewrite,
}

enum Rewrite {
    /// A change to each rendering element, made in one walk of the style.
    Element(fn(&mut LayoutRenderingElement)),
    /// A change to the style as a whole.
    Style(fn(&mut IndependentStyle)),
    /// Made by the engine, which also needs what the rewrite returns
    /// (`no_date_year_suffix`, `normalizing_initials`, `condition_twins`).
    ByEngine,
}

/// Every rewrite, in the order it is made.
pub const FIXES: &[Fix] = &[
    Fix {
        name: "name_affixes_on_names",
        works_around: "src/csl/rendering/names.rs::<Names as RenderCsl>::render applies the affixes of `cs:names` and ignores those of `cs:name` (ABNT's `<name prefix=\"Tradução: \">` printed no \"Tradução:\", frontiers' `<label/><name prefix=\" \"/>` \"eds.G. Lloyd\")",
        upstream: None,
        rewrite: Rewrite::Element(name_affixes_on_names),
    },
    Fix {
        name: "names_with_a_name",
        works_around: "src/csl/rendering/names.rs::Names::will_have_info takes a `cs:names` whose children are only a `cs:label` or `cs:substitute` (no `cs:name`) for empty: the bundled vancouver printed no authors, AMA no editors; CSL formats such names with the inherited name options",
        upstream: None,
        rewrite: Rewrite::Element(names_with_a_name),
    },
    Fix {
        name: "date_delimiters_as_prefixes",
        works_around: "src/csl/rendering/mod.rs::Date::render writes a date's `delimiter` before each date-part, also one with no value: a localized `<date form=\"text\" delimiter=\" \">` left \"2020 Mar ;149(3)\" for a date without a day in vancouver (citeproc-js: \"2020 Mar;149(3)\")",
        upstream: None,
        rewrite: Rewrite::Style(date_delimiters_as_prefixes),
    },
    Fix {
        name: "page_labels_with_plural",
        works_around: "src/csl/rendering/mod.rs::Label::render ignores `plural` for the page variables and pluralises by the range: vancouver's `<label variable=\"page\" plural=\"never\"/>` printed \"pp. 884–917\" (citeproc-js: \"p. 884–917\")",
        upstream: None,
        rewrite: Rewrite::Element(page_labels_with_plural),
    },
    Fix {
        name: "strip_periods_by_markers",
        works_around: "src/csl/mod.rs::Context::push_str strips periods only from text it may case-fold, not from verbatim chunks, and refkeeper passes words with capitals verbatim (see engine::markup): vancouver's short journal titles kept their periods (\"J. Organomet. Chem.\" for citeproc-js's \"J Organomet Chem\")",
        upstream: None,
        rewrite: Rewrite::Element(strip_periods_by_markers),
    },
    Fix {
        name: "without_volume_title",
        works_around: "src/csl/taxonomy.rs::resolve_standard_variable resolves `volume-title` of a paper to its proceedings' title, which is also its container-title: APA and MLA printed it twice",
        upstream: None,
        rewrite: Rewrite::Element(without_volume_title),
    },
    Fix {
        name: "suppress_group_of_empty_names",
        works_around: "src/csl/rendering/names.rs::Names::will_have_info reports an empty `cs:names` as calling no variable, so a group around it is not suppressed (a lone \"In\")",
        upstream: None,
        rewrite: Rewrite::Element(suppress_group_of_empty_names),
    },
    Fix {
        name: "empty_names_in_macros_as_empty_variables",
        works_around: "src/csl/rendering/names.rs::Names::will_have_info reports an empty `cs:names` as calling no variable also through a macro, so `<group><text term=\"in\"/><text macro=\"editor\"/></group>` printed a lone \"In.\" (BMJ, Karger, Elsevier Vancouver) where citeproc-js prints nothing",
        upstream: None,
        rewrite: Rewrite::Style(empty_names_as_empty_variables),
    },
    Fix {
        name: "inherit_names_in_substitute",
        works_around: "src/csl/rendering/names.rs::Names::render gives the original `cs:name` only to a `cs:names` directly under `cs:substitute`, not to one inside `cs:choose` there",
        upstream: Some("https://github.com/typst/hayagriva/issues/444"),
        rewrite: Rewrite::Element(inherit_names_in_substitute),
    },
    Fix {
        name: "names_of_unset_variables_substituted",
        works_around: "src/csl/mod.rs::WritingContext::maybe_suppress keeps every variable a substitute queried suppressed for the rest of the entry, tests included",
        upstream: None,
        rewrite: Rewrite::Element(names_of_unset_variables_substituted),
    },
    Fix {
        name: "without_disambiguate_condition",
        works_around: "src/csl/mod.rs::disambiguate_with_choose marks all but the first item of an ambiguous group, whatever the `disambiguate-add-*` settings; refkeeper disambiguates itself",
        upstream: None,
        rewrite: Rewrite::Element(without_disambiguate_condition),
    },
    Fix {
        name: "without_editor_translator_variable",
        works_around: "src/csl/taxonomy.rs::resolve_name_variable fills `editor-translator` from the editors who also translate, so MLA and Chicago printed the person twice (citeproc-js treats it as data only)",
        upstream: Some("https://github.com/typst/hayagriva/issues/444"),
        rewrite: Rewrite::Element(without_editor_translator_variable),
    },
    Fix {
        name: "short_labels_capitalized",
        works_around: "title case of short labels (src/lang/mod.rs::CaseFolder through src/csl/rendering/mod.rs::render_label_with_var) left \"(ed.)\" in APA where citeproc-js prints \"(Ed.)\"; observed, the mechanism not confirmed by reading",
        upstream: None,
        rewrite: Rewrite::Element(short_labels_capitalized),
    },
    Fix {
        name: "sort_keys_without_quotes",
        works_around: "src/csl/sort.rs::StyleContext::cmp_entries renders macro keys with the quotes of `quotes=\"true\"` and compares them with punctuation significant",
        upstream: None,
        rewrite: Rewrite::Style(sort_keys_without_quotes),
    },
    Fix {
        name: "no_date_year_suffix",
        works_around: "src/csl/mod.rs::disambiguate_year_suffix gives no suffix to undated items, and Context::push_str drops the period of \"n.d.\" before a delimiter",
        upstream: Some("https://github.com/typst/hayagriva/issues/530"),
        rewrite: Rewrite::ByEngine,
    },
    Fix {
        name: "normalizing_initials",
        works_around: "src/types/persons.rs::Person::first_name_with_delimiter prints given names as written under `initialize=\"false\"`, without normalising the initials in them, and writes the whole `initialize-with` after a bare initial, the last one too (\"Tyler A. ;\")",
        upstream: None,
        rewrite: Rewrite::ByEngine,
    },
    Fix {
        name: "initials_keep_lowercase_parts",
        works_around: "src/types/persons.rs::Person::initials leaves out a part of a given name that starts lowercase after a hyphen when `initialize-with-hyphen=\"false\"` (\"Jeong-nam\" gave \"J.\"); citeproc-js prints it whole, as it prints one after a space (\"J. nam\")",
        upstream: None,
        rewrite: Rewrite::ByEngine,
    },
    Fix {
        name: "condition_twins",
        works_around: "src/csl/rendering/mod.rs::BranchConditionIter::next tests a variable a substitute printed as unset (the suppression of names_of_unset_variables_substituted): APA's chapters lost volume, pages and publisher",
        upstream: None,
        rewrite: Rewrite::ByEngine,
    },
    Fix {
        name: "accessed_without_url",
        works_around: "src/csl/taxonomy.rs::resolve_date_variable resolves `accessed` only as the visit date of the entry's URL, and hayagriva's Entry has no other place for it: GB/T 7714, CSE and SIST02 left out the access date of every item with a DOI and no URL (\"2021, 502: 3704-3722[2021-03-16]. DOI:...\"); and src/csl/rendering/mod.rs prints the URL whole whatever its `form`, where citeproc-js's short form ends at the host (Annual Reviews' \"www.donga.com\")",
        upstream: None,
        rewrite: Rewrite::ByEngine,
    },
    Fix {
        name: "name_label_plurals",
        works_around: "src/csl/rendering/names.rs::<Names as RenderCsl>::render ignores the `plural` of a `cs:label` in `cs:names` and pluralises by the number of names: Annual Reviews' `<label form=\"short\" plural=\"never\"/>` printed \"eds M Compareti, É de la Vaissière\" (citeproc-js: \"ed M Compareti, ...\")",
        upstream: None,
        rewrite: Rewrite::ByEngine,
    },
    Fix {
        name: "affixes_joined_as_written",
        works_around: "src/csl/mod.rs::Context::apply_suffix leaves out a suffix the text already ends with, and Context::push_str drops the spaces before punctuation it pushes and a copy of it at the end of the text: a group's suffix \". \" after a title's \". \" printed once, where citeproc-js joins affixes as written and merges only punctuation that touches (Current Opinion's \"Urtheilskraft. . Walter de Gruyter\" for a chapter without editors)",
        upstream: None,
        rewrite: Rewrite::Style(affixes_joined_as_written),
    },
];

/// The rewrites that only change the style, in [`FIXES`]' order; the
/// engine makes the others itself.
pub fn apply(style: &mut IndependentStyle) {
    let element_fixes: Vec<fn(&mut LayoutRenderingElement)> = FIXES
        .iter()
        .filter_map(|fix| match fix.rewrite {
            Rewrite::Element(rewrite) => Some(rewrite),
            _ => None,
        })
        .collect();
    visit(style, &mut |element| {
        for rewrite in &element_fixes {
            rewrite(element);
        }
    });
    for fix in FIXES {
        if let Rewrite::Style(rewrite) = fix.rewrite {
            rewrite(style);
        }
    }
}

/// How the style prints `year-suffix` straight after the "no date" term,
/// if it does: the term's form and the suffix's prefix. APA and Chicago
/// print the short term and no prefix, which citeproc-js joins with a
/// hyphen ("n.d.-a"); Harvard the long term with a space ("no date a").
pub fn no_date_year_suffix(style: &mut IndependentStyle) -> Option<(TermForm, String)> {
    fn no_date_form(element: &LayoutRenderingElement) -> Option<TermForm> {
        match element {
            LayoutRenderingElement::Text(Text {
                target:
                    TextTarget::Term {
                        term: Term::Other(OtherTerm::NoDate),
                        form,
                        ..
                    },
                ..
            }) => Some(*form),
            _ => None,
        }
    }
    fn suffix_prefix(element: &LayoutRenderingElement) -> Option<String> {
        match element {
            LayoutRenderingElement::Text(Text {
                target:
                    TextTarget::Variable {
                        var: Variable::Standard(StandardVariable::YearSuffix),
                        ..
                    },
                affixes,
                ..
            }) => Some(affixes.prefix.clone().unwrap_or_else(|| "-".to_owned())),
            _ => None,
        }
    }
    fn pair(children: &[LayoutRenderingElement]) -> Option<(TermForm, String)> {
        children
            .windows(2)
            .find_map(|w| Some((no_date_form(&w[0])?, suffix_prefix(&w[1])?)))
    }
    let mut found = None;
    visit(style, &mut |element| {
        if found.is_some() {
            return;
        }
        found = match element {
            LayoutRenderingElement::Group(group) => pair(&group.children),
            LayoutRenderingElement::Choose(choose) => {
                let in_branches = branches(choose).find_map(|b| pair(&b.children));
                in_branches.or_else(|| choose.otherwise.as_ref().and_then(|o| pair(&o.children)))
            }
            _ => None,
        };
    });
    found
}

/// The `initialize-with` string, and the name variables every long-form
/// `cs:name` of which shows given names with `initialize="false"` and
/// that string, as Chicago's and ABNT's authors do.
///
/// citeproc-js then normalises initials already in the data ("A.-M." and
/// "A. -M." become "A. M.", a bare "A" becomes "A."), where hayagriva
/// prints them as written, and writes the whole `initialize-with` after a
/// bare initial, the last one too ("Tyler A. ;", `first_name_with_delimiter`
/// in hayagriva 0.10). refkeeper normalises them in the data of those
/// variables (see `names::normalized_initials`); a variable also printed
/// with initials made (`initialize="true"`) or as written (MLA; ABNT's
/// translators) is left as it is.
pub fn normalizing_initials(style: &mut IndependentStyle) -> Option<(String, Vec<NameVariable>)> {
    let mut terminator: Option<String> = None;
    let mut normalised: Vec<NameVariable> = Vec::new();
    let mut disqualified: Vec<NameVariable> = Vec::new();
    for_each_long_name(style, |variables, initialize, initialize_with| {
        for &variable in variables {
            match (initialize, initialize_with) {
                (false, Some(with)) => {
                    terminator = Some(with.to_owned());
                    normalised.push(variable);
                }
                _ => disqualified.push(variable),
            }
        }
    });
    normalised.retain(|v| !disqualified.contains(v));
    normalised.dedup();
    match terminator {
        Some(terminator) if !normalised.is_empty() => Some((terminator, normalised)),
        _ => None,
    }
}

/// Whether the style initialises every given name it prints, without
/// hyphens (`initialize-with-hyphen="false"`, as GB/T 7714 and CSE do).
///
/// citeproc-js then keeps a part after a hyphen that starts lowercase
/// whole, as it keeps one after a space: "Jeong-nam" is "J. nam", "Ju-yeon
/// Anna" is "J. yeon A.". refkeeper writes that hyphen as a space in the
/// data for such styles (see `entry::with_lowercase_parts_apart`), which
/// hayagriva then initialises the same way.
pub fn initials_keep_lowercase_parts(style: &mut IndependentStyle) -> bool {
    if style.settings.initialize_with_hyphen || style.bibliography.is_none() {
        return false;
    }
    let mut initialises = true;
    for_each_long_name(style, |_, initialize, initialize_with| {
        initialises &= initialize && initialize_with.is_some();
    });
    initialises
}

/// Calls `each` with the variables, `initialize` and `initialize-with` of
/// every `cs:name` in long form in the bibliography and the macros, as
/// inherited from the style and the bibliography.
fn for_each_long_name(
    style: &mut IndependentStyle,
    mut each: impl FnMut(&[NameVariable], bool, Option<&str>),
) {
    let mut inherited = style.settings.options.clone();
    if let Some(bibliography) = &style.bibliography {
        inherited = inherited.apply(&bibliography.name_options);
    }
    let mut check = |element: &mut LayoutRenderingElement| {
        let LayoutRenderingElement::Names(names) = element else {
            return;
        };
        let names_options = inherited.apply(&names.options());
        let default_name = Name::default();
        let options = names
            .name()
            .unwrap_or(&default_name)
            .options(&names_options);
        if options.form == NameForm::Long {
            each(&names.variable, options.initialize, options.initialize_with);
        }
    };
    for item in &mut style.macros {
        visit_all(&mut item.children, &mut check);
    }
    if let Some(bibliography) = &mut style.bibliography {
        visit_all(&mut bibliography.layout.elements, &mut check);
    }
}

/// Variables that can stand in for a name variable in `cs:choose` tests:
/// refkeeper sets none of them otherwise, and hayagriva reads each from the
/// entry itself (the standard ones from a field, the names from the
/// entry's contributors by role).
const TWINS: &[Variable] = &[
    Variable::Standard(StandardVariable::CallNumber),
    Variable::Standard(StandardVariable::Abstract),
    Variable::Name(NameVariable::Illustrator),
    Variable::Name(NameVariable::Narrator),
    Variable::Name(NameVariable::Producer),
    Variable::Name(NameVariable::ScriptWriter),
    Variable::Name(NameVariable::ExecutiveProducer),
    Variable::Name(NameVariable::Composer),
    Variable::Name(NameVariable::Compiler),
    Variable::Name(NameVariable::Performer),
];

/// Name variables that refkeeper's items can fill and that can stand in
/// `cs:substitute`.
const TWINNED: &[NameVariable] = &[
    NameVariable::Author,
    NameVariable::Editor,
    NameVariable::Translator,
    NameVariable::ContainerAuthor,
];

/// Name variables whose `cs:choose` tests read a twin instead (see
/// [`condition_twins`]), and the twin of each; and how the access date
/// travels (see `accessed_without_url`): the two halves of these
/// workarounds, the style's side and the entries' data, in one place.
#[derive(Debug, Clone, Default)]
pub struct Twins {
    names: Vec<(NameVariable, Variable)>,
    /// The style prints `accessed`: every item's access date travels as
    /// the visit date of a URL, a stand-in one where the item has none.
    accessed: bool,
    /// The standard variable the style reads in place of `URL` where the
    /// stand-in could otherwise show.
    url: Option<StandardVariable>,
}

/// The prefix and suffix of the `year` date-part of each date variable,
/// where every `cs:date` of the variable that has date-parts gives its
/// year the same ones (and at least one is not empty): citeproc-js writes
/// a year suffix with them (`NumericBlob` made from the date-part).
/// Localized dates, whose parts the locale defines, are left out.
pub fn year_affixes(style: &IndependentStyle) -> HashMap<DateVariable, (String, String)> {
    let mut seen: HashMap<DateVariable, Option<(String, String)>> = HashMap::new();
    // The bibliography's layout and the macros it reaches.
    let mut pending: Vec<LayoutRenderingElement> = style
        .bibliography
        .as_ref()
        .map(|b| b.layout.elements.clone())
        .unwrap_or_default();
    let mut elements = Vec::new();
    let mut called: Vec<String> = Vec::new();
    let mut next = 0;
    loop {
        visit_all(&mut pending, &mut |element| {
            if let LayoutRenderingElement::Text(Text {
                target: TextTarget::Macro { name },
                ..
            }) = element
                && !called.contains(name)
            {
                called.push(name.clone());
            }
        });
        elements.append(&mut pending);
        let Some(name) = called.get(next) else {
            break;
        };
        next += 1;
        if let Some(found) = style.macros.iter().find(|m| &m.name == name) {
            pending.extend(found.children.iter().cloned());
        }
    }
    visit_all(&mut elements, &mut |element| {
        let LayoutRenderingElement::Date(date) = element else {
            return;
        };
        let (Some(variable), None) = (date.variable, date.form) else {
            return;
        };
        let Some(year) = date
            .date_part
            .iter()
            .find(|part| part.name == hayagriva::citationberg::DatePartName::Year)
        else {
            return;
        };
        let affixes = (
            year.affixes.prefix.clone().unwrap_or_default(),
            year.affixes.suffix.clone().unwrap_or_default(),
        );
        seen.entry(variable)
            .and_modify(|known| {
                if known.as_ref() != Some(&affixes) {
                    *known = None;
                }
            })
            .or_insert(Some(affixes));
    });
    seen.into_iter()
        .filter_map(|(variable, affixes)| {
            let affixes = affixes?;
            (!affixes.0.is_empty() || !affixes.1.is_empty()).then_some((variable, affixes))
        })
        .collect()
}

/// `name` without the attributes named (`@initialize-with`, ...), so that
/// those it would inherit apply. citationberg keeps a name's options
/// private; they go out and back through its serde form.
pub(crate) fn name_without_options(name: &Name, options: &[&str]) -> Name {
    let Ok(serde_json::Value::Object(mut fields)) = serde_json::to_value(name) else {
        return name.clone();
    };
    for option in options {
        fields.remove(*option);
    }
    serde_json::from_value(serde_json::Value::Object(fields)).unwrap_or_else(|_| name.clone())
}

/// The style with the names of `variable` cut after `shown` names where
/// et-al applies (a cite that disambiguation widened shows as many in its
/// entry, as citeproc-js shows them); other name variables keep theirs.
pub fn with_names_shown(
    style: &IndependentStyle,
    variable: NameVariable,
    shown: u32,
) -> IndependentStyle {
    let mut wider = style.clone();
    visit(&mut wider, &mut |element| {
        if let LayoutRenderingElement::Names(names) = element
            && names.variable.contains(&variable)
        {
            names.et_al_use_first = Some(shown);
            for child in &mut names.children {
                if let NamesChild::Name(name) = child {
                    *name = name_without_options(name, &["@et-al-use-first"]);
                }
            }
        }
    });
    wider
}

/// The style with every given name in full (no `initialize-with`
/// anywhere): the form of a name that given-name disambiguation expanded.
pub fn with_given_names_in_full(style: &IndependentStyle) -> IndependentStyle {
    let mut full = style.clone();
    full.settings.options.initialize_with = None;
    full.citation.name_options.initialize_with = None;
    if let Some(bibliography) = &mut full.bibliography {
        bibliography.name_options.initialize_with = None;
    }
    visit(&mut full, &mut |element| {
        if let LayoutRenderingElement::Names(names) = element {
            names.initialize_with = None;
            for child in &mut names.children {
                if let NamesChild::Name(name) = child {
                    *name = name_without_options(name, &["@initialize-with"]);
                }
            }
        }
    });
    full
}

/// A URL's short form as citeproc-js makes it (`CSL.Attributes` for
/// `URL` with `form="short"`): up to the end of the host, or of the last
/// path segment with a dot before a slash, and without its scheme when the
/// host starts with `www.`.
pub fn short_url(url: &str) -> String {
    static HOST: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"(.*\.[^/]+)/.*").expect("a valid pattern"));
    static SCHEME: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"https?://").expect("a valid pattern"));
    let short = HOST.replace(url, "$1");
    if short.contains("//www.") {
        SCHEME.replace(&short, "").into_owned()
    } else {
        short.into_owned()
    }
}

/// A URL that only carries an access date to hayagriva: nothing prints
/// it (the style reads the item's own URL from its twin).
pub const ACCESS_DATE_CARRIER: &str = "refkeeper:accessed";

impl Twins {
    /// Whether the item's access date goes to hayagriva as the visit date
    /// of [`ACCESS_DATE_CARRIER`] when the item has no URL hayagriva reads.
    pub fn carries_accessed(&self) -> bool {
        self.accessed
    }

    /// Whether the style reads the URL from its twin (which [`Twins::set`]
    /// fills): hayagriva's own URL is then only a carrier.
    pub fn url_twinned(&self) -> bool {
        self.url.is_some()
    }

    /// Sets on a hayagriva entry the twin of each name variable the item
    /// fills: `1` in a standard variable, the same names under a
    /// contributor role. Nothing prints a twin; tests only see it is set.
    pub fn set(
        &self,
        item: &CslItem,
        entry: &mut Entry,
        affiliated: &mut Vec<PersonsWithRoles>,
        persons: fn(&crate::bib::value::names::Names) -> Vec<Person>,
    ) {
        if let (Some(twin), Some(url)) = (self.url, &item.url) {
            // Verbatim, so no text-case touches it; between the link marks,
            // so that it prints as the link hayagriva would have made.
            let (open, close) = crate::csl::engine::LINK;
            let link = |text: &str| {
                ChunkedString(vec![StringChunk::verbatim(format!("{open}{text}{close}"))])
            };
            let value = FormatString {
                value: link(url),
                short: Some(Box::new(link(&short_url(url)))),
            };
            match twin {
                StandardVariable::CallNumber => entry.set_call_number(value),
                StandardVariable::Abstract => entry.set_abstract_(value),
                _ => {}
            }
        }
        for (variable, twin) in &self.names {
            let Some(names) = item.names(*variable).filter(|n| !n.names.is_empty()) else {
                continue;
            };
            match twin {
                Variable::Standard(StandardVariable::CallNumber) => {
                    entry.set_call_number(FormatString::with_value("1"))
                }
                Variable::Standard(StandardVariable::Abstract) => {
                    entry.set_abstract_(FormatString::with_value("1"))
                }
                Variable::Name(twin) => {
                    if let Some(role) = twin_role(*twin) {
                        affiliated.push(PersonsWithRoles::new(persons(names), role));
                    }
                }
                _ => {}
            }
        }
    }
}

/// The contributor role hayagriva reads a twin name variable from.
fn twin_role(twin: NameVariable) -> Option<PersonRole> {
    Some(match twin {
        NameVariable::Illustrator => PersonRole::Illustrator,
        NameVariable::Narrator => PersonRole::Narrator,
        NameVariable::Producer => PersonRole::Producer,
        NameVariable::ScriptWriter => PersonRole::Writer,
        NameVariable::ExecutiveProducer => PersonRole::ExecutiveProducer,
        NameVariable::Composer => PersonRole::Composer,
        NameVariable::Compiler => PersonRole::Compiler,
        NameVariable::Performer => PersonRole::CastMember,
        _ => return None,
    })
}

/// Makes `cs:choose` tests of a name variable that a `cs:substitute` may
/// print test a twin instead: a variable the style never mentions, which
/// refkeeper sets exactly when the name variable has names
/// ([`Twins::set`]).
///
/// hayagriva keeps a substituted variable suppressed for later tests too,
/// where citeproc-js still sees it: APA's chapter source prints the book's
/// editors as a substitute for its author, after which `variable="editor"`
/// was false and the chapter's volume, pages and publisher were left out
/// ("In R. Parikh (Ed.), Logics of programs." for "... (Vol. 193, pp.
/// 61–78). Springer."). The twin is never printed, so never suppressed.
pub fn condition_twins(style: &mut IndependentStyle) -> Twins {
    let mut substituted: Vec<NameVariable> = Vec::new();
    let mut mentioned: Vec<Variable> = Vec::new();
    let mut tested: Vec<NameVariable> = Vec::new();
    for sort in [
        style.citation.sort.as_ref(),
        style.bibliography.as_ref().and_then(|b| b.sort.as_ref()),
    ]
    .into_iter()
    .flatten()
    {
        for key in &sort.keys {
            if let SortKey::Variable { variable, .. } = key {
                mentioned.push(*variable);
            }
        }
    }
    visit(style, &mut |element| match element {
        LayoutRenderingElement::Names(names) => {
            mentioned.extend(names.variable.iter().map(|v| Variable::Name(*v)));
            for child in &mut names.children {
                if let NamesChild::Substitute(substitute) = child {
                    visit_all(&mut substitute.children, &mut |inner| {
                        if let LayoutRenderingElement::Names(inner) = inner {
                            substituted.extend(&inner.variable);
                        }
                    });
                }
            }
        }
        LayoutRenderingElement::Text(Text {
            target: TextTarget::Variable { var, .. },
            ..
        }) => mentioned.push(*var),
        LayoutRenderingElement::Number(number) => mentioned.push(number.variable.into()),
        LayoutRenderingElement::Label(label) => mentioned.push(label.variable.into()),
        LayoutRenderingElement::Date(date) => {
            if let Some(variable) = date.variable {
                mentioned.push(Variable::Date(variable));
            }
        }
        LayoutRenderingElement::Choose(choose) => {
            for branch in branches(choose) {
                for variable in [&branch.variable, &branch.is_numeric]
                    .into_iter()
                    .flatten()
                    .flatten()
                {
                    mentioned.push(*variable);
                    if let Variable::Name(name) = variable {
                        tested.push(*name);
                    }
                }
            }
        }
        _ => {}
    });
    let mut free = TWINS.iter().filter(|t| !mentioned.contains(t)).peekable();
    let mut pairs = Vec::new();
    for variable in TWINNED {
        if substituted.contains(variable) && tested.contains(variable) {
            match free.next() {
                Some(twin) => pairs.push((*variable, *twin)),
                None => break,
            }
        }
    }
    let (accessed, url) = accessed_without_url(style, &mentioned, free);
    if !pairs.is_empty() {
        visit(style, &mut |element| {
            if let LayoutRenderingElement::Choose(choose) = element {
                for branch in branches(choose) {
                    for variable in branch.variable.iter_mut().flatten() {
                        if let Some((_, twin)) =
                            pairs.iter().find(|(v, _)| *variable == Variable::Name(*v))
                        {
                            *variable = *twin;
                        }
                    }
                }
            }
        });
    }
    Twins {
        names: pairs,
        accessed,
        url,
    }
}

/// Lets a style print the access date of an item that has no URL (one
/// with a DOI only): GB/T 7714's `[2023-04-26]`, CSE's `[accessed 2023 Apr
/// 26]`, SIST02's `(参照 2023-04-26)`.
///
/// hayagriva resolves `accessed` only as the visit date of the entry's URL
/// (`src/csl/taxonomy.rs`, `resolve_date_variable`), and its `Entry` has
/// no other place for it. So every item's access date goes to hayagriva on
/// a URL, a stand-in ([`ACCESS_DATE_CARRIER`]) where the item has none;
/// where the style mentions `URL`, its tests and texts read a twin instead
/// (a standard variable the style never mentions, set to the item's URL as
/// written), so that the stand-in neither prints nor passes a test.
///
/// The twin also carries the URL's short form, which hayagriva does not
/// know and citeproc-js makes (see [`short_url`]): Annual Reviews' `<text
/// variable="URL" form="short"/>` prints "www.donga.com".
///
/// Returns whether access dates travel so, and the twin.
fn accessed_without_url<'a>(
    style: &mut IndependentStyle,
    mentioned: &[Variable],
    mut free: impl Iterator<Item = &'a Variable>,
) -> (bool, Option<StandardVariable>) {
    const URL: Variable = Variable::Standard(StandardVariable::URL);
    let accessed = mentioned.contains(&Variable::Date(DateVariable::Accessed));
    let mut short = false;
    visit(style, &mut |element| {
        if let LayoutRenderingElement::Text(Text {
            target: TextTarget::Variable { var, form },
            ..
        }) = element
        {
            short |= *var == URL && *form == LongShortForm::Short;
        }
    });
    if !accessed && !short {
        return (false, None);
    }
    if !mentioned.contains(&URL) {
        return (accessed, None);
    }
    let Some(twin) = free.find_map(|t| match t {
        Variable::Standard(standard) => Some(*standard),
        _ => None,
    }) else {
        return (false, None);
    };
    let replace = |variable: &mut Variable| {
        if *variable == URL {
            *variable = Variable::Standard(twin);
        }
    };
    visit(style, &mut |element| match element {
        LayoutRenderingElement::Text(Text {
            target: TextTarget::Variable { var, .. },
            ..
        }) => replace(var),
        LayoutRenderingElement::Choose(choose) => {
            for branch in branches(choose) {
                branch.variable.iter_mut().flatten().for_each(replace);
            }
        }
        _ => {}
    });
    for sort in [
        style.citation.sort.as_mut(),
        style.bibliography.as_mut().and_then(|b| b.sort.as_mut()),
    ]
    .into_iter()
    .flatten()
    {
        for key in &mut sort.keys {
            if let SortKey::Variable { variable, .. } = key {
                replace(variable);
            }
        }
    }
    (true, Some(twin))
}

/// Points the style's sort keys at copies of their macros that print no
/// quotation marks, as citeproc-js compares keys without formatting.
///
/// hayagriva sorts by the macros' text with the quotes of `quotes="true"`
/// in it, so MLA put "“Nested Sampling for General …”" before "“Nested
/// Sampling.”" (the closing quote sorts after the space), and its "———"
/// for a repeated author landed on the wrong entry.
pub fn sort_keys_without_quotes(style: &mut IndependentStyle) {
    let mut copies: Vec<String> = Vec::new();
    let mut keys: Vec<&mut SortKey> = Vec::new();
    if let Some(sort) = &mut style.citation.sort {
        keys.extend(sort.keys.iter_mut());
    }
    if let Some(sort) = style.bibliography.as_mut().and_then(|b| b.sort.as_mut()) {
        keys.extend(sort.keys.iter_mut());
    }
    for key in keys {
        if let SortKey::MacroName { name, .. } = key {
            copies.push(name.clone());
            *name = unquoted_name(name);
        }
    }
    // The macros the keys call, and the macros those call, get copies.
    let mut done: Vec<String> = Vec::new();
    while let Some(name) = copies.pop() {
        if done.contains(&name) {
            continue;
        }
        let Some(original) = style.macros.iter().find(|m| m.name == name) else {
            continue;
        };
        let mut copy = original.clone();
        copy.name = unquoted_name(&name);
        // No quotes, and macro calls to the copies.
        visit_all(&mut copy.children, &mut |element| {
            if let LayoutRenderingElement::Text(text) = element {
                text.quotes = false;
                if let TextTarget::Macro { name } = &mut text.target {
                    copies.push(name.clone());
                    *name = unquoted_name(name);
                }
            }
        });
        style.macros.push(copy);
        done.push(name);
    }
}

fn unquoted_name(name: &str) -> String {
    format!("{name}\u{0}unquoted")
}

/// A variable refkeeper never sets: `dimensions` is read from hayagriva's
/// `runtime` field, which refkeeper leaves empty. Testing it is false.
const NEVER_SET: Variable = Variable::Standard(StandardVariable::Dimensions);

/// Calls `f` on every rendering element of the style's macros, citation
/// and bibliography, parents before their children (including the
/// children of `cs:substitute`).
fn visit(style: &mut IndependentStyle, f: &mut impl FnMut(&mut LayoutRenderingElement)) {
    for item in &mut style.macros {
        visit_all(&mut item.children, f);
    }
    visit_all(&mut style.citation.layout.elements, f);
    if let Some(bibliography) = &mut style.bibliography {
        visit_all(&mut bibliography.layout.elements, f);
    }
}

pub(crate) fn visit_all(
    elements: &mut [LayoutRenderingElement],
    f: &mut impl FnMut(&mut LayoutRenderingElement),
) {
    for element in elements {
        f(element);
        match element {
            LayoutRenderingElement::Group(group) => visit_all(&mut group.children, f),
            LayoutRenderingElement::Choose(choose) => {
                for branch in branches(choose) {
                    visit_all(&mut branch.children, f);
                }
                if let Some(otherwise) = &mut choose.otherwise {
                    visit_all(&mut otherwise.children, f);
                }
            }
            LayoutRenderingElement::Names(names) => {
                for child in &mut names.children {
                    if let NamesChild::Substitute(substitute) = child {
                        visit_all(&mut substitute.children, f);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The `cs:if` and `cs:else-if` branches of a `cs:choose`.
fn branches(
    choose: &mut hayagriva::citationberg::Choose,
) -> impl Iterator<Item = &mut ChooseBranch> {
    std::iter::once(&mut choose.if_).chain(choose.else_if.iter_mut())
}

/// Makes the style's `volume-title` a variable refkeeper never sets.
///
/// refkeeper's data has no separate volume title (a chapter's book is its
/// container), but hayagriva takes the title of a conference paper's
/// proceedings as its volume title too, so styles that print both (APA,
/// MLA) printed the proceedings title twice.
fn without_volume_title(element: &mut LayoutRenderingElement) {
    let replace = |var: &mut Variable| {
        if *var == Variable::Standard(StandardVariable::VolumeTitle) {
            *var = NEVER_SET;
        }
    };
    match element {
        LayoutRenderingElement::Text(text) => {
            if let TextTarget::Variable { var, .. } = &mut text.target {
                replace(var);
            }
        }
        LayoutRenderingElement::Choose(choose) => {
            for branch in branches(choose) {
                branch.variable.iter_mut().flatten().for_each(replace);
                branch.is_numeric.iter_mut().flatten().for_each(replace);
            }
        }
        _ => {}
    }
}

/// Restores CSL's rule that a group whose variables are all empty is not
/// printed, for groups holding names.
///
/// hayagriva reports an empty `cs:names` as "no variable" rather than "an
/// empty variable", so Harvard's `<group><text term="in"/><names
/// variable="editor"/></group>` printed a lone "in" before every
/// conference paper without editors. Each such group gets an always-empty
/// variable, which makes hayagriva see the group as one of empty variables.
fn suppress_group_of_empty_names(element: &mut LayoutRenderingElement) {
    fn holds_names(elements: &[LayoutRenderingElement]) -> bool {
        elements.iter().any(|e| match e {
            LayoutRenderingElement::Names(_) => true,
            LayoutRenderingElement::Choose(choose) => {
                std::iter::once(&choose.if_)
                    .chain(&choose.else_if)
                    .any(|b| holds_names(&b.children))
                    || choose
                        .otherwise
                        .as_ref()
                        .is_some_and(|o| holds_names(&o.children))
            }
            _ => false,
        })
    }
    if let LayoutRenderingElement::Group(group) = element
        && holds_names(&group.children)
    {
        group.children.push(never_set_text());
    }
}

/// A `cs:text` of a variable refkeeper never sets: always empty, yet a
/// variable to hayagriva's group suppression.
fn never_set_text() -> LayoutRenderingElement {
    LayoutRenderingElement::Text(Text {
        target: TextTarget::Variable {
            var: NEVER_SET,
            form: LongShortForm::Long,
        },
        formatting: Default::default(),
        affixes: Default::default(),
        display: None,
        quotes: false,
        strip_periods: false,
        text_case: None,
    })
}

/// Gives each `cs:names` that has a `cs:name` but no `cs:substitute` one
/// that calls an always-empty variable.
///
/// hayagriva then reports the names, when empty, as an empty variable
/// (the substitute's), so a group that holds them through a macro is
/// suppressed as CSL prescribes; [`suppress_group_of_empty_names`] covers
/// groups that hold them directly, also bare ones. When the names are not
/// empty, the substitute is not used.
///
/// Names inside a `cs:substitute` are left as they are: hayagriva suppresses
/// the variables a substitute printed from later names by their own
/// substitute, and a second one there printed APA's editors twice.
fn empty_names_as_empty_variables(style: &mut IndependentStyle) {
    fn walk(elements: &mut [LayoutRenderingElement]) {
        for element in elements {
            match element {
                LayoutRenderingElement::Names(names) => {
                    let has_name = names
                        .children
                        .iter()
                        .any(|c| matches!(c, NamesChild::Name(_)));
                    let has_substitute = names
                        .children
                        .iter()
                        .any(|c| matches!(c, NamesChild::Substitute(_)));
                    if has_name && !has_substitute {
                        names.children.push(NamesChild::Substitute(Substitute {
                            children: vec![never_set_text()],
                        }));
                    }
                }
                LayoutRenderingElement::Group(group) => walk(&mut group.children),
                LayoutRenderingElement::Choose(choose) => {
                    for branch in branches(choose) {
                        walk(&mut branch.children);
                    }
                    if let Some(otherwise) = &mut choose.otherwise {
                        walk(&mut otherwise.children);
                    }
                }
                _ => {}
            }
        }
    }
    for item in &mut style.macros {
        walk(&mut item.children);
    }
    if let Some(bibliography) = &mut style.bibliography {
        walk(&mut bibliography.layout.elements);
    }
    walk(&mut style.citation.layout.elements);
}

/// Gives every `cs:names` inside a `cs:substitute` its parent's `cs:name`,
/// `cs:et-al` and `cs:label`, as CSL prescribes, also where it stands
/// inside a `cs:choose` or `cs:group` of the substitute.
///
/// hayagriva passes them on only to direct children, so Chicago's
/// `<substitute><choose>...<names variable="editor"/>` printed an edited
/// book's editors with a bare `<name/>` ("M. de Haas" for "Haas, Marcel de,
/// ed.").
fn inherit_names_in_substitute(element: &mut LayoutRenderingElement) {
    fn inherit(parent: &Names, elements: &mut [LayoutRenderingElement]) {
        for element in elements {
            match element {
                LayoutRenderingElement::Names(child) => {
                    *child = parent.from_names_substitute(child)
                }
                LayoutRenderingElement::Group(group) => inherit(parent, &mut group.children),
                LayoutRenderingElement::Choose(choose) => {
                    for branch in branches(choose) {
                        inherit(parent, &mut branch.children);
                    }
                    if let Some(otherwise) = &mut choose.otherwise {
                        inherit(parent, &mut otherwise.children);
                    }
                }
                _ => {}
            }
        }
    }
    if let LayoutRenderingElement::Names(names) = element {
        let parent = names.clone();
        for child in &mut names.children {
            if let NamesChild::Substitute(substitute) = child {
                inherit(&parent, &mut substitute.children);
            }
        }
    }
}

/// A `cs:text` with `strip-periods="true"` gets marker characters as its
/// innermost affixes instead, and the engine strips the periods between
/// them when it reads the rendered text back (`engine::flatten`), so that
/// verbatim words lose theirs too.
fn strip_periods_by_markers(element: &mut LayoutRenderingElement) {
    use crate::csl::engine::STRIP_PERIODS;
    let LayoutRenderingElement::Text(text) = element else {
        return;
    };
    if !text.strip_periods {
        return;
    }
    text.strip_periods = false;
    let prefix = text.affixes.prefix.take().unwrap_or_default();
    text.affixes.prefix = Some(format!("{prefix}{}", STRIP_PERIODS.0));
    let suffix = text.affixes.suffix.take().unwrap_or_default();
    text.affixes.suffix = Some(format!("{}{suffix}", STRIP_PERIODS.1));
}

/// A `cs:label` of a page variable with `plural="never"` or `"always"` as
/// the term itself, singular or plural, printed when the variable is set.
///
/// hayagriva chooses the form of a page label by the range alone. The
/// term keeps the label's form, formatting, affixes, case and period
/// stripping, which is all a label adds to its term.
fn page_labels_with_plural(element: &mut LayoutRenderingElement) {
    use hayagriva::citationberg::taxonomy::NumberOrPageVariable;
    use hayagriva::citationberg::{Choose, ChooseMatch, LabelPluralize};
    let LayoutRenderingElement::Label(label) = element else {
        return;
    };
    let NumberOrPageVariable::Page(variable) = label.variable else {
        return;
    };
    let plural = match label.label.plural {
        LabelPluralize::Never => false,
        LabelPluralize::Always => true,
        LabelPluralize::Contextual => return,
    };
    let term = Text {
        target: TextTarget::Term {
            term: Term::from(variable),
            form: label.label.form,
            plural,
        },
        formatting: label.label.formatting,
        affixes: label.label.affixes.clone(),
        display: None,
        quotes: false,
        strip_periods: label.label.strip_periods,
        text_case: label.label.text_case,
    };
    *element = LayoutRenderingElement::Choose(Choose {
        if_: ChooseBranch {
            disambiguate: None,
            is_numeric: None,
            is_uncertain_date: None,
            locator: None,
            position: None,
            type_: None,
            variable: Some(vec![Variable::Page(variable)]),
            match_: ChooseMatch::All,
            children: vec![LayoutRenderingElement::Text(term)],
        },
        else_if: Vec::new(),
        otherwise: None,
    });
}

/// The delimiter of a date format that starts with the year, as the
/// prefix of each later date-part, in the style's own date formats and in
/// its locales' (also [`date_delimiters_in_locales`] for the locale files).
///
/// CSL's delimiter "delimits non-empty pieces of output"; hayagriva
/// writes it before a date-part whether or not the part has a value, so a
/// date without a day ended in the delimiter. The year is always there, so
/// the parts after it carry the delimiter as their prefix, which hayagriva
/// writes only for a part that has a value. Formats that start with a day
/// or month are left alone: hayagriva skips a missing leading part right.
pub fn date_delimiters_as_prefixes(style: &mut IndependentStyle) {
    date_delimiters_in_locales(&mut style.locale);
    visit(style, &mut |element| {
        if let LayoutRenderingElement::Date(date) = element {
            delimiter_as_prefixes(date);
        }
    });
}

/// [`date_delimiters_as_prefixes`] for locales (the CSL locale files the
/// engine reads besides the style's own).
pub fn date_delimiters_in_locales(locales: &mut [hayagriva::citationberg::Locale]) {
    for locale in locales {
        for date in &mut locale.date {
            delimiter_as_prefixes(date);
        }
    }
}

fn delimiter_as_prefixes(date: &mut hayagriva::citationberg::Date) {
    use hayagriva::citationberg::DatePartName;
    let starts_with_year = date
        .date_part
        .first()
        .is_some_and(|p| p.name == DatePartName::Year);
    if !starts_with_year || date.date_part.len() < 2 {
        // A delimiter hayagriva writes after the last part present
        // ("Dec " for a month without a day) is marked as a group's is
        // (see affixes_joined_as_written), and dropped when nothing
        // follows it.
        if let Some(delimiter) = &mut date.delimiter {
            delimiter.insert(0, *DELIMITER_MARKS.start());
        }
        return;
    }
    let Some(delimiter) = date.delimiter.take() else {
        return;
    };
    for part in &mut date.date_part[1..] {
        let prefix = part.affixes.prefix.take().unwrap_or_default();
        part.affixes.prefix = Some(format!("{delimiter}{prefix}"));
    }
}

/// Gives a `cs:names` that has children but no `cs:name` a `cs:name`
/// without options of its own, first, so that it formats its names with
/// the options inherited from `cs:style`, `cs:citation` or
/// `cs:bibliography`, as CSL prescribes and citeproc-js does.
///
/// hayagriva renders a `cs:names` with no children, but one with only a
/// `cs:label` or a `cs:substitute` it takes for empty: vancouver's
/// `<names variable="author"><label .../><substitute>...` printed no
/// authors, and AMA's editors (`<names variable="editor"><label/></names>`)
/// were dropped. Runs before `inherit_names_in_substitute`, so that the
/// substitutes inherit the name too.
fn names_with_a_name(element: &mut LayoutRenderingElement) {
    let LayoutRenderingElement::Names(names) = element else {
        return;
    };
    let has_name = names
        .children
        .iter()
        .any(|c| matches!(c, NamesChild::Name(_)));
    if !names.children.is_empty() && !has_name {
        names.children.insert(0, NamesChild::Name(Name::default()));
    }
}

/// The affixes of a `cs:name` moved where hayagriva applies them: onto
/// its `cs:names`, or, on the side where a `cs:label` stands, onto the
/// label (frontiers' `<label/><name prefix=" "/>`, "eds. G. Lloyd", printed
/// "eds.G. Lloyd"). The moved affixes print alike for one name of one
/// variable: citeproc-js sets a name's affixes around each name
/// ("Tradução: A; Tradução: B"), where these wrap the list once; with two
/// variables they would wrap both lists. A names element with a
/// substitute is left alone (its affixes would go around what stands in).
/// An et-al term, printed only after a truncated list, stays where it is.
fn name_affixes_on_names(element: &mut LayoutRenderingElement) {
    let LayoutRenderingElement::Names(names) = element else {
        return;
    };
    if names.variable.len() != 1
        || names
            .children
            .iter()
            .any(|c| matches!(c, NamesChild::Substitute(_)))
    {
        return;
    }
    let Some(name_at) = names
        .children
        .iter()
        .position(|c| matches!(c, NamesChild::Name(_)))
    else {
        return;
    };
    let label_at = names
        .children
        .iter()
        .position(|c| matches!(c, NamesChild::Label(_)));
    let NamesChild::Name(name) = &mut names.children[name_at] else {
        return;
    };
    let (prefix, suffix) = (name.affixes.prefix.take(), name.affixes.suffix.take());
    // The name's prefix goes after whatever stands before it, its suffix
    // before whatever follows it.
    let (mut before, mut after) = (&mut names.prefix, &mut names.suffix);
    if let Some(at) = label_at
        && let NamesChild::Label(label) = &mut names.children[at]
    {
        if at < name_at {
            before = &mut label.affixes.suffix;
        } else {
            after = &mut label.affixes.prefix;
        }
    }
    if let Some(prefix) = prefix {
        *before = Some(before.take().unwrap_or_default() + &prefix);
    }
    if let Some(suffix) = suffix {
        *after = Some(suffix + &after.take().unwrap_or_default());
    }
}

/// Name variables refkeeper's items never fill: BibLaTeX has no field for
/// them, and hayagriva reads them from data refkeeper does not set.
const UNSET_NAMES: &[NameVariable] = &[
    NameVariable::Chair,
    NameVariable::Composer,
    NameVariable::Compiler,
    NameVariable::Curator,
    NameVariable::Director,
    NameVariable::EditorialDirector,
    NameVariable::ExecutiveProducer,
    NameVariable::Guest,
    NameVariable::Host,
    NameVariable::Illustrator,
    NameVariable::Interviewer,
    NameVariable::Narrator,
    NameVariable::Organizer,
    NameVariable::Performer,
    NameVariable::Producer,
    NameVariable::Recipient,
    NameVariable::ReviewedAuthor,
    NameVariable::ScriptWriter,
    NameVariable::SeriesCreator,
];

/// Replaces a `cs:names` of variables refkeeper never fills by the first
/// `cs:names` of its substitute, which is what it always prints.
///
/// hayagriva keeps a substituted variable suppressed also for later
/// `cs:choose` tests, where citeproc-js still sees it: MLA's author macro,
/// `<names variable="composer"><substitute><names variable="author"/>`,
/// made every later `variable="author"` test false, and MLA printed a
/// capitalised "Vol. 220" for a monograph in a series. Runs after
/// `inherit_names_in_substitute`, so the names promoted already carry
/// their parent's `cs:name`.
fn names_of_unset_variables_substituted(element: &mut LayoutRenderingElement) {
    let LayoutRenderingElement::Names(names) = element else {
        return;
    };
    if names.variable.is_empty() || !names.variable.iter().all(|v| UNSET_NAMES.contains(v)) {
        return;
    }
    let Some(substitute) = names.substitute() else {
        return;
    };
    let Some((LayoutRenderingElement::Names(first), rest)) = substitute.children.split_first()
    else {
        return;
    };
    if first.substitute().is_some() {
        return;
    }
    let mut promoted = first.clone();
    if !rest.is_empty() {
        promoted.children.push(NamesChild::Substitute(Substitute {
            children: rest.to_vec(),
        }));
    }
    *names = promoted;
}

/// Makes `disambiguate="true"` conditions false, as they are for every
/// entry that needs no disambiguation.
///
/// refkeeper disambiguates cites itself (see `disambiguate`) from cites
/// rendered plainly; hayagriva still switched two alike cites to their
/// `disambiguate="true"` branch (MLA's short title: "(Appourchaux et al.,
/// “Second Paper”)"), so refkeeper saw them as different and did not add
/// the names citeproc-js adds. The test becomes one of a variable never
/// set, which keeps the branch's other conditions and its `match` intact.
fn without_disambiguate_condition(element: &mut LayoutRenderingElement) {
    if let LayoutRenderingElement::Choose(choose) = element {
        for branch in branches(choose) {
            if branch.disambiguate == Some(true) {
                branch.disambiguate = None;
                branch.variable.get_or_insert_with(Vec::new).push(NEVER_SET);
            }
        }
    }
}

/// Gives the short labels of names that the style title-cases every word
/// a capital, as citeproc-js's title case does ("(Ed.)", "Ed. & Trans.").
///
/// hayagriva's title case leaves short words such as "ed." lowercase, so
/// APA printed "(ed.)". Short terms are abbreviations without stop words,
/// so capitalising each word is the same as title case for them.
fn short_labels_capitalized(element: &mut LayoutRenderingElement) {
    if let LayoutRenderingElement::Names(names) = element {
        for child in &mut names.children {
            if let NamesChild::Label(label) = child
                && label.form == TermForm::Short
                && label.text_case == Some(TextCase::TitleCase)
            {
                label.text_case = Some(TextCase::CapitalizeAll);
            }
        }
    }
}

/// Makes CSL 1.0.2's `editor-translator` variable one refkeeper never sets.
///
/// refkeeper's items have editors and translators, never the combined
/// variable, so in citeproc-js `<names variable="editor-translator">` is
/// empty and the `<names variable="editor translator">` after it prints a
/// person who is both once, as "edited and translated by". hayagriva fills
/// `editor-translator` from the two lists itself, so MLA printed that
/// person twice.
fn without_editor_translator_variable(element: &mut LayoutRenderingElement) {
    // No refkeeper field maps to `chair`.
    const NEVER_SET_NAME: NameVariable = NameVariable::Chair;
    match element {
        LayoutRenderingElement::Names(names) => {
            for variable in &mut names.variable {
                if *variable == NameVariable::EditorTranslator {
                    *variable = NEVER_SET_NAME;
                }
            }
        }
        LayoutRenderingElement::Choose(choose) => {
            for branch in branches(choose) {
                for variable in branch.variable.iter_mut().flatten() {
                    if *variable == Variable::Name(NameVariable::EditorTranslator) {
                        *variable = Variable::Name(NEVER_SET_NAME);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The role terms a style asks for in one number only: `(term, form,
/// plural)` for each term whose every `cs:label` in a `cs:names` (and
/// every `cs:text term`) asks for the same number, `plural="never"` or
/// `"always"`. A names label's variables are its own and those of the
/// `cs:names` in its substitute (which inherit it).
///
/// hayagriva pluralises a names label by the number of names whatever its
/// `plural`; [`with_term_numbers`] gives the terms one form for both, so
/// the label prints the number the style asks for.
pub fn name_label_plurals(style: &mut IndependentStyle) -> Vec<(Term, TermForm, bool)> {
    use hayagriva::citationberg::LabelPluralize;
    use std::collections::HashMap;
    // Per term and form: the numbers asked for (`None`: contextual).
    let mut asked: HashMap<(Term, TermForm), Vec<Option<bool>>> = HashMap::new();
    visit(style, &mut |element| match element {
        LayoutRenderingElement::Names(names) => {
            let Some(label) = names.children.iter().find_map(|c| match c {
                NamesChild::Label(label) => Some(label),
                _ => None,
            }) else {
                return;
            };
            let plural = match label.plural {
                LabelPluralize::Never => Some(false),
                LabelPluralize::Always => Some(true),
                LabelPluralize::Contextual => None,
            };
            let mut variables = names.variable.clone();
            for child in &names.children {
                if let NamesChild::Substitute(substitute) = child {
                    for element in &substitute.children {
                        if let LayoutRenderingElement::Names(inner) = element {
                            variables.extend(inner.variable.iter().copied());
                        }
                    }
                }
            }
            for variable in variables {
                asked
                    .entry((Term::from(variable), label.form))
                    .or_default()
                    .push(plural);
            }
        }
        LayoutRenderingElement::Text(Text {
            target: TextTarget::Term { term, form, plural },
            ..
        }) => asked.entry((*term, *form)).or_default().push(Some(*plural)),
        _ => {}
    });
    asked
        .into_iter()
        .filter_map(|((term, form), numbers)| {
            let first = numbers.first().copied().flatten()?;
            numbers
                .iter()
                .all(|n| *n == Some(first))
                .then_some((term, form, first))
        })
        .filter(|(term, _, _)| matches!(term, Term::NameVariable(_)))
        .collect()
}

/// The locales with each term of `fixed` given its one number: the plural
/// form also for one name, or the singular also for several.
pub fn with_term_numbers(
    locales: &mut [hayagriva::citationberg::Locale],
    fixed: &[(Term, TermForm, bool)],
) {
    for locale in locales {
        let Some(terms) = &mut locale.terms else {
            continue;
        };
        for term in &mut terms.terms {
            let Some(&(_, _, plural)) = fixed
                .iter()
                .find(|(name, form, _)| term.name.is_lexically_same(*name) && term.form == *form)
            else {
                continue;
            };
            let (Some(single), Some(multiple)) = (term.single(), term.multiple()) else {
                continue;
            };
            let text = if plural { multiple } else { single }.to_owned();
            // citationberg keeps the forms private; a term is rebuilt
            // through its serde form.
            let Ok(mut value) = serde_json::to_value(&*term) else {
                continue;
            };
            value["single"] = serde_json::Value::String(text.clone());
            value["multiple"] = serde_json::Value::String(text);
            if let Ok(rebuilt) = serde_json::from_value(value) {
                *term = rebuilt;
            }
        }
    }
}

/// Leads every prefix, suffix and group delimiter that starts with
/// punctuation CSL merges (`.,;:!?`), a bracket or a space by a mark of its own
/// (printed as nothing; the bibliography layout's suffix too), so that
/// hayagriva writes each as the style has it: no affix is then a copy of
/// the text before it (MHRA's "(Wiley, 1959))" lost a parenthesis), and none starts with the punctuation hayagriva lets
/// eat the spaces before it. The engine's tidying reads the marks as the
/// joins where citeproc-js merges punctuation that touches (`Inc.` and a
/// suffix `.`), and drops a delimiter hayagriva wrote before a child that
/// printed nothing. Runs last, after the rewrites that move affixes.
fn affixes_joined_as_written(style: &mut IndependentStyle) {
    let mut prefix_marks = PREFIX_MARKS.cycle();
    let mut suffix_marks = SUFFIX_MARKS.cycle();
    let mut delimiter_marks = DELIMITER_MARKS.cycle();
    let mark = |affix: &mut Option<String>, marks: &mut dyn Iterator<Item = char>| {
        if let Some(text) = affix
            && text.starts_with(['.', ',', ';', ':', '!', '?', ' ', '(', ')', '[', ']'])
            && let Some(mark) = marks.next()
        {
            text.insert(0, mark);
        }
    };
    visit(style, &mut |element| {
        let (prefix, suffix) = match element {
            LayoutRenderingElement::Text(text) => {
                (&mut text.affixes.prefix, &mut text.affixes.suffix)
            }
            LayoutRenderingElement::Number(number) => {
                (&mut number.affixes.prefix, &mut number.affixes.suffix)
            }
            LayoutRenderingElement::Label(label) => (
                &mut label.label.affixes.prefix,
                &mut label.label.affixes.suffix,
            ),
            LayoutRenderingElement::Date(date) => {
                (&mut date.affixes.prefix, &mut date.affixes.suffix)
            }
            LayoutRenderingElement::Names(names) => (&mut names.prefix, &mut names.suffix),
            LayoutRenderingElement::Group(group) => {
                mark(&mut group.delimiter, &mut delimiter_marks);
                (&mut group.prefix, &mut group.suffix)
            }
            LayoutRenderingElement::Choose(_) => return,
        };
        mark(prefix, &mut prefix_marks);
        mark(suffix, &mut suffix_marks);
    });
    if let Some(bibliography) = &mut style.bibliography {
        mark(&mut bibliography.layout.suffix, &mut suffix_marks);
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn every_fix_names_what_it_works_around() {
        for fix in FIXES {
            let names_source = fix.works_around.contains("src/") && fix.works_around.contains("::");
            assert!(
                names_source || fix.upstream.is_some(),
                "{}: name hayagriva's file::function or an upstream issue",
                fix.name
            );
            if let Some(url) = fix.upstream {
                assert!(
                    url.starts_with("https://github.com/typst/hayagriva/"),
                    "{url}"
                );
            }
        }
        let mut names: Vec<&str> = FIXES.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIXES.len(), "one row per fix");
    }
}

#[cfg(test)]
mod url_tests {
    use super::short_url;

    /// citeproc-js's outputs for these URLs in Annual Reviews.
    #[test]
    fn short_urls_end_at_the_host_as_in_citeproc_js() {
        for (url, short) in [
            (
                "https://www.donga.com/en/List/article/all/20040920/237281/1",
                "www.donga.com",
            ),
            (
                "https://jamestown.org/program/major-uzbek-south-korean-venture-inaugurated/",
                "https://jamestown.org",
            ),
            (
                "http://mirror.ctan.org/info/bibtex/tamethebeast/ttb_en.pdf",
                "http://mirror.ctan.org",
            ),
            (
                "https://m.mt.co.kr/renew/view_amp.html?no=2008080911303271984",
                "https://m.mt.co.kr",
            ),
            ("http://www.ctan.org", "www.ctan.org"),
            ("https://arxiv.org/abs/math/0307200v3", "https://arxiv.org"),
        ] {
            assert_eq!(short_url(url), short, "{url}");
        }
    }
}
