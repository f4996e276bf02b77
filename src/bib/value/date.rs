//! Dates as BibLaTeX writes them: ISO 8601 / EDTF level 1 in `date`,
//! `urldate` and friends (`2007`, `2007-11`, `2007-11-15`, ranges
//! `2007/2008`, open ranges `2007/` and `/2008`, `?` uncertain, `~`
//! approximate, seasons `2007-21`), and the older `year` + `month` pair.
//! A value that cannot be read is an error with a message, never a
//! silent "n.d.".

/// One calendar date, as precise as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatePart {
    /// The year (negative before the common era).
    pub year: i32,
    /// 1-12.
    pub month: Option<u8>,
    /// 1-31.
    pub day: Option<u8>,
    /// 1 spring, 2 summer, 3 autumn, 4 winter (EDTF 21-24).
    pub season: Option<u8>,
    /// Uncertain (`?`) or approximate (`~`, `%`).
    pub approximate: bool,
}

/// A date or a range of dates; either end of a range may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateValue {
    /// One date.
    Single(DatePart),
    /// A range; an end is `None` when open (`2007/`, `/2008`).
    Range(Option<DatePart>, Option<DatePart>),
}

impl DateValue {
    /// The first date, used for sorting and for engines without ranges.
    pub fn start(&self) -> Option<DatePart> {
        match self {
            DateValue::Single(d) => Some(*d),
            DateValue::Range(start, end) => start.or(*end),
        }
    }

    /// The last date of a closed range with two different ends.
    pub fn end(&self) -> Option<DatePart> {
        match self {
            DateValue::Range(Some(start), Some(end)) if start != end => Some(*end),
            _ => None,
        }
    }
}

/// Parses a `date`-like field.
pub fn parse(text: &str) -> Result<DateValue, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the date is empty".to_owned());
    }
    match text.split_once('/') {
        None => part(text).map(DateValue::Single),
        Some((start, end)) => {
            let open = |s: &str| s.is_empty() || s == "..";
            let start = if open(start) {
                None
            } else {
                Some(part(start)?)
            };
            let end = if open(end) { None } else { Some(part(end)?) };
            if start.is_none() && end.is_none() {
                return Err(format!("`{text}` has no date on either side of `/`"));
            }
            if let (Some(a), Some(b)) = (start, end)
                && (b.year, b.month.unwrap_or(0), b.day.unwrap_or(0))
                    < (a.year, a.month.unwrap_or(0), a.day.unwrap_or(0))
            {
                return Err(format!("`{text}` ends before it starts"));
            }
            Ok(DateValue::Range(start, end))
        }
    }
}

/// One EDTF date: `[-]YYYY[-MM[-DD]]` with an optional time and markers.
fn part(text: &str) -> Result<DatePart, String> {
    let mut approximate = false;
    let mut core = text.trim();
    while let Some(stripped) = core.strip_suffix(['?', '~', '%']) {
        approximate = true;
        core = stripped;
    }
    // A time of day (`2007-11-15T10:00:00`) does not show in references.
    if let Some((date, _time)) = core.split_once('T') {
        core = date;
    }
    let (negative, digits) = match core.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, core),
    };
    let mut fields = digits.split('-');
    let year_text = fields.next().unwrap_or_default();
    let invalid = || {
        format!(
            "`{text}` is not a date BibLaTeX reads (use YYYY, YYYY-MM or YYYY-MM-DD, ranges as YYYY/YYYY)"
        )
    };
    if year_text.len() < 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let mut year: i32 = year_text.parse().map_err(|_| invalid())?;
    if negative {
        year = -year;
    }
    let mut date = DatePart {
        year,
        month: None,
        day: None,
        season: None,
        approximate,
    };
    if let Some(month_text) = fields.next() {
        let month = two_digits(month_text).ok_or_else(invalid)?;
        match month {
            1..=12 => date.month = Some(month),
            21..=24 => date.season = Some(month - 20),
            _ => return Err(format!("`{text}`: there is no month {month}")),
        }
    }
    if let Some(day_text) = fields.next() {
        let day = two_digits(day_text).ok_or_else(invalid)?;
        let month = date.month.ok_or_else(invalid)?;
        if day == 0 || day > days_in_month(year, month) {
            return Err(format!("`{text}`: there is no day {day} in month {month}"));
        }
        date.day = Some(day);
    }
    if fields.next().is_some() {
        return Err(invalid());
    }
    Ok(date)
}

fn two_digits(text: &str) -> Option<u8> {
    (text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The older `year` and `month` fields. `month` may be a number or an
/// English month name or abbreviation (`jan` as BibTeX's macro expands).
pub fn from_year_month(year: &str, month: Option<&str>) -> Result<DateValue, String> {
    let year = year.trim();
    let mut value = parse(year).map_err(|_| format!("`year = {{{year}}}` is not a year"))?;
    if let Some(month) = month.map(str::trim).filter(|m| !m.is_empty()) {
        let number =
            month_number(month).ok_or_else(|| format!("`month = {{{month}}}` is not a month"))?;
        if let DateValue::Single(part) = &mut value {
            part.month = Some(number);
        }
    }
    Ok(value)
}

pub(crate) fn month_number(month: &str) -> Option<u8> {
    if let Ok(n) = month.parse::<u8>() {
        return (1..=12).contains(&n).then_some(n);
    }
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = month.trim_end_matches('.').to_lowercase();
    NAMES
        .iter()
        .position(|name| lower.len() >= 3 && name.starts_with(&lower))
        .map(|i| i as u8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: Option<u8>, day: Option<u8>) -> DatePart {
        DatePart {
            year,
            month,
            day,
            season: None,
            approximate: false,
        }
    }

    #[test]
    fn precisions_and_ranges() {
        assert_eq!(
            parse("2007").unwrap(),
            DateValue::Single(d(2007, None, None))
        );
        assert_eq!(
            parse("2007-11").unwrap(),
            DateValue::Single(d(2007, Some(11), None))
        );
        assert_eq!(
            parse("2007-11-15").unwrap(),
            DateValue::Single(d(2007, Some(11), Some(15)))
        );
        let range = parse("2007/2008").unwrap();
        assert_eq!(
            range,
            DateValue::Range(Some(d(2007, None, None)), Some(d(2008, None, None)))
        );
        assert_eq!(range.start().unwrap().year, 2007);
        assert_eq!(range.end().unwrap().year, 2008);
        assert_eq!(
            parse("2007/").unwrap(),
            DateValue::Range(Some(d(2007, None, None)), None)
        );
        assert_eq!(
            parse("../2008").unwrap(),
            DateValue::Range(None, Some(d(2008, None, None)))
        );
    }

    #[test]
    fn markers_seasons_times_and_negative_years() {
        assert!(parse("2007?").unwrap().start().unwrap().approximate);
        assert!(parse("2007-11~").unwrap().start().unwrap().approximate);
        assert_eq!(parse("2007-21").unwrap().start().unwrap().season, Some(1));
        assert_eq!(
            parse("2007-11-15T10:30:00").unwrap().start().unwrap().day,
            Some(15)
        );
        assert_eq!(parse("-0044-03-15").unwrap().start().unwrap().year, -44);
    }

    #[test]
    fn what_biblatex_would_not_accept_is_an_error() {
        for bad in [
            "circa 2002",
            "2001-13-45",
            "2001-02-30",
            "07",
            "2007/2006",
            "2007-1",
            "",
            "/",
        ] {
            assert!(parse(bad).is_err(), "{bad} should fail");
        }
        assert_eq!(
            parse("2001-13").unwrap_err(),
            "`2001-13`: there is no month 13"
        );
        assert!(parse("2000-02-29").is_ok() && parse("1900-02-29").is_err());
    }

    #[test]
    fn year_and_month_fields() {
        assert_eq!(
            from_year_month("2007", Some("11")).unwrap(),
            DateValue::Single(d(2007, Some(11), None))
        );
        assert_eq!(
            from_year_month("2007", Some("Nov."))
                .unwrap()
                .start()
                .unwrap()
                .month,
            Some(11)
        );
        assert_eq!(
            from_year_month("2007", Some("September"))
                .unwrap()
                .start()
                .unwrap()
                .month,
            Some(9)
        );
        assert!(from_year_month("2007a", None).is_err());
        assert!(from_year_month("2007", Some("Smarch")).is_err());
    }
}
