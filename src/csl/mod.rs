//! The References in a CSL style: [`mapping`] turns a BibLaTeX entry into
//! CSL data (the one mapping, also exported as CSL-JSON; entries read as
//! CSL data come through [`from_data`]), and [`engine`]
//! formats that data with hayagriva, with refkeeper's own sorting
//! (`sort`), disambiguation (`disambiguate`) and the style rewrites
//! that make hayagriva follow CSL where it does not ([`style_fixes`]).
//!
//! # What the engine works around
//!
//! The style rewrites are rows of [`style_fixes::FIXES`]. The engine's own
//! workarounds of hayagriva 0.10.1, with the behaviour (hayagriva's source
//! file and function) and the upstream issue where one exists:
//!
//! | workaround | hayagriva behaviour | upstream |
//! |---|---|---|
//! | disambiguation and year suffixes done by refkeeper (`disambiguate`) | `src/csl/mod.rs::disambiguate_year_suffix` gives suffixes in citation order; `SpeculativeCiteProperties::for_bibliography` lets expanded cite names into the bibliography | [#469](https://github.com/typst/hayagriva/issues/469), [#209](https://github.com/typst/hayagriva/issues/209) |
//! | a failed render retried entry by entry (`engine::Engine::render`) | `src/csl/mod.rs::disambiguate_names` can index past a shorter name list and panic | none found |
//! | `subsequent-author-substitute` done by refkeeper (`engine::post`) | `src/csl/mod.rs::substitute_subsequent_authors` compares printed names within one run; refkeeper renders in chunks and compares names as written, as citeproc-js does | none found |
//! | refkeeper's sort (`sort`) and chunked runs (`engine::batch`) | `src/csl/sort.rs::cmp_entries` renders macro keys on every comparison, keeps the "and" term and compares punctuation; `BibliographyDriver::finish` looks up citation numbers linearly | none found |
//! | date ranges rendered twice and merged (`engine::post`) | `src/types/time.rs::Date` has no end | [#75](https://github.com/typst/hayagriva/issues/75) |
//! | formatting, protected words, name parts and quotes carried as markers (`engine::markup`) | `src/types/strings.rs::ChunkKind` has no rich text; `src/lang/mod.rs::CaseFolder` lower-cases inside mixed-case words and after `/`; `src/csl/mod.rs::Context::push_str` merges a title's quotes with the style's | none found |
//! | name particles and initials (`engine::entry`) | `src/types/persons.rs::Person::name_particle` takes capitalised particles ("Della Porta"); `Person::initials` splits "J.-Ch." and keeps "Jae-nam" whole | [#382](https://github.com/typst/hayagriva/issues/382) |
//! | equal page ends (`engine::entry`) | citationberg's `PageRangeFormat::format` and hayagriva's `PageRanges::is_plural` read "218-218" as one page | none found |
//! | punctuation tidied (`engine::flatten::tidy`) | no collapse of doubled punctuation (",.") and no flipping of nested quotes | [#466](https://github.com/typst/hayagriva/issues/466), [#327](https://github.com/typst/hayagriva/issues/327) |

mod disambiguate;
pub mod engine;
pub mod from_data;
pub mod mapping;
mod sort;
pub mod style_fixes;
