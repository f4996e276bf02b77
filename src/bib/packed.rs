//! Every entry's fields in one list, 8 bytes a field: a 100,000-entry
//! bibliography has close to a million, and a [`RawField`] takes 12.
//!
//! A field is kept as where its value starts, how long the value is and
//! how far before it the name starts; almost every field's value is
//! shorter than 64 KiB and its name close before it. A field that is not
//! (or lies beyond 1 GiB of text) takes two slots, with its whole spans.

use super::parse::{CompactSpan, FLAG, RawField};

/// One slot of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PackedField {
    /// Where the value starts; the top bit says it is a concatenation,
    /// the next one that it is a literal inside delimiters (the flags of
    /// [`RawField`]'s value span).
    value_start: u32,
    value_len: u16,
    /// How many bytes before the value the name starts.
    name_back: u16,
}

/// `value_len` and `name_back` of a slot whose field is in two slots.
const LONG: u16 = u16::MAX;

/// The flag of a literal inside delimiters, in `value_start`.
const DELIMITED: u32 = 1 << 30;

impl PackedField {
    /// Appends `field` to `list`, in one slot or two.
    pub(super) fn push(list: &mut Vec<PackedField>, field: &RawField) {
        match PackedField::one(field) {
            Some(packed) => list.push(packed),
            None => {
                let value = field.value;
                list.extend([
                    PackedField {
                        value_start: field.name_start() as u32,
                        value_len: LONG,
                        name_back: LONG,
                    },
                    PackedField {
                        value_start: value.start,
                        value_len: value.end as u16,
                        name_back: (value.end >> 16) as u16,
                    },
                ]);
            }
        }
    }

    /// `field` in one slot, if it fits in one.
    fn one(field: &RawField) -> Option<PackedField> {
        let value = field.value;
        let start = value.start & !FLAG;
        if start >= DELIMITED {
            return None;
        }
        let value_len = u16::try_from((value.end & !FLAG).checked_sub(start)?).ok()?;
        let name_back = u16::try_from((start as usize).checked_sub(field.name_start())?).ok()?;
        let delimited = if value.end & FLAG != 0 { DELIMITED } else { 0 };
        (value_len < LONG && name_back < LONG).then_some(PackedField {
            value_start: start | (value.start & FLAG) | delimited,
            value_len,
            name_back,
        })
    }
}

/// The fields of some slots, as [`RawField`]s.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    pub(super) slots: std::slice::Iter<'a, PackedField>,
}

impl Iterator for Fields<'_> {
    type Item = RawField;

    fn next(&mut self) -> Option<RawField> {
        let slot = self.slots.next()?;
        if slot.value_len == LONG && slot.name_back == LONG {
            let whole = self.slots.next()?;
            let value = CompactSpan {
                start: whole.value_start,
                end: u32::from(whole.value_len) | (u32::from(whole.name_back) << 16),
            };
            return Some(RawField::at(slot.value_start, value));
        }
        let start = slot.value_start & !(FLAG | DELIMITED);
        let value = CompactSpan {
            start: start | (slot.value_start & FLAG),
            end: (start + u32::from(slot.value_len))
                | if slot.value_start & DELIMITED != 0 {
                    FLAG
                } else {
                    0
                },
        };
        Some(RawField::at(start - u32::from(slot.name_back), value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let slots = self.slots.len();
        (slots.div_ceil(2), Some(slots))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name_start: u32, value: (u32, u32)) -> RawField {
        RawField::at(
            name_start,
            CompactSpan {
                start: value.0,
                end: value.1,
            },
        )
    }

    /// A field comes back as it went in, in one slot or in two, with
    /// its flags.
    #[test]
    fn fields_come_back_as_they_went_in() {
        let fields = [
            field(10, (18, 25)),
            field(30, (38 | FLAG, 50)),
            field(60, (68, 80 | FLAG)),
            // A value of 64 KiB and more, a name far before its value,
            // offsets beyond 1 GiB.
            field(100, (108, (108 + 70_000) | FLAG)),
            field(200_000, (280_000 | FLAG, 280_010)),
            field(DELIMITED + 5, (DELIMITED + 9, (DELIMITED + 20) | FLAG)),
            field(0, (3, 3 + u32::from(LONG) - 1)),
            field(0, (u32::from(LONG) - 1, u32::from(LONG) + 3)),
        ];
        let mut slots = Vec::new();
        for field in &fields {
            PackedField::push(&mut slots, field);
        }
        assert_eq!(slots.len(), fields.len() + 3, "three fields take two slots");
        let read: Vec<RawField> = Fields {
            slots: slots.iter(),
        }
        .collect();
        assert_eq!(read, fields);
    }
}
