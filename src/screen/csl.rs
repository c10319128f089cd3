//! Reading the Consolidated Screening List (trade.gov) in its own published
//! layouts: the CSV (columns found by header name, in any order, missing or
//! extra ones tolerated, the header repeated as a data row skipped) and the
//! JSON (`results` array, `alt_names` an array, `addresses` objects).
//!
//! Every data row is counted; a row that cannot be screened is reported
//! with its reason, never dropped in silence. No IO here: bytes in.

use serde_json::Value;

use crate::model::Date;

/// One screenable row of the list.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The row's number: in the CSV the record number, the header being
    /// row 1; in the JSON the 1-based position in `results`.
    pub row: usize,
    /// `source`, as written ("Entity List (EL) - Bureau of Industry and Security").
    pub source: String,
    /// The code in the source's parentheses (`EL`, `SDN`, `CMIC`, ...), or
    /// the source itself when it has none.
    pub code: String,
    /// `type`: `Entity`, `Individual`, `Vessel`, or empty (Entity List rows).
    pub kind: String,
    pub name: String,
    pub alt_names: Vec<String>,
    /// ISO-2 codes found at the end of the addresses, sorted, distinct.
    pub countries: Vec<String>,
    pub start_date: Option<Date>,
    /// The effective (else listing) date written in `ids`, for rows
    /// without `start_date` (the CMIC rows).
    pub ids_date: Option<Date>,
    /// `end_date` (Denied Persons List orders end).
    pub end_date: Option<Date>,
    pub federal_register_notice: Option<String>,
}

/// A row that was counted but not loaded, or loaded with a caveat.
#[derive(Clone, Debug, PartialEq)]
pub struct RowNote {
    pub row: usize,
    pub reason: String,
}

/// A whole list file.
#[derive(Clone, Debug, Default)]
pub struct List {
    /// Data rows counted (the CSV header line not included).
    pub rows: usize,
    pub entries: Vec<Entry>,
    /// Rows not loaded, with the reason.
    pub skipped: Vec<RowNote>,
    /// Rows loaded with a caveat (a short row read with empty fields).
    pub warnings: Vec<RowNote>,
}

/// A file that is not a screening list at all.
#[derive(Debug, thiserror::Error)]
pub enum CslError {
    #[error(
        "the CSV has no `name` column (header: {0}); is this a Consolidated Screening List file?"
    )]
    NoNameColumn(String),
    #[error("the CSV cannot be read: {0}")]
    Csv(String),
    #[error("the JSON cannot be read: {0}")]
    Json(String),
    #[error("the JSON has no `results` array; expected the CSL layout {{\"results\": [...]}}")]
    NoResults,
    #[error("the file is empty")]
    Empty,
}

/// The columns the reader uses.
const COLUMNS: [&str; 10] = [
    "source",
    "type",
    "name",
    "alt_names",
    "addresses",
    "start_date",
    "federal_register_notice",
    "nationalities",
    "end_date",
    "ids",
];

/// Reads the list, choosing the layout from the first non-blank byte
/// (`{` or `[`: JSON, else CSV).
pub fn read(bytes: &[u8]) -> Result<List, CslError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(CslError::Empty),
        Some(b'{' | b'[') => read_json(bytes),
        Some(_) => read_csv(bytes),
    }
}

/// Reads the CSV layout.
///
/// # Complexity
/// O(bytes).
pub fn read_csv(bytes: &[u8]) -> Result<List, CslError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = rdr.byte_records();
    let header = match records.next() {
        None => return Err(CslError::Empty),
        Some(r) => r.map_err(|e| CslError::Csv(e.to_string()))?,
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let idx: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    if idx[2].is_none() {
        return Err(CslError::NoNameColumn(header.join(",")));
    }
    let mut list = List::default();
    for (i, rec) in records.enumerate() {
        let row = i + 2;
        list.rows += 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                list.skipped.push(RowNote {
                    row,
                    reason: format!("unreadable CSV: {e}"),
                });
                continue;
            }
        };
        let field = |k: usize| -> String {
            idx[k]
                .and_then(|j| rec.get(j))
                .map(|b| String::from_utf8_lossy(b).trim().to_string())
                .unwrap_or_default()
        };
        let same_as_header = rec
            .iter()
            .zip(&header)
            .filter(|(v, h)| {
                !h.is_empty() && String::from_utf8_lossy(v).trim().eq_ignore_ascii_case(h)
            })
            .count();
        if same_as_header * 2 > header.len().max(1) || field(2).eq_ignore_ascii_case("name") {
            list.skipped.push(RowNote {
                row,
                reason: "repeated header".into(),
            });
            continue;
        }
        if rec.len() < header.len() {
            list.warnings.push(RowNote {
                row,
                reason: format!(
                    "{} of {} fields; the missing ones are read as empty",
                    rec.len(),
                    header.len()
                ),
            });
        }
        let addresses: Vec<String> = split_list(&field(4));
        let mut countries: Vec<String> = addresses
            .iter()
            .filter_map(|a| country_of_address(a))
            .collect();
        countries.extend(split_list(&field(7)).iter().filter_map(|n| country_code(n)));
        let raw = RawEntry {
            source: field(0),
            kind: field(1),
            name: field(2),
            alt_names: split_list(&field(3)),
            countries,
            start_date: field(5),
            ids_date: date_in_ids(&field(9)),
            end_date: field(8),
            frn: field(6),
        };
        push(&mut list, row, raw);
    }
    Ok(list)
}

/// Reads the JSON layout: `{"results": [...]}` (or a bare array).
pub fn read_json(bytes: &[u8]) -> Result<List, CslError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| CslError::Json(e.to_string()))?;
    let results = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("results") {
            Some(Value::Array(a)) => a,
            _ => return Err(CslError::NoResults),
        },
        _ => return Err(CslError::NoResults),
    };
    let mut list = List::default();
    for (i, r) in results.iter().enumerate() {
        let row = i + 1;
        list.rows += 1;
        let Some(o) = r.as_object() else {
            list.skipped.push(RowNote {
                row,
                reason: "not an object".into(),
            });
            continue;
        };
        let text = |k: &str| -> String {
            match o.get(k) {
                Some(Value::String(s)) => s.trim().to_string(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }
        };
        let strings = |k: &str| -> Vec<String> {
            match o.get(k) {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|x| x.as_str())
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                Some(Value::String(s)) => split_list(s),
                _ => Vec::new(),
            }
        };
        let mut countries = Vec::new();
        match o.get("addresses") {
            Some(Value::Array(a)) => {
                for addr in a {
                    match addr {
                        Value::Object(ao) => {
                            if let Some(c) = ao
                                .get("country")
                                .and_then(Value::as_str)
                                .and_then(country_code)
                            {
                                countries.push(c);
                            }
                        }
                        Value::String(s) => countries.extend(country_of_address(s)),
                        _ => {}
                    }
                }
            }
            Some(Value::String(s)) => {
                countries.extend(split_list(s).iter().filter_map(|a| country_of_address(a)))
            }
            _ => {}
        }
        for k in ["nationalities", "citizenships"] {
            countries.extend(strings(k).iter().filter_map(|n| country_code(n)));
        }
        let raw = RawEntry {
            source: text("source"),
            kind: text("type"),
            name: text("name"),
            alt_names: strings("alt_names"),
            countries,
            start_date: text("start_date"),
            ids_date: date_in_ids(&ids_text(o.get("ids"))),
            end_date: text("end_date"),
            frn: text("federal_register_notice"),
        };
        push(&mut list, row, raw);
    }
    Ok(list)
}

struct RawEntry {
    source: String,
    kind: String,
    name: String,
    alt_names: Vec<String>,
    countries: Vec<String>,
    start_date: String,
    ids_date: String,
    end_date: String,
    frn: String,
}

fn push(list: &mut List, row: usize, raw: RawEntry) {
    if raw.name.is_empty() {
        let reason = if raw.alt_names.is_empty() {
            "no name"
        } else {
            "no name (only alt_names)"
        };
        list.skipped.push(RowNote {
            row,
            reason: reason.into(),
        });
        return;
    }
    let mut countries = raw.countries;
    countries.sort();
    countries.dedup();
    let date = |s: &str| Date::parse(s.get(..10).unwrap_or(s));
    let start_date = date(&raw.start_date);
    let end_date = date(&raw.end_date).filter(|e| start_date.is_none_or(|s| *e >= s));
    if start_date.is_none() && !raw.start_date.is_empty() {
        list.warnings.push(RowNote {
            row,
            reason: format!(
                "start_date {:?} is not a date; read as none",
                raw.start_date
            ),
        });
    }
    let mut alt_names = raw.alt_names;
    alt_names.retain(|a| a != &raw.name);
    alt_names.dedup();
    list.entries.push(Entry {
        row,
        code: source_code(&raw.source),
        source: raw.source,
        kind: raw.kind,
        name: raw.name,
        alt_names,
        countries,
        start_date,
        ids_date: Date::parse(&raw.ids_date),
        end_date,
        federal_register_notice: Some(raw.frn).filter(|s| !s.is_empty()),
    });
}

/// The JSON `ids` (objects with `type` and `number`, or a string) as the
/// CSV writes them: "type, number, country; …".
fn ids_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| {
                let t = x.get("type")?.as_str()?;
                let n = x.get("number")?.as_str()?;
                Some(format!("{t}, {n}"))
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::new(),
    }
}

/// A row without `start_date` may carry its date in `ids` (the CMIC rows:
/// "Effective Date (CMIC), 2021-08-02; Listing Date (CMIC), 2021-06-03"):
/// the effective date, else the listing date, else empty.
fn date_in_ids(ids: &str) -> String {
    let find = |label: &str| {
        ids.split(';').map(str::trim).find_map(|part| {
            let (kind, value) = part.split_once(',')?;
            (kind.trim().starts_with(label))
                .then(|| value.trim().to_string())
                .filter(|v| Date::parse(v).is_some())
        })
    };
    find("Effective Date")
        .or_else(|| find("Listing Date"))
        .unwrap_or_default()
}

/// `"a; b; c"` → `[a, b, c]`, blanks dropped.
fn split_list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// The code in a source's parentheses: "Entity List (EL) - Bureau of
/// Industry and Security" → `EL`; "Non-SDN Menu-Based Sanctions List
/// (NS-MBS List) - Treasury Department" → `NS-MBS`. A source without one is
/// its own code (upper-cased).
pub fn source_code(source: &str) -> String {
    let inner = source
        .find('(')
        .and_then(|a| source[a + 1..].find(')').map(|b| &source[a + 1..a + 1 + b]));
    match inner.and_then(|s| s.split_whitespace().next()) {
        Some(code) => code.to_ascii_uppercase(),
        None => source.trim().to_ascii_uppercase(),
    }
}

/// US states and territories, for addresses that end "…, NY, 11355".
const US_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "PR", "GU", "VI",
];

/// The country an address ends with: an ISO-2 code ("…, Hangzhou, 310051,
/// CN"), a country name ("…, China"), or a US state and ZIP code ("…,
/// FLUSHING, NY, 11355" → `US`, as the Denied Persons List writes US
/// addresses).
pub fn country_of_address(addr: &str) -> Option<String> {
    let parts: Vec<&str> = addr
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let last = *parts.last()?;
    if let Some(c) = country_code(last) {
        return Some(c);
    }
    let zip =
        last.len() >= 4 && last.len() <= 10 && last.chars().all(|c| c.is_ascii_digit() || c == '-');
    let state = parts.len() >= 2
        && US_STATES.contains(&parts[parts.len() - 2].to_ascii_uppercase().as_str());
    (zip && state).then(|| "US".to_string())
}

/// An ISO-2 code as written, or one of the country names the list spells
/// out; None for anything else.
pub fn country_code(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        return Some(s.to_string());
    }
    const NAMES: &[(&str, &str)] = &[
        ("china", "CN"),
        ("hong kong", "HK"),
        ("macau", "MO"),
        ("macao", "MO"),
        ("taiwan", "TW"),
        ("russia", "RU"),
        ("iran", "IR"),
        ("united states", "US"),
        ("usa", "US"),
        ("united kingdom", "GB"),
        ("united arab emirates", "AE"),
        ("pakistan", "PK"),
        ("india", "IN"),
        ("germany", "DE"),
        ("singapore", "SG"),
        ("armenia", "AM"),
        ("turkey", "TR"),
        ("syria", "SY"),
        ("north korea", "KP"),
    ];
    let lower = s.to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_codes_come_from_the_parentheses() {
        assert_eq!(
            source_code("Entity List (EL) - Bureau of Industry and Security"),
            "EL"
        );
        assert_eq!(source_code("Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department"), "CMIC");
        assert_eq!(
            source_code("Military End User (MEU) List - Bureau of Industry and Security"),
            "MEU"
        );
        assert_eq!(
            source_code("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department"),
            "NS-MBS"
        );
    }

    #[test]
    fn countries_come_from_the_end_of_each_address() {
        assert_eq!(
            country_of_address("555, Qianmo Road, Binjiang District, Hangzhou, 310051, CN")
                .as_deref(),
            Some("CN")
        );
        assert_eq!(
            country_of_address("134-12 59HT AVENUE, FLUSHING, NY, 11355").as_deref(),
            Some("US")
        );
        assert_eq!(
            country_of_address("Tian Wang te Zi #1, Baqiao District, Xian, China").as_deref(),
            Some("CN")
        );
        assert_eq!(country_of_address("somewhere, undetermined"), None);
        assert_eq!(country_of_address(""), None);
    }

    #[test]
    fn reordered_missing_and_extra_columns_and_a_repeated_header() {
        let csv = "extra,NAME,alt_names,source,addresses\n\
                   x,name,alt_names,source,addresses\n\
                   1,Acme Ltd.,Acme; ACME Co,Entity List (EL) - Bureau of Industry and Security,\"1 Road, Town, 100, CN\"\n\
                   2,,Only Alias,Entity List (EL) - Bureau of Industry and Security,\n\
                   3,Short Row\n";
        let list = read(csv.as_bytes()).unwrap();
        assert_eq!(list.rows, 4);
        assert_eq!(
            list.skipped,
            vec![
                RowNote {
                    row: 2,
                    reason: "repeated header".into()
                },
                RowNote {
                    row: 4,
                    reason: "no name (only alt_names)".into()
                },
            ]
        );
        assert_eq!(list.entries.len(), 2);
        let e = &list.entries[0];
        assert_eq!(
            (e.row, e.name.as_str(), e.code.as_str()),
            (3, "Acme Ltd.", "EL")
        );
        assert_eq!(e.alt_names, ["Acme", "ACME Co"]);
        assert_eq!(e.countries, ["CN"]);
        assert_eq!(list.warnings.len(), 1);
        assert_eq!(list.warnings[0].row, 5);
    }

    #[test]
    fn a_row_without_start_date_takes_the_effective_date_from_its_ids() {
        let ids = "Unified Social Credit Code (USCC), 91330000733796106P, CN; Listing Date (CMIC), 2021-06-03; Effective Date (CMIC), 2021-08-02";
        assert_eq!(date_in_ids(ids), "2021-08-02");
        assert_eq!(date_in_ids("Listing Date (CMIC), 2021-12-16"), "2021-12-16");
        assert_eq!(date_in_ids("C.R. No., 2162198, HK"), "");
    }

    #[test]
    fn a_csv_without_a_name_column_is_refused() {
        assert!(matches!(
            read(b"a,b\n1,2\n"),
            Err(CslError::NoNameColumn(_))
        ));
    }

    #[test]
    fn the_json_layout_reads_the_same_entry() {
        let json = r#"{"total": 1, "results": [
          {"source": "Entity List (EL) - Bureau of Industry and Security", "name": "Jiangsu Leidian Technology Company (JLTC)",
           "alt_names": ["JLTC"], "addresses": [{"address": "88 Luyuan Road", "city": "Yixing", "country": "CN"}],
           "start_date": "2014-08-01", "federal_register_notice": "79 FR 44680", "type": null},
          {"source": "x", "name": ""}]}"#;
        let list = read(json.as_bytes()).unwrap();
        assert_eq!(list.rows, 2);
        assert_eq!(
            list.skipped,
            vec![RowNote {
                row: 2,
                reason: "no name".into()
            }]
        );
        let e = &list.entries[0];
        assert_eq!(e.countries, ["CN"]);
        assert_eq!(e.alt_names, ["JLTC"]);
        assert_eq!(e.start_date.unwrap().to_string(), "2014-08-01");
        assert_eq!(e.federal_register_notice.as_deref(), Some("79 FR 44680"));
    }
}
