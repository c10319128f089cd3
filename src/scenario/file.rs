//! The scenario file: `{"scenarios": [...]}` read into [`Scenario`]s,
//! each setting and change checked and named where it fails.

use serde_json::{Map, Value};

use super::{fail, Change, Scenario, ScenarioError};
use crate::analysis::Settings;
use crate::model::{Date, RelType};

/// Reads a scenario file: `{"scenarios": [ {"name": ..., ...}, ... ]}`.
pub fn parse(bytes: &[u8]) -> Result<Vec<Scenario>, ScenarioError> {
    let v: Value = serde_json::from_slice(crate::load::without_bom(bytes))
        .map_err(|e| fail(format!("not a scenario file: {e}")))?;
    let list = v
        .get("scenarios")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("expected an object with a \"scenarios\" array"))?;
    if list.is_empty() {
        return Err(fail("\"scenarios\" is empty; give at least one scenario"));
    }
    let mut out: Vec<Scenario> = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        let name = s
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let at = |change: Option<(usize, &'static str)>, message: String| ScenarioError {
            scenario: Some((i, name.clone())),
            change,
            message,
        };
        let obj = s
            .as_object()
            .ok_or_else(|| at(None, "a scenario must be an object".into()))?;
        if name.is_empty() {
            return Err(at(None, "\"name\" is required: a non-empty string".into()));
        }
        if let Some(j) = out.iter().position(|o| o.name == name) {
            return Err(at(
                None,
                format!("the name is also the name of scenarios[{j}]; names must be unique"),
            ));
        }
        let settings = settings(obj).map_err(|m| at(None, m))?;
        let changes = match obj.get("changes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(cs)) => cs
                .iter()
                .enumerate()
                .map(|(c, v)| change(v).map_err(|(op, m)| at(Some((c, op)), m)))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(at(None, "\"changes\" must be an array".into())),
        };
        out.push(Scenario {
            name,
            settings,
            changes,
        });
    }
    Ok(out)
}

fn settings(obj: &Map<String, Value>) -> Result<Settings, String> {
    for key in obj.keys() {
        if ![
            "name",
            "description",
            "as_of",
            "affiliates_threshold",
            "lists",
            "max_depth",
            "changes",
        ]
        .contains(&key.as_str())
        {
            return Err(format!("unknown field {key:?}"));
        }
    }
    let as_of = match obj.get("as_of") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_str()
                .and_then(Date::parse)
                .ok_or("as_of must be a real date YYYY-MM-DD")?,
        ),
    };
    let affiliates = match obj.get("affiliates_threshold") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_f64()
                .filter(|t| *t > 0.0 && *t <= 100.0)
                .ok_or("affiliates_threshold must be a percent above 0 and at most 100")?,
        ),
    };
    let lists = match obj.get("lists") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or("lists must be an array of list names")?,
        ),
        Some(_) => return Err("lists must be an array of list names".into()),
    };
    let max_depth = match obj.get("max_depth") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|k| *k >= 1 && *k <= u32::MAX as u64)
                .ok_or("max_depth must be a whole number >= 1")? as u32,
        ),
    };
    Ok(Settings {
        as_of,
        affiliates,
        lists,
        max_depth,
    })
}

/// Reads one change; on failure, the op (as far as known) and why.
fn change(v: &Value) -> Result<Change, (&'static str, String)> {
    let obj = v
        .as_object()
        .ok_or(("?", "a change must be an object".to_string()))?;
    let op = obj
        .get("op")
        .and_then(Value::as_str)
        .ok_or(("?", "\"op\" is required".to_string()))?;
    let (op, allowed): (&'static str, &[&str]) = match op {
        "list" => ("list", &["entity", "list"]),
        "delist" => ("delist", &["entity"]),
        "license" => ("license", &["from", "to"]),
        "set_share" => ("set_share", &["from", "to", "share", "share_min", "share_max"]),
        "remove" => ("remove", &["type", "from", "to"]),
        "add_entity" => ("add_entity", &["entity"]),
        "add_relationship" => ("add_relationship", &["relationship"]),
        "set_segment" => ("set_segment", &["seller", "name", "share_max"]),
        "add_segment" => ("add_segment", &["segment", "edges"]),
        other => {
            return Err((
                "?",
                format!("unknown op {other:?}; one of list, delist, license, set_share, remove, add_entity, add_relationship, set_segment, add_segment"),
            ))
        }
    };
    let err = |m: String| (op, m);
    if let Some(k) = obj
        .keys()
        .find(|k| k.as_str() != "op" && !allowed.contains(&k.as_str()))
    {
        return Err(err(format!("unknown field {k:?} for op {op}")));
    }
    let text = |key: &str| -> Result<String, (&'static str, String)> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(err(format!("\"{key}\" is required: a non-empty string"))),
        }
    };
    let share = |key: &str| -> Result<Option<f64>, (&'static str, String)> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|s| (0.0..=1.0).contains(s))
                .map(Some)
                .ok_or_else(|| err(format!("{key} must be a number from 0 to 1"))),
        }
    };
    Ok(match op {
        "list" => Change::List {
            entity: text("entity")?,
            list: if obj.contains_key("list") {
                Some(text("list")?)
            } else {
                None
            },
        },
        "delist" => Change::Delist {
            entity: text("entity")?,
        },
        "license" => Change::License {
            from: text("from")?,
            to: text("to")?,
        },
        "set_share" => {
            let (share, share_min, share_max) =
                (share("share")?, share("share_min")?, share("share_max")?);
            if share.is_none() && share_min.is_none() && share_max.is_none() {
                return Err(err(
                    "give \"share\", or \"share_min\" and/or \"share_max\"".into()
                ));
            }
            if share.is_some() && (share_min.is_some() || share_max.is_some()) {
                return Err(err("give either \"share\" or bounds, not both".into()));
            }
            Change::SetShare {
                from: text("from")?,
                to: text("to")?,
                share,
                share_min,
                share_max,
            }
        }
        "remove" => {
            let t = text("type")?;
            let rel = RelType::parse(&t)
                .ok_or_else(|| err(format!("type {t:?} is not one of supplies, owns")))?;
            Change::Remove {
                rel,
                from: text("from")?,
                to: text("to")?,
            }
        }
        "add_entity" => Change::AddEntity(
            obj.get("entity")
                .cloned()
                .ok_or_else(|| err("\"entity\" is required".into()))?,
        ),
        "set_segment" => Change::SetSegment {
            seller: text("seller")?,
            name: text("name")?,
            share_max: share("share_max")?
                .ok_or_else(|| err("\"share_max\" is required: a number from 0 to 1".into()))?,
        },
        "add_segment" => {
            let edges = match obj.get("edges") {
                None => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()
                    .ok_or_else(|| err("\"edges\" must be an array of buyer ids".into()))?,
                Some(_) => return Err(err("\"edges\" must be an array of buyer ids".into())),
            };
            Change::AddSegment {
                segment: obj
                    .get("segment")
                    .cloned()
                    .ok_or_else(|| err("\"segment\" is required".into()))?,
                edges,
            }
        }
        _ => Change::AddRelationship(
            obj.get("relationship")
                .cloned()
                .ok_or_else(|| err("\"relationship\" is required".into()))?,
        ),
    })
}
