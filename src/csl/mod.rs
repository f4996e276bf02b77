//! The References in a CSL style: [`mapping`] turns a BibLaTeX entry into
//! CSL data (the one mapping, also exported as CSL-JSON), and [`engine`]
//! formats that data with hayagriva, with refkeeper's own sorting
//! ([`sort`]), disambiguation ([`disambiguate`]) and the style rewrites
//! that make hayagriva follow CSL where it does not ([`style_fixes`]).

pub mod disambiguate;
pub mod engine;
pub mod mapping;
pub mod sort;
pub mod style_fixes;
