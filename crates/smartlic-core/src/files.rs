//! The files a user names: how much of each kind is read, and which names hosts get.
//!
//! Every file smartlic reads from its input goes through [`read`]: it must be a regular
//! file (a FIFO would block the run forever, a device such as `/dev/zero` never ends) no
//! bigger than its kind's [`Limit`], all of which are in the one table below (the README's
//! "Resource bounds" lists them). Every file named after an inventory host gets its name
//! from [`host_file_name`], so that no host name leads out of the folder meant for it.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// The most bytes one file of a kind may have, and the kind's name in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub bytes: u64,
    pub kind: &'static str,
}

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// Inventories, vars files, playbooks and `-e @file`: the benchmark's 100,000-host
/// inventory is about 12 MiB, so this leaves room for more variables per host.
pub const YAML: Limit = Limit {
    bytes: 32 * MIB,
    kind: "YAML file",
};
/// A saved running config of `--running-dir`: a large switch's is a few hundred KiB.
pub const RUNNING_CONFIG: Limit = Limit {
    bytes: 8 * MIB,
    kind: "saved running config",
};
/// A template override (the built-in templates are a few KiB each).
pub const TEMPLATE: Limit = Limit {
    bytes: MIB,
    kind: "template",
};
/// A trustpoint's PEM CA certificate (a whole CA bundle is a few hundred KiB).
pub const CA_CERT: Limit = Limit {
    bytes: MIB,
    kind: "CA certificate file",
};
/// An OpenSSH known_hosts file: 100,000 hosts with RSA-3072 keys take about 56 MiB.
pub const KNOWN_HOSTS: Limit = Limit {
    bytes: 64 * MIB,
    kind: "known_hosts file",
};
/// An SSH private key (an RSA-16384 key in PEM is about 12 KiB).
pub const SSH_KEY: Limit = Limit {
    bytes: MIB,
    kind: "SSH key file",
};
/// A vault password file, and an ID token file: one short line each.
pub const SECRET_FILE: Limit = Limit {
    bytes: 64 * KIB,
    kind: "password or token file",
};
/// A saved plan, or a report given to `report merge`: a whole fleet's, with every diff.
pub const PLAN_OR_REPORT: Limit = Limit {
    bytes: GIB,
    kind: "plan or report",
};

/// The text of the regular file at `path`, refused without reading it if it is not a
/// regular file or has more than `limit` bytes.
pub fn read(path: &Path, limit: Limit) -> io::Result<String> {
    String::from_utf8(read_bytes(path, limit)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the file is not UTF-8 text"))
}

/// As [`read`], for a file whose bytes are wanted as they are.
pub fn read_bytes(path: &Path, limit: Limit) -> io::Result<Vec<u8>> {
    // Checked before opening: opening a FIFO blocks until something writes to it.
    check(path, limit)?;
    let file = File::open(path)?;
    let meta = file.metadata()?;
    check_metadata(&meta, limit)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow while it is read: never more than the limit.
    file.take(limit.bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_big(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// Whether [`read`] would read the file at `path`, without opening it.
fn check(path: &Path, limit: Limit) -> io::Result<()> {
    check_metadata(&std::fs::metadata(path)?, limit)
}

fn check_metadata(meta: &Metadata, limit: Limit) -> io::Result<()> {
    if meta.is_dir() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "is a folder"));
    }
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO or device could block or never end)",
        ));
    }
    if meta.len() > limit.bytes {
        return Err(too_big(meta.len(), limit));
    }
    Ok(())
}

fn too_big(len: u64, limit: Limit) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{len} bytes, more than the {} a {} may have",
            size(limit.bytes),
            limit.kind
        ),
    )
}

/// `32 MiB`, `64 KiB`, or bytes.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= GIB && b % GIB == 0 => format!("{} GiB", b / GIB),
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// The name of `host`'s file in a folder of per-host files (saved running configs,
/// session logs): `<host><extension>`, with each path separator (`/`, `\`) in the
/// inventory name written as `_`, so that a name such as `../x` stays inside the folder.
/// The extension (e.g. `.cfg`) keeps `.` and `..` from being names of their own.
pub fn host_file_name(host: &str, extension: &str) -> String {
    debug_assert!(extension.starts_with('.') && extension.len() > 1);
    format!("{}{extension}", host.replace(['/', '\\'], "_"))
}

/// `sha256:<hex>` of `bytes`.
pub fn digest_bytes(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: Limit = Limit {
        bytes: 8,
        kind: "test file",
    };

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "12345678").unwrap();
        assert_eq!(read(&path, TINY).unwrap(), "12345678");
        std::fs::write(&path, "123456789").unwrap();
        let err = read(&path, TINY).unwrap_err().to_string();
        assert_eq!(err, "9 bytes, more than the 8 bytes a test file may have");
        assert!(
            read(dir.path(), TINY)
                .unwrap_err()
                .to_string()
                .contains("folder")
        );
        let err = read(Path::new("/dev/zero"), YAML).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(read(&path, TINY).unwrap_err().to_string().contains("UTF-8"));
        assert_eq!(read_bytes(&path, TINY).unwrap(), [0xff, 0xfe]);
    }

    #[test]
    fn a_fifo_is_refused_without_opening_it() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        // Opening it would block this test forever; it is refused first.
        let err = read(&fifo, YAML).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[test]
    fn sizes_are_named_in_their_unit() {
        assert_eq!(size(YAML.bytes), "32 MiB");
        assert_eq!(size(SECRET_FILE.bytes), "64 KiB");
        assert_eq!(size(PLAN_OR_REPORT.bytes), "1 GiB");
        assert_eq!(size(1000), "1000 bytes");
    }

    #[test]
    fn host_names_stay_inside_their_folder() {
        assert_eq!(host_file_name("sw1", ".cfg"), "sw1.cfg");
        assert_eq!(
            host_file_name("../outside/secret", ".cfg"),
            ".._outside_secret.cfg"
        );
        assert_eq!(host_file_name("..\\x", ".log"), ".._x.log");
        assert_eq!(host_file_name("/etc/passwd", ".cfg"), "_etc_passwd.cfg");
        for name in ["..", ".", "a/../../b", "/"] {
            let file = host_file_name(name, ".cfg");
            let path = Path::new("dir").join(&file);
            assert_eq!(path.parent(), Some(Path::new("dir")), "{name}");
            assert!(!matches!(file.as_str(), "." | ".."), "{name}");
        }
    }
}
