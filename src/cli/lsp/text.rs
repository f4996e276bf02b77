//! Positions as the Language Server Protocol counts them: lines, and
//! characters in UTF-16 code units (the protocol's default encoding), from
//! and to the byte offsets refkeeper's spans use.

use lsp_types::{Position, Range};
use refkeeper::source::{SourceFile, Span};

/// The LSP position of a byte offset.
pub fn position(file: &SourceFile, offset: usize) -> Position {
    let mut offset = offset.min(file.text.len());
    while !file.text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = file.line_index(offset);
    let start = file.line_start(line).expect("the line holds the offset");
    let character = file.text[start..offset].encode_utf16().count();
    Position::new(line as u32, character as u32)
}

/// The LSP range of a byte span.
pub fn range(file: &SourceFile, span: &Span) -> Range {
    Range::new(position(file, span.start), position(file, span.end))
}

/// The byte offset of an LSP position (clamped to the line and the text).
pub fn offset(file: &SourceFile, position: Position) -> usize {
    let line = position.line as usize;
    if line >= file.line_count() {
        return file.text.len();
    }
    let line_range = file.line_range(line);
    let mut units = 0u32;
    for (index, c) in file.text[line_range.clone()].char_indices() {
        if units >= position.character {
            return line_range.start + index;
        }
        units += c.len_utf16() as u32;
    }
    line_range.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use refkeeper::source::FileRole;

    #[test]
    fn utf16_columns_round_trip() {
        let file = SourceFile::new(
            "t.md".into(),
            FileRole::Chapter,
            "a\r\n김 😀 @key\nlast".to_owned(),
        );
        let at = file.text.find("@key").unwrap();
        let p = position(&file, at);
        // 김 is one UTF-16 unit, the emoji two: 1 + 1 + 2 + 1 = 5.
        assert_eq!(p, Position::new(1, 5));
        assert_eq!(offset(&file, p), at);
        assert_eq!(offset(&file, Position::new(9, 0)), file.text.len());
        assert_eq!(offset(&file, Position::new(0, 99)), 1);
    }
}
