//! Templates: `templates/NAME.toml` (metadata, declared fields, section mapping and
//! minijinja strings for the letter's fixed parts) plus the shared `templates/practice.toml`
//! (practice details and default texts). Loading compiles every minijinja string so a
//! syntax error is reported with file and line before anything is rendered.
//!
//! Must never guess a template: an unknown name is an error that lists what exists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::DocumentError;

/// File holding practice details and default texts shared by every template.
pub const PRACTICE_FILE: &str = "practice.toml";
/// File mapping the work types authors say ("gp-letter") to templates, for departments
/// without a template of that name.
pub const WORK_TYPES_FILE: &str = "work-types.toml";

/// Template parts, in the order the letter is laid out.
pub const PARTS: &[&str] = &[
    "letterhead",
    "letterhead_details",
    "date",
    "recipient",
    "title",
    "reference",
    "salutation",
    "opening",
    "closing",
    "sign_off",
    "signature",
    "draft_marker",
    "signed_marker",
    "cc",
    "enclosures",
    "footer",
    "continuation",
];

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Dotted name, e.g. "patient.name".
    pub name: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub description: String,
}

/// One section of the letter body and the Draft section keys that fill it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    pub heading: String,
    pub keys: Vec<String>,
    /// The letter is incomplete without this section: when nothing is dictated for it, the
    /// letter shows a placeholder and a `missing_field` query.
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    pub description: String,
    pub fields: Vec<FieldSpec>,
    pub sections: Vec<SectionSpec>,
    /// Heading for dictated text that has neither a template section nor its own heading.
    pub other_heading: String,
    /// minijinja source of each part (template value, else the practice default).
    pub(crate) parts: BTreeMap<String, Part>,
    /// Defaults from practice.toml (e.g. `practice.name`), overridden by field data.
    pub(crate) defaults: serde_json::Value,
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub source: String,
    pub file: PathBuf,
    /// 1-based line in `file` where the string's first line is.
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    description: String,
    #[serde(default)]
    fields: Vec<FieldSpec>,
    #[serde(default)]
    sections: Vec<SectionSpec>,
    #[serde(default)]
    other_heading: Option<String>,
    #[serde(default)]
    text: BTreeMap<String, toml::Spanned<String>>,
}

#[derive(Deserialize)]
struct PracticeFile {
    #[serde(default)]
    text: BTreeMap<String, toml::Spanned<String>>,
    #[serde(flatten)]
    defaults: BTreeMap<String, toml::Value>,
}

/// All templates in `dir`, sorted by name. Fails on the first broken template.
pub fn list_templates(dir: &Path) -> Result<Vec<Template>, DocumentError> {
    template_names(dir)?
        .iter()
        .map(|n| load_template(dir, n))
        .collect()
}

/// The template for a spoken work type: the template of that name, else the one
/// `work-types.toml` names for it; `None` when neither exists.
pub fn template_for_work_type(
    dir: &Path,
    work_type: &str,
) -> Result<Option<String>, DocumentError> {
    let names = template_names(dir)?;
    let mut name = work_type.to_string();
    let file = dir.join(WORK_TYPES_FILE);
    if !names.contains(&name) && file.exists() {
        let src = read(&file)?;
        let map: BTreeMap<String, String> =
            toml::from_str(&src).map_err(|e| toml_error(&file, &src, &e))?;
        if let Some(t) = map.get(work_type) {
            name = t.clone();
        }
    }
    Ok(names.contains(&name).then_some(name))
}

/// Loads `dir/NAME.toml` with the shared practice defaults and checks its syntax.
pub fn load_template(dir: &Path, name: &str) -> Result<Template, DocumentError> {
    let names = template_names(dir)?;
    if !names.iter().any(|n| n == name) {
        return Err(DocumentError::UnknownTemplate {
            name: name.to_string(),
            dir: dir.to_path_buf(),
            available: if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            },
        });
    }
    let file = dir.join(format!("{name}.toml"));
    let src = read(&file)?;
    let tf: TemplateFile = toml::from_str(&src).map_err(|e| toml_error(&file, &src, &e))?;

    let mut parts = BTreeMap::new();
    let mut defaults = serde_json::Value::Object(Default::default());
    let practice = dir.join(PRACTICE_FILE);
    if practice.exists() {
        let psrc = read(&practice)?;
        let pf: PracticeFile =
            toml::from_str(&psrc).map_err(|e| toml_error(&practice, &psrc, &e))?;
        add_parts(&mut parts, pf.text, &practice, &psrc)?;
        defaults = serde_json::to_value(&pf.defaults).map_err(|e| DocumentError::FieldsFile {
            path: practice.clone(),
            message: e.to_string(),
        })?;
    }
    add_parts(&mut parts, tf.text, &file, &src)?;
    for (key, part) in &parts {
        check_syntax(key, part)?;
    }
    for f in &tf.fields {
        if f.name.split('.').any(str::is_empty) {
            return Err(syntax(
                &file,
                1,
                format!("field name '{}' is not a dotted name", f.name),
            ));
        }
    }
    Ok(Template {
        name: name.to_string(),
        description: tf.description,
        fields: tf.fields,
        sections: tf.sections,
        other_heading: tf.other_heading.unwrap_or_else(|| "Other".to_string()),
        parts,
        defaults,
        dir: dir.to_path_buf(),
    })
}

fn template_names(dir: &Path) -> Result<Vec<String>, DocumentError> {
    let io = |source| DocumentError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "toml")
            && path
                .file_name()
                .is_some_and(|f| f != PRACTICE_FILE && f != WORK_TYPES_FILE)
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            names.push(stem.to_string());
        }
    }
    names.sort();
    Ok(names)
}

fn read(path: &Path) -> Result<String, DocumentError> {
    std::fs::read_to_string(path).map_err(|source| DocumentError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn add_parts(
    parts: &mut BTreeMap<String, Part>,
    text: BTreeMap<String, toml::Spanned<String>>,
    file: &Path,
    src: &str,
) -> Result<(), DocumentError> {
    for (key, value) in text {
        let start = value.span().start;
        let mut line = line_of(src, start);
        if !PARTS.contains(&key.as_str()) {
            return Err(syntax(
                file,
                line,
                format!("unknown [text] key '{key}'; known: {}", PARTS.join(", ")),
            ));
        }
        let raw = src.get(start..).unwrap_or("");
        if (raw.starts_with("\"\"\"") || raw.starts_with("'''"))
            && raw[3..]
                .trim_start_matches([' ', '\t', '\r'])
                .starts_with('\n')
        {
            line += 1; // multi-line string: first line break after the quotes is trimmed
        }
        let part = Part {
            source: value.into_inner(),
            file: file.to_path_buf(),
            line,
        };
        parts.insert(key, part);
    }
    Ok(())
}

/// A minijinja environment configured the way every part is rendered.
pub(crate) fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.add_filter("as_list", as_list);
    env
}

/// `value | as_list`: a list stays a list; a string is split on newlines and ';'.
fn as_list(value: minijinja::Value) -> Vec<String> {
    if let Some(s) = value.as_str() {
        return s
            .split(['\n', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    }
    match value.try_iter() {
        Ok(items) => items
            .map(|v| v.to_string())
            .filter(|s| !s.trim().is_empty())
            .collect(),
        Err(_) => vec![value.to_string()],
    }
}

fn check_syntax(key: &str, part: &Part) -> Result<(), DocumentError> {
    let env = environment();
    env.template_from_named_str(key, &part.source)
        .map(|_| ())
        .map_err(|e| {
            let line = part.line + e.line().unwrap_or(1).saturating_sub(1);
            let what = e
                .detail()
                .map(str::to_string)
                .unwrap_or_else(|| e.kind().to_string());
            syntax(
                &part.file,
                line,
                format!("[text].{key}: template syntax error: {what}"),
            )
        })
}

fn toml_error(file: &Path, src: &str, e: &toml::de::Error) -> DocumentError {
    let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(1);
    syntax(file, line, e.message().trim().replace('\n', " "))
}

fn syntax(file: &Path, line: usize, message: String) -> DocumentError {
    DocumentError::TemplateSyntax {
        file: file.to_path_buf(),
        line,
        message,
    }
}

fn line_of(src: &str, byte: usize) -> usize {
    src.get(..byte).unwrap_or(src).matches('\n').count() + 1
}
