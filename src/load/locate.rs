//! Paths to values (`entities[3].share`): how one is written in a message,
//! and the line and column of the value it leads to, for the messages
//! about fields of the wrong type.
//!
//! Knows JSON text only as bytes: it parses nothing and builds no records.
//! The scanner runs only when such a field was found, on text that
//! serde_json has already accepted as JSON, so it skips values without
//! checking them. It loops instead of recursing: nesting depth costs no
//! stack.

/// A step of the path to a value: an object key or an array index.
#[derive(Clone, Copy, Debug)]
pub(super) enum Seg {
    Key(&'static str),
    Index(usize),
}

/// A path as messages write it: `entities[3].aliases[1]`.
pub(super) fn render(path: &[Seg]) -> String {
    let mut shown = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(k);
            }
            Seg::Index(i) => shown.push_str(&format!("[{i}]")),
        }
    }
    shown
}

/// The 1-based line and column (counted in bytes, as serde_json does) of
/// byte `offset`.
pub(super) fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, offset - line_start + 1)
}

/// The line and column of the value at `path`, or of the innermost value
/// of the path that could be found.
pub(super) fn path_position(text: &str, path: &[Seg]) -> (usize, usize) {
    let b = text.as_bytes();
    let mut at = skip_ws(b, 0);
    for seg in path {
        match find(b, at, *seg) {
            Some(next) => at = next,
            None => break,
        }
    }
    line_column(b, at)
}

/// The line and column of the second occurrence of `key` among the keys
/// of the object at `path` (of the object itself when there is none).
pub(super) fn repeated_key_position(text: &str, path: &[Seg], key: &str) -> (usize, usize) {
    let b = text.as_bytes();
    let mut at = skip_ws(b, 0);
    for seg in path {
        match find(b, at, *seg) {
            Some(next) => at = next,
            None => return line_column(b, at),
        }
    }
    let object = at;
    if b.get(at) != Some(&b'{') {
        return line_column(b, object);
    }
    let mut i = skip_ws(b, at + 1);
    let mut count = 0;
    while b.get(i) == Some(&b'"') {
        let end = skip_string(b, i);
        let name = &b[i + 1..end.saturating_sub(1).max(i + 1)];
        if name == key.as_bytes() {
            count += 1;
            if count == 2 {
                return line_column(b, i);
            }
        }
        i = skip_ws(b, end);
        if b.get(i) != Some(&b':') {
            break;
        }
        i = skip_ws(b, skip_value(b, skip_ws(b, i + 1)));
        if b.get(i) != Some(&b',') {
            break;
        }
        i = skip_ws(b, i + 1);
    }
    line_column(b, object)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The end of the string starting at `i` (which is a `"`), past the quote.
fn skip_string(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// The end of the value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> usize {
    let mut depth = 0usize;
    let mut i = i;
    loop {
        if i >= b.len() {
            return i;
        }
        match b[i] {
            b'"' => i = skip_string(b, i),
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
        if depth == 0 {
            // A scalar ends at the next delimiter.
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                if b[i] == b'"' {
                    break;
                }
                i += 1;
            }
            return i;
        }
    }
}

/// The start of the member `seg` of the container starting at `at`.
fn find(b: &[u8], at: usize, seg: Seg) -> Option<usize> {
    let open = *b.get(at)?;
    let mut i = skip_ws(b, at + 1);
    match (seg, open) {
        (Seg::Key(key), b'{') => loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let end = skip_string(b, i);
            let name = &b[i + 1..end.saturating_sub(1).max(i + 1)];
            i = skip_ws(b, end);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = skip_ws(b, i + 1);
            if name == key.as_bytes() {
                return Some(i);
            }
            i = skip_ws(b, skip_value(b, i));
            if b.get(i) != Some(&b',') {
                return None;
            }
            i = skip_ws(b, i + 1);
        },
        (Seg::Index(n), b'[') => {
            for _ in 0..n {
                i = skip_ws(b, skip_value(b, i));
                if b.get(i) != Some(&b',') {
                    return None;
                }
                i = skip_ws(b, i + 1);
            }
            Some(i)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_nested_field_by_path() {
        let text = "{\n \"entities\": [\n  {\"id\": \"a\", \"x\": [1, {\"y\": \"}\"}]},\n  {\"id\": \"b\", \"revenue\": \"lots\"}\n ]\n}";
        let path = [Seg::Key("entities"), Seg::Index(1), Seg::Key("revenue")];
        assert_eq!(path_position(text, &path), (4, 26));
    }

    #[test]
    fn a_path_is_written_with_dots_and_brackets() {
        let path = [
            Seg::Key("entities"),
            Seg::Index(3),
            Seg::Key("aliases"),
            Seg::Index(1),
        ];
        assert_eq!(render(&path), "entities[3].aliases[1]");
        assert_eq!(render(&[Seg::Index(2), Seg::Key("x")]), "[2].x");
    }

    #[test]
    fn counts_lines_and_columns_from_one() {
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_column(b"ab", 0), (1, 1));
    }
}
