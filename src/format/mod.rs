//! The References section: bibliography entries formatted in a CSL style.
pub mod case;
pub mod csl;
pub mod date;
pub mod disambiguate;
pub mod engine;
pub mod latex;
pub mod names;
pub mod output;
pub mod section;
pub mod sort;
pub mod style_fixes;
