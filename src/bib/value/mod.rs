//! What a BibLaTeX field value means: LaTeX turned into text with
//! formatting ([`latex`]), name lists ([`names`]), dates ([`date`]) and the
//! sentence case of English titles ([`case`]); and CSL data's markup
//! ([`markup`]). Both the checks (a date
//! biblatex would not read, `et al.` in a name list) and the CSL mapping
//! read values through these.

pub mod bibstrings;
pub mod case;
pub mod date;
pub mod latex;
pub mod markup;
pub mod names;
