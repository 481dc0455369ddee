//! A small OpenAPI 3.0 validator: finds the operation for `METHOD /path`, picks the response (or
//! request body) schema, and checks a JSON value against it. Supported keywords: `$ref` (JSON
//! pointers into the document), `type` (incl. `integer` vs `number`), `nullable`, `enum`,
//! `required`, `properties`, `additionalProperties` (bool or schema), `items`, `minItems`,
//! `maxItems`, `minProperties`, `maxProperties`, `minLength`, `maxLength`, `minimum`, `maximum`,
//! `oneOf` / `anyOf` / `allOf`, `format` (`uuid`, `date-time`, `uri`; others ignored).
//! A violation carries the JSON path of the offending value (`$.transactions.captures[0].total_amount`).

use std::fmt;
use std::path::PathBuf;

use serde_json::{Map, Value};

/// The first thing found wrong, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON path of the instance value (`$`, `$.items[0].name`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A loaded OpenAPI document.
#[derive(Debug)]
pub struct Spec {
    doc: Value,
}

/// The path of the repository's corrected document.
pub fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi/tamara-openapi.json")
}

/// What an operation's response declares for one status.
#[derive(Debug, Clone, Copy)]
pub enum Declared<'a> {
    /// A JSON schema.
    Json(&'a Value),
    /// A non-JSON media type (e.g. `text/html`).
    Other(&'a str),
    /// No body declared.
    Empty,
}

impl Spec {
    /// Loads `docs/openapi/tamara-openapi.json`.
    pub fn load() -> Spec {
        let p = spec_path();
        let text =
            std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
        Spec::from_value(serde_json::from_str(&text).expect("the OpenAPI document is valid JSON"))
    }

    /// Wraps an already parsed document.
    pub fn from_value(doc: Value) -> Spec {
        Spec { doc }
    }

    /// The whole document.
    pub fn doc(&self) -> &Value {
        &self.doc
    }

    /// Resolves a local `$ref` (`#/components/schemas/Money`).
    pub fn resolve<'a>(&'a self, reference: &str) -> Result<&'a Value, String> {
        let pointer = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("only local $refs are supported, got `{reference}`"))?;
        self.doc
            .pointer(pointer)
            .ok_or_else(|| format!("unresolvable $ref `{reference}`"))
    }

    /// Follows `$ref`s until a non-reference object.
    fn deref<'a>(&'a self, mut v: &'a Value) -> Result<&'a Value, String> {
        for _ in 0..32 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => v = self.resolve(r)?,
                None => return Ok(v),
            }
        }
        Err("$ref chain too long".to_owned())
    }

    /// The path template matching a concrete path (query ignored). Literal segments beat
    /// templated ones (`/checkout/payment-types` wins over `/checkout/{checkout_id}`).
    pub fn match_path(&self, method: &str, path: &str) -> Option<&str> {
        let path = path.split('?').next().unwrap_or(path);
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let method = method.to_ascii_lowercase();
        let paths = self.doc.get("paths")?.as_object()?;
        let mut best: Option<(usize, &str)> = None;
        for (template, item) in paths {
            if item.get(&method).is_none() {
                continue;
            }
            let tsegs: Vec<&str> = template.trim_matches('/').split('/').collect();
            if tsegs.len() != segs.len() {
                continue;
            }
            let mut literal = 0;
            let fits = tsegs.iter().zip(&segs).all(|(t, s)| {
                if t.starts_with('{') && t.ends_with('}') {
                    !s.is_empty()
                } else if t == s {
                    literal += 1;
                    true
                } else {
                    false
                }
            });
            if fits && best.is_none_or(|(n, _)| literal > n) {
                best = Some((literal, template.as_str()));
            }
        }
        best.map(|(_, t)| t)
    }

    fn operation(&self, method: &str, path: &str) -> Result<(&str, &Value), String> {
        let template = self
            .match_path(method, path)
            .ok_or_else(|| format!("no operation for {method} {path} in the OpenAPI document"))?;
        let op = &self.doc["paths"][template][method.to_ascii_lowercase()];
        Ok((template, op))
    }

    /// What the document declares for `method path` answering `status`.
    pub fn response(&self, method: &str, path: &str, status: u16) -> Result<Declared<'_>, String> {
        let (template, op) = self.operation(method, path)?;
        let responses = op
            .get("responses")
            .ok_or_else(|| format!("{method} {template}: no responses"))?;
        let code = status.to_string();
        let class = format!("{}XX", status / 100);
        let resp = responses
            .get(&code)
            .or_else(|| responses.get(&class))
            .or_else(|| responses.get("default"))
            .ok_or_else(|| {
                let declared: Vec<&String> = responses
                    .as_object()
                    .map(|o| o.keys().collect())
                    .unwrap_or_default();
                format!(
                    "{method} {template}: status {status} is not declared (declared: {declared:?})"
                )
            })?;
        let resp = self.deref(resp)?;
        match resp.get("content").and_then(Value::as_object) {
            None => Ok(Declared::Empty),
            Some(content) => match content.get("application/json") {
                Some(media) => Ok(Declared::Json(media.get("schema").ok_or_else(|| {
                    format!("{method} {template} {status}: application/json without schema")
                })?)),
                None => Ok(Declared::Other(
                    content.keys().next().map(String::as_str).unwrap_or(""),
                )),
            },
        }
    }

    /// The JSON request-body schema of `method path`.
    pub fn request_schema(&self, method: &str, path: &str) -> Result<&Value, String> {
        let (template, op) = self.operation(method, path)?;
        let body = op
            .get("requestBody")
            .ok_or_else(|| format!("{method} {template}: no requestBody"))?;
        self.deref(body)?
            .pointer("/content/application~1json/schema")
            .ok_or_else(|| format!("{method} {template}: no JSON request schema"))
    }

    /// A schema by component name.
    pub fn schema(&self, name: &str) -> &Value {
        self.doc
            .pointer(&format!("/components/schemas/{name}"))
            .unwrap_or_else(|| panic!("no schema {name}"))
    }

    /// Checks a response: the status must be declared, and a JSON body must match its schema.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), String> {
        let what = format!("{method} {path} → {status}");
        match self.response(method, path, status)? {
            Declared::Json(schema) => {
                if !content_type.starts_with("application/json") {
                    return Err(format!(
                        "{what}: content-type `{content_type}`, expected application/json"
                    ));
                }
                let v: Value = serde_json::from_slice(body).map_err(|e| {
                    format!(
                        "{what}: body is not JSON ({e}): {}",
                        String::from_utf8_lossy(body)
                    )
                })?;
                self.validate(schema, &v)
                    .map_err(|e| format!("{what}: {e}\nbody: {v}"))
            }
            Declared::Other(media) => {
                if content_type.starts_with(media) {
                    Ok(())
                } else {
                    Err(format!(
                        "{what}: content-type `{content_type}`, expected {media}"
                    ))
                }
            }
            Declared::Empty => {
                if body.iter().all(u8::is_ascii_whitespace) {
                    Ok(())
                } else {
                    Err(format!(
                        "{what}: no body declared but got {}",
                        String::from_utf8_lossy(body)
                    ))
                }
            }
        }
    }

    /// Validates `instance` against `schema`; the error names the first violation's JSON path.
    pub fn validate(&self, schema: &Value, instance: &Value) -> Result<(), Violation> {
        self.check(schema, instance, "$")
    }

    fn check(&self, schema: &Value, v: &Value, path: &str) -> Result<(), Violation> {
        let fail = |message: String| {
            Err(Violation {
                path: path.to_owned(),
                message,
            })
        };
        let schema = match self.deref(schema) {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        let s = match schema {
            Value::Bool(true) => return Ok(()),
            Value::Bool(false) => return fail("no value allowed here".to_owned()),
            Value::Object(o) => o,
            _ => return fail(format!("malformed schema {schema}")),
        };
        if v.is_null() && s.get("nullable").and_then(Value::as_bool) == Some(true) {
            return Ok(());
        }
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            let ok = match t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "boolean" => v.is_boolean(),
                "number" => v.is_number(),
                "integer" => v.is_i64() || v.is_u64(),
                "null" => v.is_null(),
                other => return fail(format!("unknown type `{other}` in schema")),
            };
            if !ok {
                return fail(format!("expected {t}, got {}", kind(v)));
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array) {
            if !e.contains(v) {
                return fail(format!("{v} is not one of {}", Value::Array(e.clone())));
            }
        }
        self.check_combinators(s, v, path)?;
        match v {
            Value::Object(o) => self.check_object(s, o, path)?,
            Value::Array(a) => {
                if let Some(n) = s.get("minItems").and_then(Value::as_u64) {
                    if (a.len() as u64) < n {
                        return fail(format!("{} items, at least {n} required", a.len()));
                    }
                }
                if let Some(n) = s.get("maxItems").and_then(Value::as_u64) {
                    if a.len() as u64 > n {
                        return fail(format!("{} items, at most {n} allowed", a.len()));
                    }
                }
                if let Some(items) = s.get("items") {
                    for (i, x) in a.iter().enumerate() {
                        self.check(items, x, &format!("{path}[{i}]"))?;
                    }
                }
            }
            Value::String(text) => {
                let len = text.chars().count() as u64;
                if let Some(n) = s.get("maxLength").and_then(Value::as_u64) {
                    if len > n {
                        return fail(format!("{len} characters, at most {n}"));
                    }
                }
                if let Some(n) = s.get("minLength").and_then(Value::as_u64) {
                    if len < n {
                        return fail(format!("{len} characters, at least {n}"));
                    }
                }
                if let Some(f) = s.get("format").and_then(Value::as_str) {
                    if let Err(m) = check_format(f, text) {
                        return fail(m);
                    }
                }
            }
            Value::Number(n) => {
                // Comparisons only (no float arithmetic).
                let x = n.as_f64().unwrap_or(0.0);
                if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
                    if x < min {
                        return fail(format!("{n} is below the minimum {min}"));
                    }
                }
                if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
                    if x > max {
                        return fail(format!("{n} is above the maximum {max}"));
                    }
                }
            }
            Value::Null => {
                // `null` is only valid via `nullable` (handled above) or an untyped schema.
                if s.contains_key("type") || s.contains_key("properties") {
                    return fail("null is not allowed here (not nullable)".to_owned());
                }
            }
            Value::Bool(_) => {}
        }
        Ok(())
    }

    fn check_combinators(
        &self,
        s: &Map<String, Value>,
        v: &Value,
        path: &str,
    ) -> Result<(), Violation> {
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.check(sub, v, path)?;
            }
        }
        if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            let errs: Vec<Violation> = any
                .iter()
                .filter_map(|sub| self.check(sub, v, path).err())
                .collect();
            if errs.len() == any.len() {
                return Err(Violation {
                    path: path.to_owned(),
                    message: format!("matches none of anyOf: {}", join(&errs)),
                });
            }
        }
        if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
            let results: Vec<Result<(), Violation>> =
                one.iter().map(|sub| self.check(sub, v, path)).collect();
            let matched = results.iter().filter(|r| r.is_ok()).count();
            if matched != 1 {
                let errs: Vec<Violation> = results.into_iter().filter_map(Result::err).collect();
                return Err(Violation {
                    path: path.to_owned(),
                    message: if matched == 0 {
                        format!("matches none of oneOf: {}", join(&errs))
                    } else {
                        format!("matches {matched} oneOf branches, exactly one required")
                    },
                });
            }
        }
        Ok(())
    }

    fn check_object(
        &self,
        s: &Map<String, Value>,
        o: &Map<String, Value>,
        path: &str,
    ) -> Result<(), Violation> {
        let at = |k: &str| {
            if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                format!("{path}.{k}")
            } else {
                format!("{path}[{k:?}]")
            }
        };
        if let Some(req) = s.get("required").and_then(Value::as_array) {
            for k in req.iter().filter_map(Value::as_str) {
                if !o.contains_key(k) {
                    return Err(Violation {
                        path: at(k),
                        message: "required property is missing".to_owned(),
                    });
                }
            }
        }
        let count = o.len() as u64;
        if let Some(n) = s.get("minProperties").and_then(Value::as_u64) {
            if count < n {
                return Err(Violation {
                    path: path.to_owned(),
                    message: format!("{count} properties, at least {n} required"),
                });
            }
        }
        if let Some(n) = s.get("maxProperties").and_then(Value::as_u64) {
            if count > n {
                return Err(Violation {
                    path: path.to_owned(),
                    message: format!("{count} properties, at most {n} allowed"),
                });
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        let additional = s.get("additionalProperties");
        for (k, val) in o {
            match props.and_then(|p| p.get(k)) {
                Some(sub) => self.check(sub, val, &at(k))?,
                None => match additional {
                    Some(Value::Bool(false)) => {
                        return Err(Violation {
                            path: at(k),
                            message: "additional property not allowed".to_owned(),
                        })
                    }
                    Some(sub @ Value::Object(_)) => self.check(sub, val, &at(k))?,
                    _ => {}
                },
            }
        }
        Ok(())
    }
}

fn join(errs: &[Violation]) -> String {
    errs.iter()
        .map(|e| format!("[{e}]"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check_format(format: &str, s: &str) -> Result<(), String> {
    match format {
        "uuid" => {
            let groups: Vec<&str> = s.split('-').collect();
            let lens = [8, 4, 4, 4, 12];
            let ok = groups.len() == 5
                && groups
                    .iter()
                    .zip(lens)
                    .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
            if ok {
                Ok(())
            } else {
                Err(format!("`{s}` is not a uuid"))
            }
        }
        "date-time" => tamara_core::Timestamp::parse_rfc3339(s)
            .map(|_| ())
            .ok_or_else(|| format!("`{s}` is not an RFC 3339 date-time")),
        "uri" => {
            let ok = s.split_once("://").is_some_and(|(scheme, rest)| {
                !scheme.is_empty()
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                    && !rest.is_empty()
                    && !rest.contains(char::is_whitespace)
            });
            if ok {
                Ok(())
            } else {
                Err(format!("`{s}` is not an absolute URI"))
            }
        }
        _ => Ok(()),
    }
}
