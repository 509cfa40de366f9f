//! Rendering: turns one host's template context into the desired configuration text.
//!
//! This module owns the minijinja environment over `templates/`: which template serves which
//! platform and licensing model (`templates/<platform>/<model>.j2`), the syntax settings, the
//! embedded copies, the `--templates DIR` overrides, and a last safety check on the output.
//! It does not own the context (the intent layer builds and validates it), the meaning of the
//! lines (the templates and `docs/platform-notes.md`), or how the text is diffed and sent
//! (`config`, `platform`).
//!
//! The templates print the configuration the way `show running-config` prints it, because that
//! is what the diff compares against. A template refuses an intent it cannot express with a
//! verified command by calling `fail("…")`, which surfaces as [`RenderError::Template`] naming
//! the template file and line.

use std::fs;
use std::path::{Path, PathBuf};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, Value};

/// Embeds each named file of `templates/` as (name, source).
macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../templates/", $name)))),*]
    };
}

/// Every template compiled into the binary, by its path under `templates/`. A new template file
/// must be listed here (the test `every_template_file_is_embedded` checks it).
const BUILTIN: &[(&str, &str)] = embed![
    "apic/classic.j2",
    "ios-xe/_callhome.j2",
    "ios-xe/_globals.j2",
    "ios-xe/classic.j2",
    "ios-xe/policy.j2",
    "nx-os/_callhome.j2",
    "nx-os/_checks.j2",
    "nx-os/_globals.j2",
    "nx-os/classic.j2",
    "nx-os/policy.j2",
];

/// The file extension of template files, in the binary and in an override directory.
const EXTENSION: &str = "j2";

/// Errors of this module. Messages are lowercase and name the template file (and line, where
/// minijinja knows it).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No template exists for this platform and licensing model (APIC with Smart Licensing
    /// Using Policy, for instance).
    #[error("no template for platform {platform} with licensing model {model} (looked for {name})")]
    NoTemplate {
        platform: String,
        model: String,
        name: String,
    },
    /// The `--templates` directory, or a file in it, could not be read.
    #[error("cannot read template override {}: {source}", path.display())]
    Override {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A template failed to compile or render: a syntax error, an undefined variable (strict
    /// mode), or a `fail("…")` refusal. minijinja's message ends with `(in FILE:LINE)`.
    #[error("template error: {}", describe(source))]
    Template {
        #[from]
        source: Error,
    },
    /// A rendered line holds a control character: it could smuggle a second command line onto
    /// the device. The intent layer should have refused the value; this is the last guard.
    #[error("{name} rendered a control character in output line {line}: {text:?}")]
    ControlCharacter {
        name: String,
        line: usize,
        text: String,
    },
}

/// The compiled templates: build once, render many hosts (rendering only walks compiled
/// instructions; nothing is parsed or read from disk per host).
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

impl Templates {
    /// The templates embedded in the binary.
    pub fn builtin() -> Templates {
        let mut env = new_environment();
        for (name, source) in BUILTIN {
            // The embedded templates are compiled by the test suite, so a failure here is a
            // build defect, not a user error.
            env.add_template(name, source)
                .unwrap_or_else(|err| panic!("embedded template {name} does not compile: {err:#}"));
        }
        Templates { env }
    }

    /// The embedded templates, with every `*.j2` file found under `dir` (by its relative path,
    /// e.g. `ios-xe/_callhome.j2`) taking the place of the embedded one of the same name. Files
    /// with new names are added too, so an override can include its own partials.
    pub fn with_overrides(dir: &Path) -> Result<Templates, RenderError> {
        let mut templates = Templates::builtin();
        for (name, path) in override_files(dir)? {
            let source = match crate::files::read(&path, crate::files::TEMPLATE) {
                Ok(source) => source,
                Err(source) => return Err(RenderError::Override { path, source }),
            };
            crate::inputs::record(&path, source.as_bytes());
            templates.env.add_template_owned(name, source)?;
        }
        Ok(templates)
    }

    /// Renders `templates/<platform>/<model>.j2` with `context`: the serialised
    /// [`crate::intent::Intent`] (examples: `tests/golden/render/*/context.json`).
    pub fn render(
        &self,
        platform: &str,
        model: &str,
        context: &impl serde::Serialize,
    ) -> Result<String, RenderError> {
        let name = template_name(platform, model);
        let template = self
            .env
            .get_template(&name)
            .map_err(|err| match err.kind() {
                ErrorKind::TemplateNotFound => RenderError::NoTemplate {
                    platform: platform.to_owned(),
                    model: model.to_owned(),
                    name: name.clone(),
                },
                _ => RenderError::Template { source: err },
            })?;
        let text = template.render(Value::from(Serde(context)))?;
        check_control_characters(&name, &text)?;
        Ok(text)
    }
}

/// The template that serves a platform and licensing model.
pub fn template_name(platform: &str, model: &str) -> String {
    format!("{platform}/{model}.{EXTENSION}")
}

/// One environment configuration for embedded and overridden templates alike.
fn new_environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Config text has no escaping; a missing variable is a bug, never an empty string.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Block tags on their own lines vanish, so templates can be written one config line per
    // template line; the file's final newline is kept so the output ends with one.
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .expect("the default delimiters are valid");
    env.set_syntax(syntax);
    env.add_function("fail", fail);
    env
}

/// The innermost minijinja error (the real cause, with its file and line), followed by the
/// includes it was reached through: minijinja reports an error inside an included template as
/// "could not render include" with the cause only in its source chain.
fn describe(err: &Error) -> String {
    let mut chain = vec![err];
    while let Some(inner) = chain
        .last()
        .and_then(|last| std::error::Error::source(*last))
        .and_then(|source| source.downcast_ref::<Error>())
    {
        chain.push(inner);
    }
    let mut text = chain.last().map_or_else(String::new, ToString::to_string);
    for outer in chain.iter().rev().skip(1) {
        if let (Some(name), Some(line)) = (outer.name(), outer.line()) {
            text.push_str(&format!(", included from {name}:{line}"));
        }
    }
    text
}

/// `fail("message")`: lets a template refuse an intent it cannot express.
fn fail(message: String) -> Result<Value, Error> {
    Err(Error::new(ErrorKind::InvalidOperation, message))
}

/// Every `*.j2` file under `dir`, as (name relative to `dir` with `/` separators, path).
fn override_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, RenderError> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let read_error = |source| RenderError::Override {
            path: current.clone(),
            source,
        };
        for entry in fs::read_dir(&current).map_err(read_error)? {
            let path = entry.map_err(read_error)?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == EXTENSION) {
                found.push((relative_name(dir, &path), path));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `dir/ios-xe/classic.j2` → `ios-xe/classic.j2`, whatever the platform's path separator.
fn relative_name(dir: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(dir).unwrap_or(path);
    let parts: Vec<_> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// The output is sent line by line to a CLI: a control character inside a line (a CR, an
/// escape, a NUL) could end the line early or confuse the terminal.
fn check_control_characters(name: &str, text: &str) -> Result<(), RenderError> {
    match text
        .split('\n')
        .enumerate()
        .find(|(_, line)| line.chars().any(char::is_control))
    {
        Some((index, line)) => Err(RenderError::ControlCharacter {
            name: name.to_owned(),
            line: index + 1,
            text: line.to_owned(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_file_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
        let on_disk: Vec<String> = override_files(&dir)
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        let embedded: Vec<&str> = BUILTIN.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            on_disk, embedded,
            "BUILTIN must list templates/ in sorted order"
        );
    }

    #[test]
    fn every_embedded_template_compiles() {
        let templates = Templates::builtin();
        for (name, _) in BUILTIN {
            templates.env.get_template(name).unwrap();
        }
    }

    #[test]
    fn template_names_follow_platform_and_model() {
        assert_eq!(template_name("nx-os", "policy"), "nx-os/policy.j2");
    }

    #[test]
    fn control_characters_are_refused_with_their_line() {
        let err = check_control_characters("x.j2", "ok\nbad\rline\n").unwrap_err();
        assert!(
            matches!(err, RenderError::ControlCharacter { line: 2, .. }),
            "{err}"
        );
        assert!(check_control_characters("x.j2", "ok\nfine\n").is_ok());
    }

    #[test]
    fn a_tab_is_a_control_character() {
        assert!(check_control_characters("x.j2", "a\tb\n").is_err());
    }

    #[test]
    fn templates_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Templates>();
    }
}
