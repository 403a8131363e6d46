//! Field data for a letter: a nested map read from a `.toml` or `.json` file and/or set
//! with dotted keys (`--set patient.name="..."`). Strings are cleaned of control
//! characters on the way in so they can always be written to XML.
//!
//! Must never put a field value into an error message or a log line.

use std::path::Path;

use serde_json::{Map, Value};

use super::DocumentError;
use super::sanitize::clean;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(Map<String, Value>);

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a `.toml` or `.json` file whose top level is a table/object.
    pub fn from_file(path: &Path) -> Result<Self, DocumentError> {
        let err = |message: String| DocumentError::FieldsFile {
            path: path.to_path_buf(),
            message,
        };
        let ext = path.extension().and_then(|e| e.to_str());
        if !matches!(ext, Some("toml" | "json")) {
            return Err(err("field data must be a .toml or .json file".to_string()));
        }
        let src = std::fs::read_to_string(path).map_err(|source| DocumentError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let value = match ext {
            Some("toml") => {
                let v: toml::Table = toml::from_str(&src).map_err(|e| {
                    let line = e
                        .span()
                        .map(|s| src.get(..s.start).unwrap_or("").matches('\n').count() + 1)
                        .unwrap_or(1);
                    err(format!(
                        "line {line}: {}",
                        e.message().trim().replace('\n', " ")
                    ))
                })?;
                toml_to_json(toml::Value::Table(v))
            }
            _ => serde_json::from_str::<Value>(&src).map_err(|e| {
                err(format!(
                    "line {} column {}: invalid JSON ({:?})",
                    e.line(),
                    e.column(),
                    e.classify()
                ))
            })?,
        };
        match value {
            Value::Object(map) => Ok(Fields(clean_map(map))),
            _ => Err(err(
                "field data must be a table of fields at the top level".to_string()
            )),
        }
    }

    /// Sets a dotted key, creating (or replacing non-table) parents on the way.
    /// Empty key segments are ignored; an all-empty key does nothing.
    pub fn set(&mut self, dotted_key: &str, value: &str) {
        let keys: Vec<&str> = dotted_key
            .split('.')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .collect();
        let Some((last, parents)) = keys.split_last() else {
            return;
        };
        let mut map = &mut self.0;
        for key in parents {
            let slot = map
                .entry(key.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            match slot {
                Value::Object(m) => map = m,
                _ => return,
            }
        }
        map.insert(last.to_string(), Value::String(clean(value)));
    }

    /// The value at a dotted key, if present.
    pub fn get(&self, dotted_key: &str) -> Option<&Value> {
        let mut keys = dotted_key.split('.');
        let mut value = self.0.get(keys.next()?)?;
        for key in keys {
            value = value.as_object()?.get(key)?;
        }
        Some(value)
    }

    /// True when the dotted key holds something other than null, "" or an empty list.
    pub fn has(&self, dotted_key: &str) -> bool {
        match self.get(dotted_key) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(Value::Array(a)) => !a.is_empty(),
            Some(_) => true,
        }
    }

    /// Copies every key of `other` over `self` (tables merge, other values replace).
    pub fn merge(&mut self, other: &Fields) {
        merge_into(&mut self.0, &other.0);
    }

    pub(crate) fn from_value(value: Value) -> Self {
        match value {
            Value::Object(map) => Fields(clean_map(map)),
            _ => Fields::new(),
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        Value::Object(self.0.clone())
    }
}

fn merge_into(dst: &mut Map<String, Value>, src: &Map<String, Value>) {
    for (k, v) in src {
        match (dst.get_mut(k), v) {
            (Some(Value::Object(d)), Value::Object(s)) => merge_into(d, s),
            _ => {
                dst.insert(k.clone(), v.clone());
            }
        }
    }
}

fn clean_map(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .map(|(k, v)| (clean(&k), clean_value(v)))
        .collect()
}

fn clean_value(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(clean(&s)),
        Value::Array(a) => Value::Array(a.into_iter().map(clean_value).collect()),
        Value::Object(m) => Value::Object(clean_map(m)),
        other => other,
    }
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_creates_nested_tables_and_overrides() {
        let mut f = Fields::new();
        f.set("patient.name", "Mrs Jane\u{0} Doe");
        f.set("patient", "x");
        f.set("patient.dob", "1 May 1950");
        f.set("..", "ignored");
        assert_eq!(
            f.get("patient.dob"),
            Some(&Value::String("1 May 1950".into()))
        );
        assert!(f.get("patient.name").is_none());
        f.set("patient.name", "Jane\u{7}");
        assert_eq!(f.get("patient.name"), Some(&Value::String("Jane".into())));
        assert!(!f.has("patient.nhs"));
    }
}
