//! `smartlic plan`: what would change, offline from saved configs or live.

use super::common::{ExitStatus, Styles, invalid, live, load};
use crate::cli::{Format, PlanArgs};
use crate::commands::live::Live;
use crate::live::Mode;
use crate::plan::{Summary, plan_offline};
use crate::report::{self};
use crate::source::{Diagnostic, Origin};
use crate::targets::{self, Needs};

pub(crate) fn plan(args: &PlanArgs, styles: &Styles) -> ExitStatus {
    let Some(running_dir) = args.running_dir.as_deref().filter(|_| args.offline) else {
        let how = Live {
            save_to: args.out.as_deref(),
            detailed_exitcode: args.detailed_exitcode,
            ..Live::new(&args.live, Mode::Plan)
        };
        return live(&args.run, how, styles);
    };
    let Ok(targets) = load(&args.run, styles) else {
        return ExitStatus::InvalidInput;
    };
    if !running_dir.is_dir() {
        let d = Diagnostic::error(
            &Origin::CommandLine("--running-dir".into()),
            "",
            format!("{} is not a folder", running_dir.display()),
        );
        invalid(&[d], args.run.format, styles);
        return ExitStatus::InvalidInput;
    }
    let mut warnings = crate::plan::missing_running(&targets.targets, running_dir);
    // The token is not read by an offline plan, but a pipeline should learn before the
    // apply that it will be missing.
    let tokens = Needs {
        tokens: true,
        keys: false,
    };
    warnings.extend(
        targets::check_run_inputs(&targets.targets, tokens)
            .into_iter()
            .map(|d| Diagnostic {
                severity: crate::source::Severity::Warning,
                ..d
            }),
    );
    if matches!(args.run.format, Format::Human | Format::Markdown) {
        eprint!("{}", report::diagnostics(&warnings, styles.err));
    }
    let plans = plan_offline(&targets.targets, running_dir);
    let summary = Summary::of(&plans);
    if let Some(path) = &args.live.junit
        && let Err(e) = std::fs::write(path, report::plan_junit(&plans))
    {
        eprintln!(
            "error: cannot write the JUnit report to {}: {e}",
            path.display()
        );
        return ExitStatus::HostFailed;
    }
    match args.run.format {
        Format::Human => print!(
            "{}",
            report::plan_human(&plans, summary, |p| p.platform.dialect().indent, styles.out)
        ),
        Format::Markdown => print!("{}", report::plan_markdown(&plans)),
        doc => print!(
            "{}",
            report::emit(&report::plan_json(&plans, summary), doc == Format::Yaml)
        ),
    }
    if summary.failed > 0 {
        ExitStatus::HostFailed
    } else if summary.changed > 0 && args.detailed_exitcode {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}
