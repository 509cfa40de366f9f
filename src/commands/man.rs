//! `smartlic man`: man pages, generated from the command line definition.

use super::common::ExitStatus;
use crate::cli::Cli;

/// `smartlic man [VERB] [--out-dir DIR]`: man pages generated from the CLI definition,
/// one for smartlic and one per verb (`smartlic-apply(1)`, `smartlic-lab-serve(1)`).
pub(crate) fn man(args: &crate::cli::ManArgs) -> ExitStatus {
    use clap::CommandFactory;
    let root = Cli::command();
    let result = match &args.out_dir {
        Some(dir) => write_man_pages(&root, dir),
        None => match find_verb(&root, &args.verb) {
            Some(command) => clap_mangen::Man::new(command).render(&mut std::io::stdout()),
            None => {
                eprintln!(
                    "error: no verb `{}`: see `smartlic --help`",
                    args.verb.join(" ")
                );
                return ExitStatus::Usage;
            }
        },
    };
    match result {
        Ok(()) => ExitStatus::Success,
        Err(e) => {
            eprintln!("error: cannot write the man page: {e}");
            ExitStatus::HostFailed
        }
    }
}

/// The command `path` names under `root` (`["lab", "serve"]`), named as its page is:
/// `smartlic-lab-serve`.
pub(crate) fn find_verb(root: &clap::Command, path: &[String]) -> Option<clap::Command> {
    let mut command = root.clone();
    let mut name = root.get_name().to_string();
    for verb in path {
        command = command.find_subcommand(verb)?.clone();
        name = format!("{name}-{verb}");
    }
    Some(command.name(name))
}

/// Every page, written into `dir`.
pub(crate) fn write_man_pages(root: &clap::Command, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut pending = vec![(Vec::<String>::new(), root.clone())];
    while let Some((path, command)) = pending.pop() {
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut sub_path = path.clone();
            sub_path.push(sub.get_name().to_string());
            pending.push((sub_path, sub.clone()));
        }
        let page = find_verb(root, &path).expect("found while walking");
        let mut file = std::fs::File::create(dir.join(format!("{}.1", page.get_name())))?;
        clap_mangen::Man::new(page).render(&mut file)?;
    }
    Ok(())
}
