//! The CSV form of `exposure-graph/1`: a folder with `entities.csv`,
//! `relationships.csv` and `listings.csv`, and optionally `segments.csv`,
//! `meta.csv` (the `meta` object) and `extra.csv` (unknown top-level
//! fields).
//!
//! Longer than 800 lines for a reason: the reading of files and the
//! mapping of every place back to file, line and column must agree on
//! each file's records, and are kept side by side.
//!
//! Each row becomes a JSON object, typed by its column, and goes through
//! the JSON reader's record seeds into the shared record builder
//! (`records.rs`) by way of `Feed`, so that every check and message is
//! shared; this module only reads cells and maps places back to file,
//! line and column, and decides no rule of the format itself. It reads
//! row by row: memory is the model plus one number per record (the line
//! it starts on).
//!
//! Cells: an empty cell is an absent field; a column named `FIELD:json`
//! holds JSON values (how a converted graph keeps what a plain cell cannot
//! say: an empty string, a list item with a `;`, a nested object).

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::rc::Rc;

use serde_json::{Map, Value};

use serde::de::DeserializeSeed;

use super::json::{Record, RecordSeed};
use super::locate::{self, Seg};
use super::records::Builder;
use super::{validate, Place, Problems};
use crate::model::Model;

/// How a plain (not `:json`) cell of a known field is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// The cell's text, as it is.
    Text,
    /// A finite number (surrounding spaces allowed).
    Number,
    /// Items separated by `;`, each trimmed; empty items are dropped.
    List,
}

/// One file of the CSV form.
#[derive(Debug)]
pub struct Spec {
    pub file: &'static str,
    /// The fields of the format, in its order.
    pub fields: &'static [(&'static str, Cell)],
    /// Columns that must be there.
    pub required: &'static [&'static str],
    /// Whether the file holds one object (one row of values) rather than
    /// one record per row.
    pub single: bool,
}

use Cell::{List, Number, Text};

pub const META: Spec = Spec {
    file: "meta.csv",
    fields: &[
        ("title", Text),
        ("as_of", Text),
        ("currency", Text),
        ("notes", Text),
    ],
    required: &[],
    single: true,
};

pub const ENTITIES: Spec = Spec {
    file: "entities.csv",
    fields: &[
        ("id", Text),
        ("name", Text),
        ("kind", Text),
        ("country", Text),
        ("aliases", List),
        ("ticker", Text),
        ("revenue", Number),
        ("tags", List),
        ("sources", List),
    ],
    required: &["id", "name"],
    single: false,
};

pub const RELATIONSHIPS: Spec = Spec {
    file: "relationships.csv",
    fields: &[
        ("type", Text),
        ("from", Text),
        ("to", Text),
        ("share", Number),
        ("value", Number),
        ("share_min", Number),
        ("share_max", Number),
        ("percent", Number),
        ("product", Text),
        ("confidence", Text),
        ("source", Text),
        ("since", Text),
        ("segment", Text),
    ],
    required: &["type", "from", "to"],
    single: false,
};

pub const LISTINGS: Spec = Spec {
    file: "listings.csv",
    fields: &[
        ("entity", Text),
        ("list", Text),
        ("start", Text),
        ("end", Text),
        ("citation", Text),
        ("reason", Text),
    ],
    required: &["entity", "list"],
    single: false,
};

pub const SEGMENTS: Spec = Spec {
    file: "segments.csv",
    fields: &[
        ("seller", Text),
        ("name", Text),
        ("share_max", Number),
        ("source", Text),
    ],
    required: &["seller", "name", "share_max"],
    single: false,
};

/// Unknown top-level fields of the document, one column each.
pub const EXTRA: Spec = Spec {
    file: "extra.csv",
    fields: &[],
    required: &[],
    single: true,
};

/// Every file a graph in the CSV form may have: what a command reading the
/// folder reads, so what no command may write.
pub const FILES: [&str; 6] = [
    META.file,
    ENTITIES.file,
    RELATIONSHIPS.file,
    LISTINGS.file,
    SEGMENTS.file,
    EXTRA.file,
];

/// The top-level keys `extra.csv` may not use: the document's own.
pub const RESERVED: [&str; 6] = [
    "format",
    "meta",
    "entities",
    "relationships",
    "listings",
    "segments",
];

/// The suffix of a column whose cells are JSON values.
pub const JSON_SUFFIX: &str = ":json";

/// What a header names: the field (known or not) and whether its cells
/// are JSON.
#[derive(Clone, Debug)]
struct Column {
    header: String,
    key: String,
    /// The field's kind when the format knows it.
    known: Option<Cell>,
    json: bool,
    /// For an unknown column, the known field its name is close to.
    near: Option<&'static str>,
}

/// Reads a header cell the way the writer (`save::write_csv`) names
/// columns: `FIELD` or `FIELD:json` for a known field; for an unknown one
/// the header is its name, or its name plus `:json` (always so for a name
/// that itself ends in `:json`). A known field's plain name matches
/// without regard to case and surrounding spaces (`Share `, `REVENUE`), as
/// spreadsheets write them, its `:json` name only exactly; an unknown name
/// is kept exactly as written.
fn column(spec: &Spec, header: &str) -> Column {
    let known = |name: &str| {
        let name = name.trim();
        spec.fields
            .iter()
            .find(|f| f.0.eq_ignore_ascii_case(name))
            .map(|f| (f.0, f.1))
    };
    if let Some((name, cell)) = known(header) {
        return Column {
            header: header.into(),
            key: name.into(),
            known: Some(cell),
            json: false,
            near: None,
        };
    }
    match header.strip_suffix(JSON_SUFFIX) {
        Some(key) => {
            // Exactly as the writer names a known field: any other
            // spelling is an unknown field's (`Country:json` beside
            // `country`), which the writer always writes as JSON.
            let found = spec.fields.iter().find(|f| f.0 == key).map(|f| (f.0, f.1));
            Column {
                header: header.into(),
                key: found.map_or_else(|| key.into(), |f| f.0.into()),
                known: found.map(|f| f.1),
                json: true,
                near: None,
            }
        }
        None => Column {
            header: header.into(),
            key: header.into(),
            known: None,
            json: false,
            near: near_miss(spec, header),
        },
    }
}

/// Whether a plain header `name` reads as a known field of `spec` (case
/// and surrounding spaces aside) that is not spelled exactly so: `save`
/// writes an unknown field of such a name (`Country`, `ID `) as a `:json`
/// column, which reads back as itself.
pub fn reads_as_other_field(spec: &Spec, name: &str) -> bool {
    let trimmed = name.trim();
    spec.fields
        .iter()
        .any(|f| f.0 != name && f.0.eq_ignore_ascii_case(trimmed))
}

/// The known field of `spec` that `header` is a near miss of: an edit
/// distance of 1 or 2 after case and surrounding spaces are set aside, but
/// no more than a third of the field's length, so that a short field
/// (`id`) does not capture unrelated short columns (`cik`).
/// `save` writes an unknown field of such a name as a `:json` column,
/// which reads back as itself.
pub fn near_miss(spec: &Spec, header: &str) -> Option<&'static str> {
    let name = header.trim().to_lowercase();
    spec.fields
        .iter()
        .map(|f| (f.0, strsim::levenshtein(&name, f.0)))
        .filter(|&(field, d)| (1..=2).contains(&d) && d <= (field.len() / 3).max(1))
        .min_by_key(|&(_, d)| d)
        .map(|(field, _)| field)
}

/// Where each record of the arrays starts, to place problems found later.
#[derive(Default)]
struct Lines {
    entities: Vec<u32>,
    relationships: Vec<u32>,
    listings: Vec<u32>,
    segments: Vec<u32>,
    meta: Option<u64>,
    /// The header of each field of each file, for column names in messages.
    headers: [Vec<(String, String)>; 4],
}

/// Reads and validates a graph in the CSV form.
///
/// # Complexity
/// O(bytes + entities + relationships · α): one pass per file, then the
/// same checks as for JSON.
pub fn from_folder(dir: &Path) -> Result<Model, Problems> {
    let mut problems = Problems::default();
    let mut feed = Feed::new();
    let mut lines = Lines::default();
    let mut fatal = false;

    if let Some(found) = open(dir, &META, &mut problems, &mut fatal) {
        let mut meta = None;
        fatal |= read(found, &META, &mut problems, |fields, line, _| {
            meta = Some((fields, line));
        })
        .is_err();
        let (fields, line) = meta.unwrap_or_default();
        lines.meta = (line > 0).then_some(line);
        feed.meta(fields);
    }
    let arrays = [
        (&ENTITIES, Array::Entities),
        (&RELATIONSHIPS, Array::Relationships),
        (&LISTINGS, Array::Listings),
        (&SEGMENTS, Array::Segments),
    ];
    for (k, (spec, array)) in arrays.into_iter().enumerate() {
        let Some(found) = open(dir, spec, &mut problems, &mut fatal) else {
            continue;
        };
        let starts = match array {
            Array::Entities => &mut lines.entities,
            Array::Relationships => &mut lines.relationships,
            Array::Listings => &mut lines.listings,
            Array::Segments => &mut lines.segments,
        };
        let result = read(found, spec, &mut problems, |fields, line, _| {
            starts.push(u32::try_from(line).unwrap_or(u32::MAX));
            feed.record(array, fields);
        });
        match result {
            Ok(columns) => {
                lines.headers[k] = columns.into_iter().map(|c| (c.key, c.header)).collect();
            }
            Err(()) => fatal = true,
        }
    }
    if let Some(found) = open(dir, &EXTRA, &mut problems, &mut fatal) {
        let mut top = Map::new();
        fatal |= read(found, &EXTRA, &mut problems, |fields, _, _| top = fields).is_err();
        feed.top_extra(top);
    }
    if fatal {
        return Err(problems);
    }

    for m in feed.take_mistyped() {
        let (spec, line, k) = match m.array {
            Some(Array::Entities) => (&ENTITIES, line_of(&lines.entities, m.index), 0),
            Some(Array::Relationships) => {
                (&RELATIONSHIPS, line_of(&lines.relationships, m.index), 1)
            }
            Some(Array::Listings) => (&LISTINGS, line_of(&lines.listings, m.index), 2),
            Some(Array::Segments) => (&SEGMENTS, line_of(&lines.segments, m.index), 3),
            None => (&META, lines.meta, usize::MAX),
        };
        let column = m.field.map(|f| header_of(&lines, k, f));
        let place = Place::Csv {
            file: spec.file,
            line,
            column,
            record: None,
        };
        problems.push(place, format!("{} {}", m.shown, m.what));
    }

    let mut found = Problems::default();
    let model = feed.finish(&mut found);
    if let Some(model) = &model {
        validate::check(model, &mut found);
    }
    for d in found.list {
        let (place, message) = relocate(&lines, d.place, d.message);
        problems.push(place, message);
    }
    problems.more += found.more;
    // Problems in file order, then line order (stable: within a row, in
    // the order the checks found them).
    let rank = |p: &Place| match p {
        Place::Csv { file, line, .. } => {
            let k = [
                META.file,
                ENTITIES.file,
                RELATIONSHIPS.file,
                LISTINGS.file,
                SEGMENTS.file,
            ]
            .iter()
            .position(|f| f == file);
            (k.unwrap_or(5), line.unwrap_or(0))
        }
        _ => (6, 0),
    };
    problems.list.sort_by_key(|d| rank(&d.place));
    match model {
        Some(model) if problems.is_empty() => Ok(model),
        _ => Err(problems),
    }
}

fn line_of(starts: &[u32], index: usize) -> Option<u64> {
    starts.get(index).map(|&l| u64::from(l))
}

/// The header a field had in file `k` (0 entities, 1 relationships,
/// 2 listings, 3 segments), or the field's name when it had none.
fn header_of(lines: &Lines, k: usize, field: &str) -> String {
    lines
        .headers
        .get(k)
        .and_then(|h| h.iter().find(|(key, _)| key == field))
        .map_or_else(|| field.to_string(), |(_, header)| header.clone())
}

/// The field a message of the builder or the validator is about: the one
/// it names as missing, or its first word (`share 1.4 is out of range`).
fn field_of(spec: &Spec, message: &str) -> Option<&'static str> {
    let word = match message.strip_prefix("the required field \"") {
        Some(rest) => rest.split('"').next().unwrap_or(""),
        None => message.split([' ', ',', ':']).next().unwrap_or(""),
    };
    spec.fields.iter().map(|f| f.0).find(|&f| f == word)
}

/// Turns a place by array index into a place by file, line and column, and
/// the `entities[3]` a message may mention into `the entity on line 5`.
fn relocate(lines: &Lines, place: Place, message: String) -> (Place, String) {
    let message = refer(&message, "entities[", "the entity", &lines.entities);
    let message = refer(
        &message,
        "relationships[",
        "the relationship",
        &lines.relationships,
    );
    let message = refer(&message, "listings[", "the listing", &lines.listings);
    let message = refer(&message, "segments[", "the segment", &lines.segments);
    let (spec, k, line, record) = match place {
        Place::Entity { index, id } => (
            &ENTITIES,
            0,
            line_of(&lines.entities, index),
            id.map(|id| format!("id {id:?}")),
        ),
        Place::Relationship { index, label } => (
            &RELATIONSHIPS,
            1,
            line_of(&lines.relationships, index),
            Some(label),
        ),
        Place::Listing { index, entity } => (
            &LISTINGS,
            2,
            line_of(&lines.listings, index),
            entity.map(|e| format!("entity {e:?}")),
        ),
        Place::Segment {
            index,
            seller,
            name,
        } => (
            &SEGMENTS,
            3,
            line_of(&lines.segments, index),
            Some(segment_label(seller.as_deref(), name.as_deref())),
        ),
        Place::Meta => (&META, usize::MAX, lines.meta, None),
        other => return (other, message),
    };
    let column = field_of(spec, &message).map(|f| header_of(lines, k, f));
    (
        Place::Csv {
            file: spec.file,
            line,
            column,
            record,
        },
        message,
    )
}

/// Rewrites the references to records of the folder's files in `message`
/// (`entities[12]`, `relationships[3]`, …: a scenario's checks cite the
/// records of the changed copy by index) as the file and line the record
/// starts on. Indexes past the folder's records
/// (records a scenario added) are left as they are. The folder is read
/// again, so this is for the error path only.
///
/// # Complexity
/// O(bytes of the folder + length of the message).
pub fn cite_lines(dir: &Path, message: &str) -> String {
    let mut problems = Problems::default();
    let mut fatal = false;
    let mut message = message.to_string();
    for (spec, prefix, noun) in [
        (&ENTITIES, "entities[", "entity"),
        (&RELATIONSHIPS, "relationships[", "relationship"),
        (&LISTINGS, "listings[", "listing"),
        (&SEGMENTS, "segments[", "segment"),
    ] {
        if !message.contains(prefix) {
            continue;
        }
        let Some(found) = open(dir, spec, &mut problems, &mut fatal) else {
            continue;
        };
        let mut starts: Vec<u32> = Vec::new();
        if read(found, spec, &mut problems, |_, line, _| {
            starts.push(u32::try_from(line).unwrap_or(u32::MAX));
        })
        .is_ok()
        {
            message = refer_to(&message, prefix, &starts, |line| {
                format!("the {noun} on {} line {line}", spec.file)
            });
        }
    }
    message
}

/// Rewrites `entities[12]` in `message` as `the entity on line L`.
fn refer(message: &str, prefix: &str, noun: &str, starts: &[u32]) -> String {
    refer_to(message, prefix, starts, |line| {
        format!("{noun} on line {line}")
    })
}

/// Rewrites `PREFIX12]` in `message` as `cite(line of record 12)` for the
/// records `starts` knows.
fn refer_to(message: &str, prefix: &str, starts: &[u32], cite: impl Fn(u32) -> String) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(prefix) {
        let after = &rest[at + prefix.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let index = after[..digits].parse::<usize>().ok();
        match (index, after[digits..].starts_with(']')) {
            (Some(i), true) if i < starts.len() => {
                out.push_str(&rest[..at]);
                out.push_str(&cite(starts[i]));
                rest = &after[digits + 1..];
            }
            _ => {
                out.push_str(&rest[..at + prefix.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Opens a file of the folder; `None` when it is absent (an error for
/// `entities.csv`, the only required one) or unreadable.
fn open(
    dir: &Path,
    spec: &Spec,
    problems: &mut Problems,
    fatal: &mut bool,
) -> Option<BufReader<File>> {
    let path = dir.join(spec.file);
    let place = || Place::Csv {
        file: spec.file,
        line: None,
        column: None,
        record: None,
    };
    match File::open(&path) {
        Ok(file) => Some(BufReader::with_capacity(1 << 16, file)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if spec.file == ENTITIES.file {
                problems.push(
                    place(),
                    "is missing: a graph in the CSV form needs entities.csv (columns id and name at least), \
                     and may have relationships.csv, listings.csv, segments.csv, meta.csv and extra.csv",
                );
                *fatal = true;
            }
            None
        }
        Err(e) => {
            problems.push(place(), format!("cannot read: {e}"));
            *fatal = true;
            None
        }
    }
}

/// Reads one file: checks its header, then hands each row that has a
/// value to `row` as a JSON object (with its line and its index among the
/// rows handed). Problems of single cells (a bad number, bad JSON) are
/// reported here and the cell is left out. `Err` when the file could not
/// be read to its end or its header is unusable.
fn read(
    mut input: BufReader<File>,
    spec: &Spec,
    problems: &mut Problems,
    mut row: impl FnMut(Map<String, Value>, u64, usize),
) -> Result<Vec<Column>, ()> {
    let place = |line: Option<u64>, column: Option<&str>| Place::Csv {
        file: spec.file,
        line,
        column: column.map(str::to_string),
        record: None,
    };
    // A UTF-8 byte order mark (spreadsheets write one) is not data.
    match input.fill_buf() {
        Ok(buf) if buf.starts_with(b"\xEF\xBB\xBF") => input.consume(3),
        Ok(_) => {}
        Err(e) => {
            problems.push(place(None, None), format!("cannot read: {e}"));
            return Err(());
        }
    }
    let delimiter = match input.fill_buf() {
        Ok(buf) => separator(buf),
        Err(_) => b',',
    };
    let newlines = Rc::new(RefCell::new(Newlines::default()));
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Counting {
            inner: input,
            at: 0,
            blank: true,
            newlines: Rc::clone(&newlines),
        });
    let mut lines = LineOf::default();
    let mut record = ::csv::StringRecord::new();
    let read_error = |problems: &mut Problems, e: ::csv::Error| {
        let line = e.position().map(|p| p.line());
        let message = match e.kind() {
            ::csv::ErrorKind::Utf8 { err, .. } => {
                format!("field {} is not valid UTF-8; save the file as UTF-8 (CSV UTF-8 in a spreadsheet)", err.field() + 1)
            }
            ::csv::ErrorKind::Io(e) => format!("cannot read: {e}"),
            other => format!("{other:?}"),
        };
        problems.push(place(line, None), message);
    };
    let columns: Vec<Column> = match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(|h| column(spec, h)).collect(),
        // An empty file of a record kind has not even the header that
        // names its columns: most likely a file cut short or saved wrong.
        Ok(false) if !spec.required.is_empty() => {
            problems.push(
                place(None, None),
                format!(
                    "is empty: it needs a header line naming its columns ({} at least), then one line per record{}",
                    spec.required.join(", "),
                    if spec.file == ENTITIES.file {
                        ""
                    } else {
                        "; a file with no records may be left out"
                    }
                ),
            );
            return Err(());
        }
        // An empty meta.csv or extra.csv: no columns and no rows.
        Ok(false) => return Ok(Vec::new()),
        Err(e) => {
            read_error(problems, e);
            return Err(());
        }
    };
    let mut bad_header = false;
    // The first column of each key: one lookup per column, so that a
    // header of many columns is checked in linear time.
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(columns.len());
    for (i, c) in columns.iter().enumerate() {
        if let Some(field) = c.near {
            problems.push(
                place(Some(1), Some(&c.header)),
                format!(
                    "{:?} is not a field of {} but is close to {field:?}; \
                     name the column {field:?}, or give it a name further from it to keep it as an extra column",
                    c.header, spec.file
                ),
            );
            bad_header = true;
        }
        let at = *first.entry(c.key.as_str()).or_insert(i);
        if at != i {
            let other = columns[at].header.as_str();
            problems.push(
                place(Some(1), Some(&c.header)),
                format!("repeats the column {other:?}: each field has one column"),
            );
            bad_header = true;
        }
        if spec.file == EXTRA.file && RESERVED.contains(&c.key.as_str()) {
            problems.push(
                place(Some(1), Some(&c.header)),
                format!(
                    "{:?} is a part of the graph, not an extra top-level field",
                    c.key
                ),
            );
            bad_header = true;
        }
    }
    for &name in spec.required {
        if !columns.iter().any(|c| c.key == name) {
            problems.push(
                place(Some(1), None),
                format!("the required column {name:?} is missing"),
            );
            bad_header = true;
        }
    }
    if bad_header {
        return Err(());
    }

    let mut handed = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                read_error(problems, e);
                return Err(());
            }
        }
        // The csv crate's line is that of the end of the previous record:
        // one too low after a CRLF or a blank line.
        let line = record
            .position()
            .map_or(0, |p| lines.line(&mut newlines.borrow_mut(), p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() > columns.len() && record.iter().skip(columns.len()).any(|c| !c.is_empty())
        {
            problems.push(
                place(Some(line), None),
                format!(
                    "the row has {} cells but the header names {} columns",
                    record.len(),
                    columns.len()
                ),
            );
        }
        if spec.single && handed == 1 {
            problems.push(
                place(Some(line), None),
                format!(
                    "{} holds one row of values; this is a second one",
                    spec.file
                ),
            );
            continue;
        }
        let mut fields = Map::with_capacity(columns.len());
        for (c, cell) in columns.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            match value(c, cell) {
                Ok(Some(v)) => {
                    fields.insert(c.key.clone(), v);
                }
                Ok(None) => {}
                Err(message) => {
                    let mut p = place(Some(line), Some(&c.header));
                    if let Place::Csv { record: r, .. } = &mut p {
                        *r = label(spec, &columns, &record);
                    }
                    problems.push(p, message);
                }
            }
        }
        row(fields, line, handed);
        handed += 1;
    }
    Ok(columns)
}

/// The newlines read so far and not yet passed by a record: their byte
/// offsets, and whether the line each ends was blank (nothing or `\r`).
#[derive(Default)]
struct Newlines(VecDeque<(u64, bool)>);

/// A reader that notes where its newlines are, for [`LineOf`]. It holds
/// only those the CSV reader has read ahead of the last record: a buffer's
/// worth at most.
struct Counting<R> {
    inner: R,
    at: u64,
    /// Whether the line being read has been blank so far.
    blank: bool,
    newlines: Rc<RefCell<Newlines>>,
}

impl<R: io::Read> io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut newlines = self.newlines.borrow_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            match b {
                b'\n' => {
                    newlines.0.push_back((self.at + i as u64, self.blank));
                    self.blank = true;
                }
                b'\r' => {}
                _ => self.blank = false,
            }
        }
        self.at += n as u64;
        Ok(n)
    }
}

/// The 1-based line on which a record starts, from the byte where the CSV
/// reader began to read it (just past the previous record's terminator,
/// which may leave the `\n` of a CRLF, and before blank lines it skips).
#[derive(Default)]
struct LineOf {
    /// Newlines passed so far.
    passed: u64,
}

impl LineOf {
    fn line(&mut self, newlines: &mut Newlines, byte: u64) -> u64 {
        let q = &mut newlines.0;
        while q.front().is_some_and(|&(at, _)| at < byte) {
            q.pop_front();
            self.passed += 1;
        }
        // The `\n` of a CRLF, or a blank line, right at `byte`.
        if q.front().is_some_and(|&(at, _)| at == byte) {
            q.pop_front();
            self.passed += 1;
        }
        while q.front().is_some_and(|&(_, blank)| blank) {
            q.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// The separator of a file, told by its header line (`head` is the start
/// of the file): `;` when the header has a `;` and no `,` outside quotes
/// (what spreadsheets in many European locales write), else `,`.
fn separator(head: &[u8]) -> u8 {
    let (mut quoted, mut semicolon) = (false, false);
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => return b',',
            b';' if !quoted => semicolon = true,
            _ => {}
        }
    }
    if semicolon {
        b';'
    } else {
        b','
    }
}

/// The value of one non-empty cell; `None` for a number column left blank
/// with spaces.
fn value(c: &Column, cell: &str) -> Result<Option<Value>, String> {
    if c.json {
        return serde_json::from_str::<Value>(cell).map(Some).map_err(|e| {
            format!(
                "{cell:?} is not JSON ({e}); a column named {:?} holds one JSON value a cell, \
                     e.g. \"text\", 12 or [\"a\", \"b\"]",
                c.header
            )
        });
    }
    Ok(match c.known {
        Some(Cell::Number) => {
            let t = cell.trim();
            if t.is_empty() {
                return Ok(None);
            }
            match t.parse::<f64>() {
                Ok(v)
                    if v.is_finite()
                        && t.bytes()
                            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) =>
                {
                    Some(Value::from(v))
                }
                _ => {
                    return Err(format!(
                        "{} {t:?} is not a number (write e.g. 0.25 or 228000000)",
                        c.key
                    ))
                }
            }
        }
        Some(Cell::List) => Some(Value::Array(
            cell.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Value::from)
                .collect(),
        )),
        Some(Cell::Text) | None => Some(Value::from(cell)),
    })
}

/// `seller "name"`, a segment as CSV messages show it.
fn segment_label(seller: Option<&str>, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("{} {name:?}", seller.unwrap_or("?")),
        None => format!("{} ?", seller.unwrap_or("?")),
    }
}

/// The record a row is, for messages about its cells.
fn label(spec: &Spec, columns: &[Column], record: &::csv::StringRecord) -> Option<String> {
    let cell = |name: &str| {
        columns
            .iter()
            .position(|c| c.key == name && !c.json)
            .and_then(|i| record.get(i))
            .filter(|s| !s.is_empty())
    };
    match spec.file {
        "entities.csv" => cell("id").map(|id| format!("id {id:?}")),
        "relationships.csv" => Some(format!(
            "{} {} -> {}",
            cell("type").unwrap_or("?"),
            cell("from").unwrap_or("?"),
            cell("to").unwrap_or("?")
        )),
        "listings.csv" => cell("entity").map(|e| format!("entity {e:?}")),
        "segments.csv" => Some(segment_label(cell("seller"), cell("name"))),
        _ => None,
    }
}

/// The records of a CSV array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Array {
    Entities,
    Relationships,
    Listings,
    Segments,
}

impl Array {
    fn key(self) -> &'static str {
        match self {
            Array::Entities => "entities",
            Array::Relationships => "relationships",
            Array::Listings => "listings",
            Array::Segments => "segments",
        }
    }
}

/// A field of the wrong type inside a record fed to [`Feed`]: the record's
/// array and index, the path inside the record (`aliases[1]`), and what is
/// wrong (`must be a string, found a number`).
struct FedMistype {
    pub array: Option<Array>,
    pub index: usize,
    pub field: Option<&'static str>,
    pub shown: String,
    pub what: String,
}

/// Builds a model from records given one at a time as JSON objects (the
/// rows of the CSV form), through the very code that reads them from a
/// JSON file: the same types, required fields, unique and known ids and
/// dates are checked, with the same messages.
struct Feed {
    b: Builder<'static>,
}

impl Feed {
    fn new() -> Feed {
        Feed {
            b: Builder::formatted(),
        }
    }

    /// How many records of `array` were fed so far (the index of the next).
    fn len(&self, array: Array) -> usize {
        match array {
            Array::Entities => self.b.model.entities.len(),
            Array::Relationships => self.b.model.relationships.len(),
            Array::Listings => self.b.model.listings.len(),
            Array::Segments => self.b.model.segments.len(),
        }
    }

    /// Adds the `meta` object.
    fn meta(&mut self, fields: Map<String, Value>) {
        self.b.path.push(Seg::Key("meta"));
        self.feed(Record::Meta, fields);
        self.b.path.pop();
    }

    /// Adds one record at the end of its array.
    fn record(&mut self, array: Array, fields: Map<String, Value>) {
        let index = self.len(array);
        let kind = match array {
            Array::Entities => Record::Entity(index),
            Array::Relationships => Record::Relationship(index),
            Array::Listings => Record::Listing(index),
            Array::Segments => Record::Segment(index),
        };
        self.b.path.push(Seg::Key(array.key()));
        self.b.path.push(Seg::Index(index));
        self.feed(kind, fields);
        self.b.path.truncate(self.b.path.len() - 2);
    }

    fn feed(&mut self, kind: Record, fields: Map<String, Value>) {
        // An owned `Value` deserializes for any lifetime, and our visitors
        // accept every JSON value: this cannot fail.
        if let Err(e) = (RecordSeed {
            b: &mut self.b,
            kind,
        })
        .deserialize(Value::Object(fields))
        {
            self.b.found.push(Place::File, e.to_string());
        }
    }

    /// Sets the unknown top-level fields.
    fn top_extra(&mut self, fields: Map<String, Value>) {
        self.b.model.extra = fields;
    }

    /// The fields of the wrong type found so far.
    fn take_mistyped(&mut self) -> Vec<FedMistype> {
        std::mem::take(&mut self.b.mistyped)
            .into_iter()
            .map(|m| {
                let array = match m.path.first() {
                    Some(Seg::Key("entities")) => Some(Array::Entities),
                    Some(Seg::Key("relationships")) => Some(Array::Relationships),
                    Some(Seg::Key("listings")) => Some(Array::Listings),
                    Some(Seg::Key("segments")) => Some(Array::Segments),
                    _ => None,
                };
                let rest = if array.is_some() {
                    &m.path[2.min(m.path.len())..]
                } else {
                    &m.path[1.min(m.path.len())..]
                };
                let index = match m.path.get(1) {
                    Some(Seg::Index(i)) if array.is_some() => *i,
                    _ => 0,
                };
                let field = match rest.first() {
                    Some(Seg::Key(k)) => Some(*k),
                    _ => None,
                };
                let shown = locate::render(rest);
                FedMistype {
                    array,
                    index,
                    field,
                    shown,
                    what: m.what,
                }
            })
            .collect()
    }

    /// Resolves ids and hands over the model, as the JSON parser does.
    fn finish(self, problems: &mut Problems) -> Option<Model> {
        self.b.finish(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_to_records_become_lines() {
        let starts = [2, 3, 7];
        assert_eq!(
            refer(
                "repeats relationships[2]: two",
                "relationships[",
                "the relationship",
                &starts
            ),
            "repeats the relationship on line 7: two"
        );
        assert_eq!(
            refer(
                "entities[9] and entities[x",
                "entities[",
                "the entity",
                &starts
            ),
            "entities[9] and entities[x"
        );
    }

    #[test]
    fn a_message_names_its_field() {
        assert_eq!(
            field_of(&ENTITIES, "the required field \"name\" is missing"),
            Some("name")
        );
        assert_eq!(
            field_of(
                &RELATIONSHIPS,
                "share 1.4 is out of range: it must be from 0 to 1"
            ),
            Some("share")
        );
        assert_eq!(
            field_of(&RELATIONSHIPS, "share_min 0.3 is above share_max 0.2"),
            Some("share_min")
        );
        assert_eq!(field_of(&ENTITIES, "as a seller, its exact shares"), None);
    }

    #[test]
    fn headers_name_known_and_unknown_fields_plain_or_json() {
        let c = column(&ENTITIES, "country:json");
        assert_eq!(
            (c.key.as_str(), c.known, c.json),
            ("country", Some(Cell::Text), true)
        );
        let c = column(&ENTITIES, "note");
        assert_eq!((c.key.as_str(), c.known, c.json), ("note", None, false));
        let c = column(&ENTITIES, "x:json:json");
        assert_eq!((c.key.as_str(), c.known, c.json), ("x:json", None, true));
    }
}
