//! Bibliography hygiene: checks of each entry on its own (required fields,
//! the data model, dates, identifiers, page ranges, names) and of entries
//! against each other (the same work under two keys, `@string` macros).
//!
//! One function per code: the rules on an entry's shape (`shape`), on
//! one field's value (`values`), across entries (`duplicates`) and on
//! macros (`strings`). The rules the [`RuleSet`] turns off are not run.
//! Pure functions of the bibliography and the file texts, like the rest of
//! the check stage; entries are checked in parallel.

mod duplicates;
mod shape;
mod strings;
mod values;

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::RuleSet;
use crate::bib::{Bibliography, Entry, EntryId, RawField, Value};
use crate::bib::{datamodel, fields};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use duplicates::{Identities, Marks};
use values::{VALUE_RULES, ValueRule};

/// Every hygiene finding of the bibliography, for the codes the rules
/// leave on.
pub fn check(bib: &Bibliography, sources: &SourceMap, rules: &RuleSet) -> Vec<Diagnostic> {
    let plan = Plan::new(rules);
    // Unzipped straight into the marks, not collected in pairs and copied
    // out (on 100,000 entries the pairs held 9 MB).
    let (found, marks): (Found, Vec<Marks>) = (0..bib.entries.len())
        .into_par_iter()
        .map_init(Buffers::default, |buffers, index| {
            check_entry(bib, sources, EntryId(index as u32), &plan, buffers)
        })
        .unzip();
    // Duplicates are compared on one core (in file order) while the
    // macros are looked up on the other.
    let (duplicates, strings) = rayon::join(
        || {
            if plan.duplicate_entries {
                duplicates::duplicate_entries(bib, &marks, |id| {
                    identities_of(bib, sources, id, &plan, &mut Buffers::default())
                })
            } else {
                Vec::new()
            }
        },
        || {
            if rules.is_on(Code::UndefinedString) || rules.is_on(Code::UnusedString) {
                strings::strings(bib, sources, rules)
            } else {
                Vec::new()
            }
        },
    );
    let mut diagnostics = found.0;
    diagnostics.reserve_exact(duplicates.len() + strings.len());
    diagnostics.extend(duplicates);
    diagnostics.extend(strings);
    diagnostics
}

/// The findings of every entry, in entry order, gathered into one list as
/// the workers make them: not a list per entry (on 100,000 entries those
/// lists, most of them empty, held 2.4 MB), copied into one at the end.
#[derive(Default)]
struct Found(Vec<Diagnostic>);

impl ParallelExtend<Vec<Diagnostic>> for Found {
    fn par_extend<I>(&mut self, lists: I)
    where
        I: IntoParallelIterator<Item = Vec<Diagnostic>>,
    {
        // Each worker's run of entries folds into one list; rayon collects
        // the runs in the entries' order.
        let runs: std::collections::LinkedList<Vec<Diagnostic>> = (lists.into_par_iter())
            .fold(Vec::new, |mut run, found| {
                run.extend(found);
                run
            })
            .collect();
        self.0.reserve_exact(runs.iter().map(Vec::len).sum());
        for run in runs {
            self.0.extend(run);
        }
    }
}

/// A rule on an entry as a whole.
type EntryRule = fn(&EntryView, &mut Vec<Diagnostic>);

/// The rules on an entry's shape, by code.
const ENTRY_RULES: &[(Code, EntryRule)] = &[
    (Code::UnknownType, shape::unknown_type),
    (Code::DuplicateField, shape::duplicate_field),
    (Code::UnknownField, shape::unknown_field),
    (Code::MisspelledField, shape::misspelled_field),
    (Code::EmptyField, shape::empty_field),
    (Code::UrldateWithoutUrl, shape::urldate_without_url),
    (Code::MissingField, shape::missing_field),
];

/// The rules that are on, chosen once per run.
struct Plan {
    entry_rules: Vec<EntryRule>,
    /// The value rules that are on, by the data-model field they read
    /// (looked up for every field: a fast hash, not SipHash).
    value_rules: FxHashMap<&'static str, Vec<&'static ValueRule>>,
    duplicate_entries: bool,
    /// Whether `misspelled-field` is on (`unknown-field` leaves it those).
    misspelled_fields: bool,
}

impl Plan {
    fn new(rules: &RuleSet) -> Plan {
        let entry_rules = ENTRY_RULES
            .iter()
            .filter(|(code, _)| rules.is_on(*code))
            .map(|(_, rule)| *rule)
            .collect();
        let mut value_rules: FxHashMap<&'static str, Vec<&'static ValueRule>> =
            FxHashMap::default();
        for rule in VALUE_RULES.iter().filter(|r| rules.is_on(r.code)) {
            for field in rule.fields {
                value_rules.entry(field).or_default().push(rule);
            }
        }
        Plan {
            entry_rules,
            value_rules,
            duplicate_entries: rules.is_on(Code::DuplicateEntry),
            misspelled_fields: rules.is_on(Code::MisspelledField),
        }
    }
}

/// One worker's buffers, reused from entry to entry (an entry's names
/// and its duplicate identities are worked out in them, not in strings of
/// their own).
#[derive(Default)]
struct Buffers {
    /// What an entry's view borrows.
    view: ViewBuffers,
    /// The lists of an entry's view, empty between entries: kept, not
    /// allocated and freed for each of 100,000 entries.
    fields: Vec<FieldRef<'static>>,
    first: Vec<(&'static str, usize)>,
    identities: duplicates::Buffers,
}

impl Buffers {
    /// The view of entry `id`, read into these buffers (its lists taken
    /// from them, for the caller to give back), and the buffers its
    /// identities are worked out in.
    fn view<'a>(
        &'a mut self,
        bib: &'a Bibliography,
        sources: &'a SourceMap,
        id: EntryId,
        plan: &Plan,
    ) -> (EntryView<'a>, &'a mut duplicates::Buffers) {
        let Buffers {
            view,
            fields,
            first,
            identities,
        } = self;
        let view = EntryView::new(
            bib,
            sources,
            id,
            plan.misspelled_fields,
            view,
            recycled(std::mem::take(fields)),
            std::mem::take(first),
        );
        (view, identities)
    }
}

/// The buffers an entry's view reads its fields into and borrows from.
#[derive(Default)]
struct ViewBuffers {
    /// The entry's field names, lower-cased one after another.
    names: String,
    /// Where each of them ends in `names` (a name's end is found by
    /// reading the text, once).
    name_ends: Vec<usize>,
    /// The fields of an entry that inherits.
    inherited: Inherited,
}

/// An emptied list of fields, as a list of fields that borrow from
/// elsewhere, in the same allocation (an in-place collect: no field is
/// ever mapped).
fn recycled<'x, 'y>(mut list: Vec<FieldRef<'x>>) -> Vec<FieldRef<'y>> {
    list.clear();
    list.into_iter()
        .map(|_| unreachable!("the list is empty"))
        .collect()
}

/// One field of an entry, read.
struct FieldRef<'a> {
    /// As written, lower-cased.
    name: &'a str,
    /// The data-model field it stands for, if any.
    canonical: Option<&'static str>,
    field: RawField,
    /// Macros expanded (borrowed from the file when there are none).
    value: Cow<'a, str>,
    /// Written empty (`note = {}`): its value is not checked.
    empty: bool,
    /// A second name of a field set before it, with the same value
    /// (`eprinttype = {arxiv}` beside `archiveprefix = {arXiv}`): it loses
    /// nothing, and is not checked again.
    restates: bool,
}

impl FieldRef<'_> {
    /// From the field's name to the end of its value.
    fn whole(&self) -> Span {
        self.field.name_start()..self.field.value_span().end
    }

    /// The field's name as written (lower-casing kept its length).
    fn name_span(&self) -> Span {
        let start = self.field.name_start();
        start..start + self.name.len()
    }

    /// Whether the value rules read this field.
    fn is_checked(&self) -> bool {
        !self.empty && !self.restates
    }
}

/// An entry as the rules see it: its fields read once.
struct EntryView<'a> {
    entry: &'a Entry,
    /// Its key.
    key: &'a str,
    fields: Vec<FieldRef<'a>>,
    /// The first field of each data-model field (a list: an entry has
    /// about ten fields, and a map per entry cost more than the search).
    first: Vec<(&'static str, usize)>,
    /// The data-model type and whether its name sets `type`; `None`
    /// outside the data model.
    data_type: Option<(&'static str, bool)>,
    /// The fields with those inherited through crossref and xdata, when
    /// the entry inherits any (most do not, and their own fields are read).
    inherited: Option<&'a Inherited>,
    /// Whether misspelt field names are `misspelled-field`'s findings.
    misspellings_reported: bool,
}

impl<'a> EntryView<'a> {
    fn new(
        bib: &'a Bibliography,
        sources: &'a SourceMap,
        id: EntryId,
        misspellings_reported: bool,
        buffers: &'a mut ViewBuffers,
        mut fields: Vec<FieldRef<'a>>,
        mut first: Vec<(&'static str, usize)>,
    ) -> EntryView<'a> {
        let ViewBuffers {
            names,
            name_ends,
            inherited,
        } = buffers;
        let entry = bib.entry(id);
        let text = sources.get(entry.file).text.as_str();
        // Exports write `TITLE` and `Author`: the names are lower-cased in
        // one buffer, not one string each (changing ASCII case changes no
        // lengths, so each name is found again by its length).
        names.clear();
        name_ends.clear();
        for field in bib.fields(entry) {
            names.push_str(&text[field.name(text)]);
            name_ends.push(names.len());
        }
        names.make_ascii_lowercase();
        let names: &'a str = names;
        let mut name_end = 0;
        let lookup = |file: FileId| sources.get(file).text.as_str();
        // Handed over empty by the worker (see `check_entry`).
        debug_assert!(first.is_empty() && fields.is_empty());
        for (field, &end) in bib.fields(entry).zip(name_ends.iter()) {
            let name_start = std::mem::replace(&mut name_end, end);
            let name = &names[name_start..name_end];
            let canonical = datamodel::field(name);
            let value = bib.value_text(text, &field, &lookup);
            let empty = value.trim().is_empty() && matches!(field.value(text), Value::Literal(_));
            let restates = canonical
                .and_then(|c| first_of(&first, c))
                .is_some_and(|at| {
                    let earlier: &FieldRef = &fields[at];
                    earlier.name != name && earlier.value.trim().eq_ignore_ascii_case(value.trim())
                });
            if let Some(canonical) = canonical
                && first_of(&first, canonical).is_none()
            {
                first.push((canonical, fields.len()));
            }
            fields.push(FieldRef {
                name,
                canonical,
                field,
                value,
                empty,
                restates,
            });
        }
        let inherits = entry.links().iter().any(|l| {
            matches!(
                l.kind,
                crate::bib::LinkKind::Crossref | crate::bib::LinkKind::Xdata
            )
        });
        let inherited = inherits.then(|| {
            inherited.read(bib, sources, id);
            &*inherited
        });
        EntryView {
            entry,
            key: bib.key(entry),
            fields,
            first,
            data_type: datamodel::entry_type(entry.kind()),
            inherited,
            misspellings_reported,
        }
    }

    /// The index in `fields` of the first field that stands for this
    /// data-model field.
    fn first(&self, canonical: &str) -> Option<usize> {
        first_of(&self.first, canonical)
    }

    /// A finding about this entry.
    fn finding(&self, code: Code, message: String, span: Span) -> Diagnostic {
        Diagnostic::new(code, message, self.entry.file, span).with_key(self.key)
    }

    /// The entry's own field of this (lower-case) name.
    fn own(&self, name: &str) -> Option<&FieldRef<'a>> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Whether a field is written, inherited ones included.
    fn is_written(&self, name: &str) -> bool {
        match self.inherited {
            Some(fields) => fields.find(name).is_some(),
            None => self.own(name).is_some(),
        }
    }

    /// Whether a field is set to something, inherited ones included.
    fn is_set(&self, name: &str) -> bool {
        match self.inherited {
            Some(fields) => fields.find(name) == Some(true),
            None => self.own(name).is_some_and(|f| !f.value.trim().is_empty()),
        }
    }
}

/// The fields of an entry that inherits (through `crossref` or `@xdata`),
/// as the rules ask about them: each name once, the first written winning
/// as in biber ([`fields::walk`]), and whether its value is set. Kept by a
/// worker from entry to entry: no string or map is made per field (a
/// whole [`fields::collect`] made two strings for each of some 20 fields).
#[derive(Default)]
struct Inherited {
    /// The names, one after another.
    names: String,
    /// Each name's end in `names`, its hash, and whether it is set.
    seen: Vec<(usize, u64, bool)>,
}

impl Inherited {
    /// Reads the fields of entry `id`.
    fn read(&mut self, bib: &Bibliography, sources: &SourceMap, id: EntryId) {
        self.names.clear();
        self.seen.clear();
        fields::walk(bib, sources, id, &mut |name, field| {
            if self.find(name).is_none() {
                let set = !field.text().trim().is_empty();
                self.names.push_str(name);
                self.seen.push((self.names.len(), name_hash(name), set));
            }
        });
    }

    /// Whether the field is written, and if so whether it is set.
    fn find(&self, name: &str) -> Option<bool> {
        let hash = name_hash(name);
        let mut start = 0;
        for &(end, seen_hash, set) in &self.seen {
            if seen_hash == hash && &self.names[start..end] == name {
                return Some(set);
            }
            start = end;
        }
        None
    }
}

fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name)
}

/// The findings of one entry on its own, and what identifies it for
/// `duplicate-entry`.
fn check_entry(
    bib: &Bibliography,
    sources: &SourceMap,
    id: EntryId,
    plan: &Plan,
    buffers: &mut Buffers,
) -> (Vec<Diagnostic>, Marks) {
    let entry = bib.entry(id);
    // A broken entry has its own syntax error; a second definition of a
    // key is skipped by biber and reported as a duplicate key. An entry
    // read as CSL data has no BibLaTeX fields for these rules to read.
    if entry.broken || entry.duplicate_of().is_some() || entry.csl().is_some() {
        return (Vec::new(), Marks::default());
    }
    let (view, identity_buffers) = buffers.view(bib, sources, id, plan);
    let mut out = Vec::new();
    for rule in &plan.entry_rules {
        rule(&view, &mut out);
    }
    if !plan.value_rules.is_empty() {
        check_values(&view, plan, &mut out);
    }
    let marks = if plan.duplicate_entries {
        view_identities(&view, identity_buffers).marks()
    } else {
        Marks::default()
    };
    let EntryView {
        fields: used_fields,
        first: mut used_first,
        ..
    } = view;
    used_first.clear();
    (buffers.fields, buffers.first) = (recycled(used_fields), used_first);
    (out, marks)
}

/// The whole identities of an entry the way [`check_entry`] works them
/// out, for `duplicate-entry` to compare two entries whose marks meet.
fn identities_of(
    bib: &Bibliography,
    sources: &SourceMap,
    id: EntryId,
    plan: &Plan,
    buffers: &mut Buffers,
) -> Identities {
    let (view, identity_buffers) = buffers.view(bib, sources, id, plan);
    view_identities(&view, identity_buffers)
}

/// The identities of the entry `view` reads.
fn view_identities(view: &EntryView, buffers: &mut duplicates::Buffers) -> Identities {
    let value = |name: &str| {
        view.own(name)
            .map(|f| f.value.as_ref())
            .filter(|v| !v.trim().is_empty())
    };
    duplicates::identities(view.entry, value, buffers)
}

/// The value rules, on each field they read.
fn check_values(view: &EntryView, plan: &Plan, out: &mut Vec<Diagnostic>) {
    for f in view.fields.iter().filter(|f| f.is_checked()) {
        let Some(rules) = plan.value_rules.get(f.canonical.unwrap_or(f.name)) else {
            continue;
        };
        let value = f.value.trim();
        for rule in rules {
            if let Some((message, help)) = (rule.check)(value) {
                out.push(
                    view.finding(
                        rule.code,
                        format!("in `{}`: {message}", view.key),
                        f.field.value_span(),
                    )
                    .with_help_opt(help),
                );
            }
        }
    }
}

fn first_of(first: &[(&'static str, usize)], canonical: &str) -> Option<usize> {
    first
        .iter()
        .find(|(c, _)| *c == canonical)
        .map(|&(_, at)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The point of recycling: the list handed to the next entry is the
    /// one the last entry used, not a new allocation.
    #[test]
    fn a_recycled_list_keeps_its_allocation() {
        let list: Vec<FieldRef<'_>> = Vec::with_capacity(16);
        let at = list.as_ptr() as usize;
        let again: Vec<FieldRef<'static>> = recycled(list);
        assert_eq!((again.as_ptr() as usize, again.capacity()), (at, 16));
        assert!(again.is_empty());
    }

    /// The workers' findings are gathered in one list, run by run: the
    /// list is in entry order, whatever runs the workers took.
    #[test]
    fn findings_come_in_entry_order() {
        use crate::bib::BibInput;
        use crate::source::{FileRole, SourceFile};
        // Each entry lacks its title: one finding each.
        let text: String = (0..20_000)
            .map(|i| format!("@book{{k{i}, author = {{A}}, date = 2000}}\n"))
            .collect();
        let mut sources = SourceMap::new();
        let file = sources.add(SourceFile::new(
            "refs.bib".into(),
            FileRole::Bibliography,
            text.clone(),
        ));
        let (bib, _) = Bibliography::read(&[BibInput::bib(file, text.as_str())]);
        let found = check(&bib, &sources, &RuleSet::default());
        let keys: Vec<&str> = found.iter().filter_map(|d| d.key.as_deref()).collect();
        let in_order: Vec<String> = (0..20_000).map(|i| format!("k{i}")).collect();
        assert_eq!(keys, in_order);
    }
}
