//! The rule set of a run: for each code, whether its check runs and what
//! severity its findings get, and which entries' findings are ignored. Built
//! once from the configuration (as cargo-deny resolves its lint levels);
//! the checks ask it whether a code is on, so a rule that is off does not
//! run at all.

use std::collections::HashMap;

use super::AllowList;
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Level, Severity};
use crate::findings::{Findings, UnusedEntries};
use crate::source::SourceMap;

/// Levels and ignore lists per code.
#[derive(Debug, Clone)]
pub struct RuleSet {
    levels: HashMap<Code, Level>,
    /// Per code, the entry keys (or patterns) whose findings are not
    /// reported; `allow-unused` is `unused-entry`'s list.
    ignore: HashMap<Code, AllowList>,
    /// Whether help lines may point at refkeeper.toml (not under
    /// `--no-config`).
    config_in_use: bool,
}

impl Default for RuleSet {
    /// Every code at its default level, nothing ignored.
    fn default() -> RuleSet {
        RuleSet::from_config(&Config::default())
    }
}

impl RuleSet {
    /// The rules a configuration sets: its `[check.levels]` over the
    /// codes' defaults, its `[check.ignore]`, and `allow-unused` as the
    /// ignore list of `unused-entry`.
    pub fn from_config(config: &Config) -> RuleSet {
        let mut ignore = config.ignore.clone();
        let unused = ignore.entry(Code::UnusedEntry).or_default();
        *unused = unused.union(&config.allow_unused);
        RuleSet {
            levels: config.levels.clone(),
            ignore,
            config_in_use: !config.ignored,
        }
    }

    /// Whether help lines may point at refkeeper.toml: not when the run
    /// ignores configuration files (`--no-config`).
    pub fn config_in_use(&self) -> bool {
        self.config_in_use
    }

    /// The level of a code: configured, or its default.
    pub fn level(&self, code: Code) -> Level {
        self.levels
            .get(&code)
            .copied()
            .unwrap_or_else(|| code.default_level())
    }

    /// Whether a code's findings are reported at all; a check whose codes
    /// are all off is not run.
    pub fn is_on(&self, code: Code) -> bool {
        self.level(code) != Level::Allow
    }

    /// Whether findings of `code` about the entry (or key) `key` are ignored.
    pub fn ignores(&self, code: Code, key: &str) -> bool {
        self.ignore.get(&code).is_some_and(|keys| keys.allows(key))
    }

    /// Applies the rules to what the checks found: findings of codes that
    /// are off or keys that are ignored go; a configured level sets the
    /// severity (otherwise a finding keeps the one its check gave it); the
    /// rest is sorted by file path, then position.
    pub fn finish(&self, findings: Vec<Diagnostic>, sources: &SourceMap) -> Vec<Diagnostic> {
        self.finish_ranked(findings, &file_ranks(sources))
    }

    /// [`RuleSet::finish`], the files ranked by [`file_ranks`].
    fn finish_ranked(&self, findings: Vec<Diagnostic>, rank: &[u32]) -> Vec<Diagnostic> {
        let mut findings: Vec<Diagnostic> = findings
            .into_iter()
            .filter_map(|mut d| {
                if d.key
                    .as_deref()
                    .is_some_and(|key| self.ignores(d.code, key))
                {
                    return None;
                }
                let severity: Option<Severity> = match self.levels.get(&d.code) {
                    Some(level) => Some(level.severity()?),
                    None => {
                        d.code.default_level().severity()?;
                        None
                    }
                };
                if let Some(severity) = severity {
                    d.severity = severity;
                }
                Some(d)
            })
            .collect();
        let rank_of = |d: &Diagnostic| rank.get(d.primary.file.0 as usize).copied();
        findings.sort_by(|a, b| {
            (rank_of(a), a.primary.span.start, a.code, &a.key).cmp(&(
                rank_of(b),
                b.primary.span.start,
                b.code,
                &b.key,
            ))
        });
        findings
    }

    /// [`RuleSet::finish`], with the entries `unused-entry` reports kept as
    /// entries: at the severity of its level (none, when it is off), in
    /// the same order. The entries are those the check let through
    /// ([`super::unused`]: the ignore list applied).
    pub(crate) fn finish_with_unused(
        &self,
        findings: Vec<Diagnostic>,
        unused: UnusedEntries,
        sources: &SourceMap,
    ) -> Findings {
        let rank = file_ranks(sources);
        let findings = self.finish_ranked(findings, &rank);
        let Some(severity) = self.level(Code::UnusedEntry).severity() else {
            return Findings::new(findings);
        };
        Findings::with_unused(findings, unused, severity, |file| {
            rank.get(file.0 as usize).copied()
        })
    }
}

/// Each file's place in the order of the paths, by file id: found once,
/// not a path compared component by component in each of a million
/// comparisons.
fn file_ranks(sources: &SourceMap) -> Vec<u32> {
    let mut by_path: Vec<(&std::path::Path, usize)> = (sources.iter())
        .map(|(file, source)| (source.path.as_path(), file.0 as usize))
        .collect();
    by_path.sort_unstable();
    let mut rank = vec![0u32; by_path.len()];
    let mut next = 0;
    for (i, &(path, file)) in by_path.iter().enumerate() {
        if i > 0 && by_path[i - 1].0 != path {
            next += 1;
        }
        rank[file] = next;
    }
    rank
}
