//! Reading one JSON value of a record's field into the builder: a key
//! borrowed from the input, a scalar of any type, a string, a number or a
//! list of strings, each checked for its type. A value of the wrong type
//! is recorded with its path and line (`Mistyped`), never fatal, and a
//! repeated key likewise; `json.rs` decides which field a value is.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::locate::{self, Seg};
use super::records::{Builder, Mistyped};
use crate::model::{Date, Str, StrList};

/// The visits of the scalar JSON types, for a visitor that wants none of
/// them: each says what it found, wrapped by `$wrap`.
macro_rules! other_scalars {
    ($wrap:expr) => {
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Null))
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Str(Cow::Borrowed(v))))
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Str(Cow::Borrowed(""))))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Num(v)))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Num(v as f64)))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Num(v as f64)))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Bool))
        }
    };
}
pub(super) use other_scalars;

/// What a field's value turned out to be.
pub(super) enum Scalar<'de> {
    Str(Cow<'de, str>),
    Num(f64),
    Bool,
    Null,
    Array,
    Object,
}

impl Scalar<'_> {
    fn describe(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "a string",
            Scalar::Num(_) => "a number",
            Scalar::Bool => "a boolean",
            Scalar::Null => "null",
            Scalar::Array => "an array",
            Scalar::Object => "an object",
        }
    }
}

/// An object key, borrowed from the input when it has no escapes (serde's
/// own `Cow<str>` always allocates, once per key of every record).
pub(super) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

pub(super) struct ScalarSeed;

impl<'de> DeserializeSeed<'de> for ScalarSeed {
    type Value = Scalar<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v as f64))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v as f64))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Object)
    }
}
/// Reading the values of fields, for the record readers below.
impl<'de> Builder<'de> {
    /// Records that field `key` at the current path is of the wrong type.
    pub(super) fn mistype(&mut self, key: &'static str, expected: &str, found: &Scalar<'_>) {
        let mut path = self.path.clone();
        path.push(Seg::Key(key));
        self.push_mistyped(path, expected, found.describe());
    }

    /// Records that item `i` of the array at the current path is of the
    /// wrong type.
    pub(super) fn mistype_item(&mut self, i: usize, expected: &str, found: &Scalar<'_>) {
        let mut path = self.path.clone();
        path.push(Seg::Index(i));
        self.push_mistyped(path, expected, found.describe());
    }

    /// Marks field `bit` of the record being read as seen; a second sight
    /// is a repeated key, reported at its own line and column. A record's
    /// known fields fit in the bits of one `u32`, so this allocates nothing
    /// unless the key is repeated.
    #[inline]
    pub(super) fn once(&mut self, seen: &mut u32, bit: u32, key: &str) {
        let mask = 1 << bit;
        if *seen & mask != 0 {
            self.repeated(key);
        }
        *seen |= mask;
    }

    /// Records that `key` appears twice in the object at the current path.
    pub(super) fn repeated(&mut self, key: &str) {
        let shown = locate::render(&self.path);
        let whose = if shown.is_empty() {
            "the document".to_string()
        } else {
            shown
        };
        let what = format!(
            "key {key:?} is repeated; a repeated key is ambiguous (which value counts?), keep one"
        );
        self.mistyped.push(Mistyped {
            path: self.path.clone(),
            message: format!("{whose}: {what}"),
            what,
            repeat: Some(key.to_owned()),
        });
    }

    pub(super) fn push_mistyped(&mut self, path: Vec<Seg>, expected: &str, found: &str) {
        let shown = locate::render(&path);
        let what = format!("must be {expected}, found {found}");
        let message = format!("{shown} {what}");
        self.mistyped.push(Mistyped {
            path,
            message,
            what,
            repeat: None,
        });
    }

    /// Reads the value of `key`; `null` counts as absent.
    pub(super) fn scalar<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
        expected: &str,
        want: fn(&Scalar<'de>) -> bool,
    ) -> Result<Option<Scalar<'de>>, A::Error> {
        let v = map.next_value_seed(ScalarSeed)?;
        if matches!(v, Scalar::Null) {
            return Ok(None);
        }
        if want(&v) {
            Ok(Some(v))
        } else {
            self.mistype(key, expected, &v);
            Ok(None)
        }
    }

    pub(super) fn string<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
    ) -> Result<Option<Cow<'de, str>>, A::Error> {
        let v = self.scalar(map, key, "a string", |v| matches!(v, Scalar::Str(_)))?;
        Ok(match v {
            Some(Scalar::Str(s)) => Some(s),
            _ => None,
        })
    }

    pub(super) fn number<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
    ) -> Result<Option<f64>, A::Error> {
        let v = self.scalar(map, key, "a number", |v| matches!(v, Scalar::Num(_)))?;
        Ok(match v {
            Some(Scalar::Num(n)) => Some(n),
            _ => None,
        })
    }

    pub(super) fn text_field<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
    ) -> Result<Option<Str>, A::Error> {
        Ok(self.string(map, key)?.map(|s| self.text(&s)))
    }

    /// A date field; a malformed date is reported against the record.
    pub(super) fn date<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
        bad: &mut Vec<String>,
    ) -> Result<Option<Date>, A::Error> {
        let Some(s) = self.string(map, key)? else {
            return Ok(None);
        };
        let date = Date::parse(&s);
        if date.is_none() {
            bad.push(format!(
                "{key} {s:?} is not a real date in the form YYYY-MM-DD"
            ));
        }
        Ok(date)
    }

    pub(super) fn str_list<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
    ) -> Result<Option<StrList>, A::Error> {
        self.path.push(Seg::Key(key));
        let found = map.next_value_seed(StrListSeed(self));
        self.path.pop();
        match found? {
            None => {
                let items = std::mem::take(&mut self.scratch);
                let list = self.model.push_list(&items);
                self.scratch = items;
                self.scratch.clear();
                Ok(Some(list))
            }
            Some(Scalar::Null) => Ok(None),
            Some(what) => {
                self.mistype(key, "an array of strings", &what);
                Ok(None)
            }
        }
    }
}

pub(super) struct StrListSeed<'a, 'de>(&'a mut Builder<'de>);

/// An array of strings; `Some(found)` when the value was not an array.
impl<'de> DeserializeSeed<'de> for StrListSeed<'_, 'de> {
    type Value = Option<Scalar<'de>>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrListSeed<'_, 'de> {
    type Value = Option<Scalar<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let b = self.0;
        let mut i = 0;
        while let Some(v) = seq.next_element_seed(ScalarSeed)? {
            match v {
                Scalar::Str(s) => {
                    let s = b.text(&s);
                    b.scratch.push(s);
                }
                other => b.mistype_item(i, "a string", &other),
            }
            i += 1;
        }
        Ok(None)
    }
    other_scalars!(Some);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Some(Scalar::Object))
    }
}
