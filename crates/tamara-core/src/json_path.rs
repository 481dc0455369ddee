//! Deserialising a [`serde_json::Value`] into a type while keeping the JSON path of the first
//! failure (`items[1].quantity`), like `serde_path_to_error` but much smaller in wasm.
//!
//! `serde_path_to_error` wraps every visitor, which doubles the generic code of every type it
//! deserialises. Here only the value side is wrapped: scalars are handed straight to
//! `serde_json::Value`'s own deserializer (same visitors, same messages) and only arrays,
//! objects, options, newtypes and enums are walked here, to know where an error happened. The
//! path is the one `serde_path_to_error` reports (segments `key`, `[index]`, enum variants;
//! `.` for the root); the error is serde_json's, unchanged. One deliberate difference: a struct
//! must be a JSON object (serde_json also accepts an array of its fields in order).

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde_json::{Map, Value};

/// A deserialisation error with the JSON path where it happened.
#[derive(Debug)]
pub struct PathError {
    path: String,
    inner: serde_json::Error,
}

impl PathError {
    /// The JSON path of the failure (`.` for the root), formatted like `serde_path_to_error`.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// The underlying serde_json error.
    pub fn inner(&self) -> &serde_json::Error {
        &self.inner
    }
    /// The underlying serde_json error, by value.
    pub fn into_inner(self) -> serde_json::Error {
        self.inner
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path != "." {
            write!(f, "{}: ", self.path)?;
        }
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for PathError {}

/// `T` from `value`, with the path of the first failure.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, PathError> {
    let track = Track::default();
    match T::deserialize(Tracked {
        value,
        chain: &Chain::Root,
        track: &track,
    }) {
        Ok(t) => Ok(t),
        Err(inner) => Err(PathError {
            path: track.path.into_inner().unwrap_or_else(|| ".".to_owned()),
            inner,
        }),
    }
}

enum Chain<'a> {
    Root,
    Key { parent: &'a Chain<'a>, key: &'a str },
    Index { parent: &'a Chain<'a>, index: usize },
}

impl Chain<'_> {
    fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut c = self;
        loop {
            match c {
                Chain::Root => break,
                Chain::Key { parent, key } => {
                    segs.push((false, (*key).to_owned()));
                    c = parent;
                }
                Chain::Index { parent, index } => {
                    segs.push((true, format!("[{index}]")));
                    c = parent;
                }
            }
        }
        if segs.is_empty() {
            return ".".to_owned();
        }
        let mut out = String::new();
        let mut sep = "";
        for (is_index, s) in segs.iter().rev() {
            if !is_index {
                out.push_str(sep);
            }
            out.push_str(s);
            sep = ".";
        }
        out
    }
}

/// The first failure's path (later failures keep it, as in `serde_path_to_error`).
#[derive(Default)]
struct Track {
    path: RefCell<Option<String>>,
}

impl Track {
    fn fail(&self, chain: &Chain<'_>, e: serde_json::Error) -> serde_json::Error {
        let mut p = self.path.borrow_mut();
        if p.is_none() {
            *p = Some(chain.render());
        }
        e
    }
}

struct Tracked<'a, 'b> {
    value: Value,
    chain: &'a Chain<'a>,
    track: &'b Track,
}

type Res<T> = Result<T, serde_json::Error>;

fn array<'de, V: Visitor<'de>>(
    v: Vec<Value>,
    chain: &Chain<'_>,
    track: &Track,
    visitor: V,
) -> Res<V::Value> {
    let len = v.len();
    let mut seq = Seq {
        iter: v.into_iter(),
        index: 0,
        chain,
        track,
    };
    let out = visitor.visit_seq(&mut seq)?;
    if seq.iter.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements in array"))
    }
}

fn object<'de, V: Visitor<'de>>(
    m: Map<String, Value>,
    chain: &Chain<'_>,
    track: &Track,
    visitor: V,
) -> Res<V::Value> {
    let len = m.len();
    let mut map = Obj {
        iter: m.into_iter(),
        entry: None,
        chain,
        track,
    };
    let out = visitor.visit_map(&mut map)?;
    if map.iter.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements in map"))
    }
}

macro_rules! delegate {
    ($($m:ident)*) => {$(
        fn $m<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
            let (chain, track) = (self.chain, self.track);
            self.value.$m(visitor).map_err(|e| track.fail(chain, e))
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Tracked<'_, '_> {
    type Error = serde_json::Error;

    delegate! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_unit deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        let (chain, track) = (self.chain, self.track);
        let r = match self.value {
            Value::Array(a) => array(a, chain, track, visitor),
            Value::Object(m) => object(m, chain, track, visitor),
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => n.deserialize_any(visitor),
            Value::String(v) => visitor.visit_string(v),
        };
        r.map_err(|e| track.fail(chain, e))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        let (chain, track) = (self.chain, self.track);
        let r = match self.value {
            Value::Array(a) => array(a, chain, track, visitor),
            Value::String(v) => visitor.visit_string(v),
            other => Err(invalid_type(&other, &visitor)),
        };
        r.map_err(|e| track.fail(chain, e))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        let (chain, track) = (self.chain, self.track);
        let r = match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        };
        r.map_err(|e| track.fail(chain, e))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Res<V::Value> {
        let (chain, track) = (self.chain, self.track);
        self.value
            .deserialize_unit_struct(name, visitor)
            .map_err(|e| track.fail(chain, e))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Res<V::Value> {
        let (chain, track) = (self.chain, self.track);
        // serde_json's `raw_value` feature (special-casing this name) is off here and nothing
        // in this project deserialises a `RawValue`.
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| track.fail(chain, e))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        let (chain, track) = (self.chain, self.track);
        let r = match self.value {
            Value::Array(a) => array(a, chain, track, visitor),
            other => Err(invalid_type(&other, &visitor)),
        };
        r.map_err(|e| track.fail(chain, e))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Res<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Res<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        let (chain, track) = (self.chain, self.track);
        let r = match self.value {
            Value::Object(m) => object(m, chain, track, visitor),
            other => Err(invalid_type(&other, &visitor)),
        };
        r.map_err(|e| track.fail(chain, e))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        // Only a JSON object is a struct. serde_json would also take an array of the fields in
        // declaration order (`["o1", []]`), which no API here documents and a fuzzer finds:
        // refused, as a type error at this path.
        let (chain, track) = (self.chain, self.track);
        let r = match self.value {
            Value::Object(m) => object(m, chain, track, visitor),
            other => Err(invalid_type(&other, &visitor)),
        };
        r.map_err(|e| track.fail(chain, e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        let (chain, track) = (self.chain, self.track);
        let (variant, value) = match self.value {
            Value::Object(m) if m.len() == 1 => match m.into_iter().next() {
                Some((k, v)) => (k, Some(v)),
                None => return Err(track.fail(chain, de::Error::custom("empty map"))),
            },
            Value::String(s) => (s, None),
            Value::Object(_) => {
                let e = de::Error::invalid_value(de::Unexpected::Map, &"map with a single key");
                return Err(track.fail(chain, e));
            }
            other => {
                let e = de::Error::invalid_type(unexpected(&other), &"string or map");
                return Err(track.fail(chain, e));
            }
        };
        let r = visitor.visit_enum(Enum {
            variant,
            value,
            chain,
            track,
        });
        r.map_err(|e| track.fail(chain, e))
    }
}

struct Seq<'a, 'b> {
    iter: std::vec::IntoIter<Value>,
    index: usize,
    chain: &'a Chain<'a>,
    track: &'b Track,
}

impl<'de> de::SeqAccess<'de> for Seq<'_, '_> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Res<Option<T::Value>> {
        let index = self.index;
        self.index += 1;
        match self.iter.next() {
            Some(value) => {
                let chain = Chain::Index {
                    parent: self.chain,
                    index,
                };
                let track = self.track;
                seed.deserialize(Tracked {
                    value,
                    chain: &chain,
                    track,
                })
                .map(Some)
                .map_err(|e| track.fail(&chain, e))
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Obj<'a, 'b> {
    iter: serde_json::map::IntoIter,
    entry: Option<(String, Value)>,
    chain: &'a Chain<'a>,
    track: &'b Track,
}

impl<'de> de::MapAccess<'de> for Obj<'_, '_> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Res<Option<K::Value>> {
        match self.iter.next() {
            Some((key, value)) => {
                let r = seed.deserialize(key.clone().into_deserializer());
                let r = r.map_err(|e| {
                    let chain = Chain::Key {
                        parent: self.chain,
                        key: &key,
                    };
                    self.track.fail(&chain, e)
                });
                self.entry = Some((key, value));
                r.map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Res<T::Value> {
        match self.entry.take() {
            Some((key, value)) => {
                let chain = Chain::Key {
                    parent: self.chain,
                    key: &key,
                };
                let track = self.track;
                seed.deserialize(Tracked {
                    value,
                    chain: &chain,
                    track,
                })
                .map_err(|e| track.fail(&chain, e))
            }
            None => Err(self
                .track
                .fail(self.chain, de::Error::custom("value is missing"))),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Enum<'a, 'b> {
    variant: String,
    value: Option<Value>,
    chain: &'a Chain<'a>,
    track: &'b Track,
}

impl<'de, 'a, 'b> de::EnumAccess<'de> for Enum<'a, 'b> {
    type Error = serde_json::Error;
    type Variant = Variant<'a, 'b>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Res<(V::Value, Self::Variant)> {
        let v = seed
            .deserialize(self.variant.clone().into_deserializer())
            .map_err(|e| self.track.fail(self.chain, e))?;
        Ok((
            v,
            Variant {
                variant: self.variant,
                value: self.value,
                chain: self.chain,
                track: self.track,
            },
        ))
    }
}

struct Variant<'a, 'b> {
    variant: String,
    value: Option<Value>,
    chain: &'a Chain<'a>,
    track: &'b Track,
}

impl<'de> de::VariantAccess<'de> for Variant<'_, '_> {
    type Error = serde_json::Error;

    fn unit_variant(self) -> Res<()> {
        let chain = Chain::Key {
            parent: self.chain,
            key: &self.variant,
        };
        match self.value {
            Some(value) => de::Deserialize::deserialize(value),
            None => Ok(()),
        }
        .map_err(|e| self.track.fail(&chain, e))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Res<T::Value> {
        let chain = Chain::Key {
            parent: self.chain,
            key: &self.variant,
        };
        let track = self.track;
        match self.value {
            Some(value) => seed.deserialize(Tracked {
                value,
                chain: &chain,
                track,
            }),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
        .map_err(|e| track.fail(&chain, e))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Res<V::Value> {
        let chain = Chain::Key {
            parent: self.chain,
            key: &self.variant,
        };
        let track = self.track;
        match self.value {
            Some(Value::Array(v)) => {
                if v.is_empty() {
                    visitor.visit_unit()
                } else {
                    array(v, &chain, track, visitor)
                }
            }
            Some(other) => Err(de::Error::invalid_type(
                unexpected(&other),
                &"tuple variant",
            )),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
        .map_err(|e| track.fail(&chain, e))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        let chain = Chain::Key {
            parent: self.chain,
            key: &self.variant,
        };
        let track = self.track;
        match self.value {
            Some(Value::Object(m)) => object(m, &chain, track, visitor),
            Some(other) => Err(de::Error::invalid_type(
                unexpected(&other),
                &"struct variant",
            )),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
        .map_err(|e| track.fail(&chain, e))
    }
}

/// `serde_json::Value::invalid_type` (crate-private there).
fn invalid_type(v: &Value, exp: &dyn de::Expected) -> serde_json::Error {
    de::Error::invalid_type(unexpected(v), exp)
}

/// `serde_json::Value::unexpected` (crate-private there).
fn unexpected(v: &Value) -> de::Unexpected<'_> {
    match v {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                de::Unexpected::Unsigned(u)
            } else if let Some(i) = n.as_i64() {
                de::Unexpected::Signed(i)
            } else {
                // Only reached for non-integers; no arithmetic on the float.
                de::Unexpected::Float(n.as_f64().unwrap_or_default())
            }
        }
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use serde::Deserialize;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[allow(dead_code)]
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Item {
        sku: String,
        quantity: u32,
        #[serde(default)]
        tags: Vec<String>,
        price: Option<crate::Money>,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plain,
        Wrapped(u32),
        Pair(u32, String),
        Shape { w: u32, h: u32 },
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize, PartialEq)]
    struct Id(String);

    #[allow(dead_code)]
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(untagged)]
    enum Either {
        N(u64),
        S { s: String },
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Tagged {
        A { x: u32 },
        B,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        id: Id,
        items: Vec<Item>,
        kinds: Option<Vec<Kind>>,
        meta: Option<BTreeMap<String, Either>>,
        tagged: Option<Tagged>,
        pair: Option<(u8, bool)>,
        at: Option<crate::Timestamp>,
        raw: Option<serde_json::Value>,
        obj: Option<crate::types::JsonObject>,
    }

    fn same<T: DeserializeOwned + PartialEq + fmt::Debug>(v: Value) {
        let ours = from_value::<T>(v.clone());
        let theirs = serde_path_to_error::deserialize::<_, T>(v.clone());
        match (ours, theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{v}"),
            (Err(a), Err(b)) => {
                assert_eq!(a.path(), b.path().to_string(), "path for {v}");
                assert_eq!(
                    a.inner().to_string(),
                    b.inner().to_string(),
                    "message for {v}"
                );
            }
            (a, b) => panic!("{v}: ours {a:?}, serde_path_to_error {b:?}"),
        }
    }

    #[test]
    fn matches_serde_path_to_error() {
        let item = json!({"sku": "a", "quantity": 1});
        let base = json!({"id": "o1", "items": [item.clone()]});
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };
        let cases = vec![
            base.clone(),
            json!(null),
            json!({"items": []}),
            json!({"id": 5, "items": []}),
            with(
                "items",
                json!([item.clone(), {"sku": "b", "quantity": "2"}]),
            ),
            with("items", json!([item.clone(), {"sku": "b", "quantity": -1}])),
            with(
                "items",
                json!([item.clone(), {"sku": "b", "quantity": 1.5}]),
            ),
            with("items", json!([{"sku": "b", "quantity": 1, "extra": 1}])),
            with("items", json!([{"sku": "b"}])),
            with(
                "items",
                json!([{"sku": "b", "quantity": 1, "tags": ["x", 2]}]),
            ),
            with(
                "items",
                json!([{"sku": "b", "quantity": 1, "price": {"amount": "x", "currency": "SAR"}}]),
            ),
            with(
                "items",
                json!([{"sku": "b", "quantity": 1, "price": {"amount": "1.00", "currency": "SAR"}}]),
            ),
            with(
                "items",
                json!([{"sku": "b", "quantity": 1, "price": {"amount": 1, "currency": "XXX"}}]),
            ),
            with("items", json!({"sku": "b"})),
            with(
                "kinds",
                json!(["plain", {"wrapped": 3}, {"pair": [1, "x"]}, {"shape": {"w": 1, "h": 2}}]),
            ),
            with("kinds", json!(["nope"])),
            with("kinds", json!(["wrapped"])),
            with("kinds", json!([{"wrapped": "x"}])),
            with("kinds", json!([{"pair": [1]}])),
            with("kinds", json!([{"pair": [1, "x", 3]}])),
            with("kinds", json!([{"pair": []}])),
            with("kinds", json!([{"pair": 1}])),
            with("kinds", json!([{"shape": {"w": 1}}])),
            with("kinds", json!([{"shape": [1, 2]}])),
            with("kinds", json!([{"shape": 1}])),
            with("kinds", json!([{"plain": null}])),
            with("kinds", json!([{"plain": 1}])),
            with("kinds", json!([{"a": 1, "b": 2}])),
            with("kinds", json!([{}])),
            with("kinds", json!([1])),
            with("meta", json!({"a": 1, "b": {"s": "x"}})),
            with("meta", json!({"a": 1, "b": {"s": 2}})),
            with("meta", json!({"a": true})),
            with("tagged", json!({"type": "a", "x": 1})),
            with("tagged", json!({"type": "a", "x": "1"})),
            with("tagged", json!({"type": "c"})),
            with("tagged", json!({"x": 1})),
            with("pair", json!([1, true])),
            with("pair", json!([1, 2])),
            with("pair", json!([300, true])),
            with("pair", json!([1])),
            with("at", json!("2023-06-04T15:07:47+00:00")),
            with("at", json!("yesterday")),
            with("raw", json!({"any": [1, {"x": null}]})),
            with("obj", json!({"k": [1, 2]})),
            with("obj", json!([1])),
            with("id", json!(["x"])),
        ];
        for c in cases {
            same::<Outer>(c);
        }
        same::<Vec<Kind>>(json!([{"shape": {"w": 1, "h": "x"}}]));
        same::<Kind>(json!({"pair": [1, 2]}));
        same::<Option<Kind>>(json!({"wrapped": 1}));
        same::<u8>(json!(256));
        same::<String>(json!({"a": 1}));
        same::<Vec<Vec<u8>>>(json!([[1], [2, "x"]]));
        same::<BTreeMap<String, Vec<u8>>>(json!({"a": [1], "b.c": [2, -1]}));
        same::<()>(json!(null));
        same::<()>(json!(1));
    }

    /// `error::parse_json` reads bodies through `Value` + this module: for a body of the wrong
    /// shape it reports the path `serde_path_to_error` reports on the raw bytes, and the same
    /// message minus serde_json's ` at line L column C` suffix.
    #[test]
    fn parse_json_paths_match_slice_paths() {
        let bodies: [&[u8]; 8] = [
            br#"{"id": "o1", "items": [{"sku": "a", "quantity": 1}, {"sku": "b", "quantity": "x"}]}"#,
            br#"{"id": "o1", "items": [{"sku": "a"}]}"#,
            br#"{"id": "o1", "items": [{"sku": "a", "quantity": 1, "bogus": 1}]}"#,
            br#"{"id": "o1", "items": [], "kinds": [{"shape": {"w": 1, "h": -1}}]}"#,
            br#"{"id": "o1", "items": [], "meta": {"k": {"s": 1}}}"#,
            br#"{"id": "o1", "items": [], "at": "2023-13-01T00:00:00Z"}"#,
            br#"{"id": "o1", "items": {}}"#,
            br#"{"items": []}"#,
        ];
        for body in bodies {
            let theirs = serde_path_to_error::deserialize::<_, Outer>(
                &mut serde_json::Deserializer::from_slice(body),
            )
            .unwrap_err();
            match crate::error::parse_json::<Outer>(200, body) {
                Err(crate::ApiError::Parse { path, message, .. }) => {
                    assert_eq!(path, theirs.path().to_string());
                    let full = theirs.inner().to_string();
                    let suffix = format!(
                        " at line {} column {}",
                        theirs.inner().line(),
                        theirs.inner().column()
                    );
                    assert_eq!(Some(message.as_str()), full.strip_suffix(&suffix));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    /// serde_json takes an array of a struct's fields in order; here a struct is an object.
    #[test]
    fn arrays_are_not_structs() {
        for (v, path, expected) in [
            (json!(["o1", []]), ".", "struct Outer"),
            (json!([]), ".", "struct Outer"),
            (
                json!({"id": "o1", "items": [["b", 1, [], null]]}),
                "items[0]",
                "struct Item",
            ),
        ] {
            let e = from_value::<Outer>(v.clone()).unwrap_err();
            assert_eq!(e.path(), path, "{v}");
            assert_eq!(
                e.inner().to_string(),
                format!("invalid type: sequence, expected {expected}"),
                "{v}"
            );
        }
        // Arrays stay arrays, tuples stay tuples.
        assert!(from_value::<Outer>(json!({"id": "o1", "items": [], "pair": [1, true]})).is_ok());
    }

    #[test]
    fn display() {
        let e = from_value::<Vec<u8>>(json!([1, "x"])).unwrap_err();
        assert_eq!(e.path(), "[1]");
        assert!(e.to_string().starts_with("[1]: invalid type"), "{e}");
        let e = from_value::<u8>(json!("x")).unwrap_err();
        assert_eq!(e.path(), ".");
    }
}
