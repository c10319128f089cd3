//! Reading graphs: bytes or a path in, a valid [`Model`] or every problem
//! found out.
//!
//! **Invariant:** a [`Model`] that leaves this module satisfies every
//! validation rule of `exposure-graph/1`; nothing downstream re-checks them.
//! The one exception is the model [`from_path_then`] lends its `then`
//! while the rules across records are checked: every record read and
//! every id resolved, no rule across records assumed.
//! Loading never panics on user data and never stops at the first problem.

pub mod csv;
mod intern;
mod json;
mod locate;
pub(crate) mod packed;
mod records;
mod segments;
mod split;
mod validate;
mod values;

pub use json::Addition;
pub use records::Seed;
pub use validate::appended::{Appending, Loaded, Onto};

use std::fmt;
use std::path::Path;

use crate::model::Model;
use crate::parallel::both;

/// How many problems are kept; the rest are only counted.
pub const MAX_PROBLEMS: usize = 1000;

/// Where in the file a problem is.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    /// The file as a whole (unreadable, not UTF-8, ...).
    File,
    /// A JSON line and column (1-based), for syntax and type errors.
    Position { line: usize, column: usize },
    /// The top-level `format` field.
    Format,
    /// The `meta` object.
    Meta,
    /// `entities[index]`, with its id when it has one.
    Entity { index: usize, id: Option<String> },
    /// `relationships[index]`, described as `TYPE FROM -> TO`.
    Relationship { index: usize, label: String },
    /// `listings[index]`, with its entity id when it has one.
    Listing {
        index: usize,
        entity: Option<String>,
    },
    /// `segments[index]`, with its seller's id and its name when known.
    Segment {
        index: usize,
        seller: Option<String>,
        name: Option<String>,
    },
    /// A file of the CSV form: the line its row starts on (none for the
    /// file as a whole), the column when the problem is in one cell, and
    /// the record (`id "a"`, `supplies a -> b`) when it is known.
    Csv {
        file: &'static str,
        line: Option<u64>,
        column: Option<String>,
        record: Option<String>,
    },
}

/// An id or label as shown in a message: at most 80 characters, so that a
/// runaway id (a whole paragraph pasted into a cell) keeps messages short.
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        None => s.into(),
        Some((cut, _)) => format!("{}…", &s[..cut]).into(),
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::File => f.write_str("file"),
            Place::Position { line, column } => write!(f, "line {line}, column {column}"),
            Place::Format => f.write_str("format"),
            Place::Meta => f.write_str("meta"),
            Place::Entity {
                index,
                id: Some(id),
            } => write!(f, "entities[{index}] (id {:?})", shown(id)),
            Place::Entity { index, id: None } => write!(f, "entities[{index}]"),
            Place::Relationship { index, label } => {
                write!(f, "relationships[{index}] ({})", shown(label))
            }
            Place::Listing {
                index,
                entity: Some(e),
            } => write!(f, "listings[{index}] (entity {:?})", shown(e)),
            Place::Listing {
                index,
                entity: None,
            } => write!(f, "listings[{index}]"),
            Place::Segment {
                index,
                seller,
                name,
            } => {
                write!(f, "segments[{index}] (")?;
                match seller {
                    Some(s) => write!(f, "{}, ", shown(s))?,
                    None => f.write_str("?, ")?,
                }
                match name {
                    Some(n) => write!(f, "{:?})", shown(n)),
                    None => f.write_str("?)"),
                }
            }
            Place::Csv {
                file,
                line,
                column,
                record,
            } => {
                f.write_str(file)?;
                if let Some(line) = line {
                    write!(f, " line {line}")?;
                }
                if let Some(column) = column {
                    write!(f, ", column {column:?}")?;
                }
                if let Some(record) = record {
                    write!(f, " ({record})")?;
                }
                Ok(())
            }
        }
    }
}

/// One problem: where, and what.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub place: Place,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// The problems of one graph, in file order within each rule.
#[derive(Clone, Debug, Default)]
pub struct Problems {
    pub list: Vec<Diagnostic>,
    /// Problems found beyond [`MAX_PROBLEMS`].
    pub more: usize,
}

impl Problems {
    pub fn push(&mut self, place: Place, message: impl Into<String>) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(Diagnostic {
                place,
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn count(&self) -> usize {
        self.list.len() + self.more
    }
}

/// A graph that could not be loaded: what it was, and every problem found.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {} problem{} found", .problems.count(), if .problems.count() == 1 { "" } else { "s" })]
pub struct LoadError {
    /// The path, or a name for the built-in graph.
    pub origin: String,
    pub problems: Problems,
}

/// Parses and validates `exposure-graph/1` JSON.
///
/// # Complexity
/// O(bytes + entities + relationships · α), one pass for syntax and types,
/// one for the rules that span records.
pub fn from_json(bytes: &[u8]) -> Result<Model, Problems> {
    from_json_then(bytes, |_| ()).map(|(model, ())| model)
}

/// [`from_json`], running `then` on the model while it is validated (see
/// [`from_path_then`]).
fn from_json_then<T: Send>(
    bytes: &[u8],
    then: impl FnOnce(&Model) -> T + Send,
) -> Result<(Model, T), Problems> {
    let bytes = without_bom(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let (line, column) = locate::line_column(bytes, e.valid_up_to());
            let mut problems = Problems::default();
            problems.push(
                Place::Position { line, column },
                "the file is not valid UTF-8; save it as UTF-8 text",
            );
            return Err(problems);
        }
    };
    let mut problems = Problems::default();
    let model = json::parse(text, &mut problems);
    let Some(model) = model else {
        return Err(problems);
    };
    checked_then(model, problems, then)
}

/// [`from_json`], taking the bytes: a large file is parsed in two parts at
/// once (`split.rs`), and the bytes are freed as soon as they are no longer
/// needed. The result is the same.
pub fn from_json_owned(bytes: Vec<u8>) -> Result<Model, Problems> {
    from_json_owned_then(bytes, |_| ()).map(|(model, ())| model)
}

/// [`from_json_owned`], running `then` on the model while it is validated
/// (see [`from_path_then`]).
fn from_json_owned_then<T: Send>(
    mut bytes: Vec<u8>,
    then: impl FnOnce(&Model) -> T + Send,
) -> Result<(Model, T), Problems> {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => return from_json_then(e.as_bytes(), then),
    };
    match split::parse(text, split::MIN_LEN) {
        Ok(model) => checked_then(model, Problems::default(), then),
        Err(text) => from_json_then(text.as_bytes(), then),
    }
}

/// The UTF-8 byte order mark that Windows editors put before the text.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading byte order mark: it is not part of the text.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// `model` after the checks across records, or every problem; with
/// `then`'s result on it, run on a second thread during the checks when
/// the records were read without a problem (`then` needs every id
/// resolved), and dropped when a check fails.
fn checked_then<T: Send>(
    model: Model,
    mut problems: Problems,
    then: impl FnOnce(&Model) -> T + Send,
) -> Result<(Model, T), Problems> {
    if !problems.is_empty() {
        validate::check(&model, &mut problems);
        return Err(problems);
    }
    let (done, ()) = both(|| then(&model), || validate::check(&model, &mut problems));
    if problems.is_empty() {
        Ok((model, done))
    } else {
        Err(problems)
    }
}

/// Appends a scenario's record to a copy of a valid graph and checks the
/// whole graph again; on problems the copy is of no further use.
///
/// # Complexity
/// O(entities + relationships).
pub fn append(model: &mut Model, addition: Addition<'_>) -> Result<(), Problems> {
    append_seeded(model, None, addition, None)
}

/// [`append`], with the ids and segment names of the model `model` was
/// copied from interned once in `seed` ([`Seed::of`]). With `onto` (that
/// model, and the relationships of it the copy put in a new segment) the
/// record is checked on its own and with the sums it joins, not with the
/// whole graph: `model` must then be that model's rows with records
/// appended only, and hold only the appended relationships (see
/// [`Appending`]).
///
/// # Complexity
/// With `onto`: O(new entities and segments) to intern, O(the seller's
/// sales + appended records) to check a sale, O(relationships) a stake.
pub fn append_seeded(
    model: &mut Model,
    seed: Option<&Seed>,
    addition: Addition<'_>,
    onto: Option<Onto<'_>>,
) -> Result<(), Problems> {
    let mut problems = Problems::default();
    let before = onto.map_or(0, |(loaded, _)| loaded.relationships.len());
    json::append(model, addition, seed, before, &mut problems);
    if problems.is_empty() {
        use validate::appended;
        match onto {
            None => validate::check(model, &mut problems),
            Some(onto) => {
                let copy = Appending::new(model, onto);
                match addition {
                    Addition::Entity(_) => {
                        appended::new_entity(model, model.entities.len() - 1, &mut problems)
                    }
                    Addition::Relationship(_) => {
                        appended::new_relationship(&copy, copy.relationships() - 1, &mut problems)
                    }
                    Addition::Segment(_) => {
                        appended::new_segment(&copy, model.segments.len() - 1, &mut problems)
                    }
                }
            }
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems),
    }
}

/// Rule 13 for segment `s` of `model`, a graph valid but for which edges
/// are in that segment; with `onto` as in [`append_seeded`] (without: the
/// whole graph is checked).
pub fn check_segment(model: &Model, s: usize, onto: Option<Onto<'_>>) -> Result<(), Problems> {
    let mut problems = Problems::default();
    match onto {
        Some(onto) => {
            validate::appended::segment_sum(&Appending::new(model, onto), s, &mut problems)
        }
        None => validate::check(model, &mut problems),
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems),
    }
}

pub use validate::doubts;

/// Checks the rules that span records on a model changed in memory (a
/// scenario's copy).
pub fn check(model: &Model) -> Result<(), Problems> {
    let mut problems = Problems::default();
    validate::check(model, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Reads and validates the graph at `path`: a folder in the CSV form, or
/// else a file, packed (`exposure pack`; told by its first bytes, not its
/// name) or JSON.
pub fn from_path(path: &Path) -> Result<Model, LoadError> {
    from_path_then(path, |_| ()).map(|(model, ())| model)
}

/// [`from_path`], running `then` on the model while its rules across
/// records are checked, on a second thread: a command builds its indexes
/// in the time the checks take. `then` sees every record read and every
/// id resolved, but no rule across records checked yet, so it must not
/// rely on one (a share may be above 1, a sum too large); its result is
/// dropped when a check fails. (A folder in the CSV form is checked
/// first, then `then` runs.)
pub fn from_path_then<T: Send>(
    path: &Path,
    then: impl FnOnce(&Model) -> T + Send,
) -> Result<(Model, T), LoadError> {
    let origin = path.display().to_string();
    let fail = |message: String| {
        let mut problems = Problems::default();
        problems.push(Place::File, message);
        LoadError {
            origin: origin.clone(),
            problems,
        }
    };
    let at_origin = |problems| LoadError {
        origin: origin.clone(),
        problems,
    };
    if path.is_dir() {
        let model = csv::from_folder(path).map_err(at_origin)?;
        let done = then(&model);
        return Ok((model, done));
    }
    let bytes = read_file(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if let Some(message) = csv_file_of_a_folder(path, &bytes) {
        return Err(fail(message));
    }
    if packed::is_packed(&bytes) {
        let model = packed::read(&bytes).map_err(at_origin)?;
        drop(bytes);
        return checked_then(model, Problems::default(), then).map_err(at_origin);
    }
    from_json_owned_then(bytes, then).map_err(at_origin)
}

/// When `path` is one file of the CSV form (its name ends in `.csv` and it
/// does not start like JSON), the message that says to pass its folder:
/// read as JSON, it would fail at its first byte with no hint why.
fn csv_file_of_a_folder(path: &Path, bytes: &[u8]) -> Option<String> {
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let json_like = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{');
    if !csv || json_like {
        return None;
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
        _ => ".".to_string(),
    };
    Some(format!(
        "is a CSV file; a graph in the CSV form is a folder of them: pass the folder that holds it (-g {folder})"
    ))
}

/// The bytes of a file; a large one is read in two halves at once (the
/// copy from the page cache, and the first touch of the new memory, are
/// half the time on two cores).
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut one = std::fs::File::open(path)?;
    let len = one.metadata()?.len();
    let Ok(len) = usize::try_from(len) else {
        return std::fs::read(path);
    };
    if len < split::MIN_LEN {
        return std::fs::read(path);
    }
    let mut two = std::fs::File::open(path)?;
    let mut bytes = vec![0u8; len];
    let half = len / 2;
    let (head, tail) = bytes.split_at_mut(half);
    let (first, second) = crate::parallel::both(
        || one.read_exact(head),
        || {
            two.seek(SeekFrom::Start(half as u64))
                .and_then(|_| two.read_exact(tail))
                // The file must end where its length said.
                .and_then(|()| two.read(&mut [0u8; 1]))
                .map(|more| more == 0)
        },
    );
    let read = first.and(second);
    match read {
        Ok(true) => Ok(bytes),
        // The file changed while it was read: read it again in one go.
        Ok(false) | Err(_) => std::fs::read(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_is_read_whole_in_two_halves() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("big.json");
        let content: Vec<u8> = (0..split::MIN_LEN + 12_345)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        std::fs::write(&path, &content).expect("writing the file");
        assert_eq!(read_file(&path).expect("reading it"), content);
    }

    /// `from_path_then` on the graph `body` (inside a graph object, after
    /// its `format`): the load's result, and whether `then` ran.
    fn then_on(body: &str) -> (Result<(Model, usize), LoadError>, bool) {
        use std::sync::atomic::{AtomicBool, Ordering};
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("g.json");
        let text = format!("{{\"format\": \"exposure-graph/1\", {body}}}");
        std::fs::write(&path, text).expect("writing the file");
        let ran = AtomicBool::new(false);
        let got = from_path_then(&path, |m| {
            ran.store(true, Ordering::Relaxed);
            crate::graph::Net::build(m).n
        });
        let alone = from_path(&path);
        match (&got, &alone) {
            (Ok((a, _)), Ok(b)) => assert_eq!(a.relationships.len(), b.relationships.len()),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("from_path_then and from_path disagree on {body}"),
        }
        (got, ran.load(Ordering::Relaxed))
    }

    const ENTITIES: &str = r#""entities": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]"#;

    #[test]
    fn then_runs_beside_the_checks_and_its_result_comes_back() {
        let (got, ran) = then_on(&format!(
            r#"{ENTITIES}, "relationships": [{{"type": "supplies", "from": "a", "to": "b", "share": 0.4}}]"#
        ));
        let (model, n) = got.expect("a valid graph");
        assert!(ran);
        assert_eq!(n, model.entities.len());
    }

    #[test]
    fn then_on_a_graph_that_breaks_a_rule_runs_without_harm_and_is_dropped() {
        // Shares of one seller adding up to 1.5: read fine, refused by the
        // checks across records, while `then` builds a net of it.
        let (got, ran) = then_on(&format!(
            r#"{ENTITIES}, "relationships": [{{"type": "supplies", "from": "a", "to": "b", "share": 0.9}},
               {{"type": "supplies", "from": "a", "to": "b", "share": 0.6}}]"#
        ));
        assert!(ran);
        let err = got.expect_err("shares above 1 are refused");
        assert!(err.problems.count() > 0);
    }

    #[test]
    fn then_does_not_run_when_a_record_could_not_be_read() {
        // An unknown id leaves an edge without its buyer: `then` would
        // see an unresolved index.
        let (got, ran) = then_on(&format!(
            r#"{ENTITIES}, "relationships": [{{"type": "supplies", "from": "a", "to": "zz", "share": 0.4}}]"#
        ));
        assert!(got.is_err());
        assert!(!ran);
    }
}
