//! The one error type of the document stage. Every message is one line naming the file,
//! template or field and what is wrong. Messages never include field values (PHI).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no template named '{name}' in {}; available: {available}", dir.display())]
    UnknownTemplate {
        name: String,
        dir: PathBuf,
        available: String,
    },
    #[error("{}:{line}: {message}", file.display())]
    TemplateSyntax {
        file: PathBuf,
        line: usize,
        message: String,
    },
    #[error("template '{template}', {part}: {message}")]
    TemplateRender {
        template: String,
        part: String,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    FieldsFile { path: PathBuf, message: String },
    #[error("logo {}: {message}", path.display())]
    Logo { path: PathBuf, message: String },
    #[error("could not build the DOCX: {0}")]
    Docx(String),
    #[error("{count} unresolved finding(s); resolve them before signing the letter")]
    Unresolved { count: usize },
    #[error("cannot write {}: {message}", path.display())]
    Write { path: PathBuf, message: String },
}
