//! refkeeper: keeps the references of a manuscript honest.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod bib;
pub mod diagnostic;
pub mod scan;
pub mod source;
