//! Reading a file the project holds: only a regular file (a FIFO would block the run forever, `/dev/zero` would be
//! read until memory runs out), only up to a size, and, within a project root, never through a symbolic link that
//! leads outside it. Every file the tool reads goes through [`read`] or [`read_text`].
//!
//! The file's type is checked before it is opened (devices and FIFOs are never opened), the open does not block
//! (`O_NONBLOCK`: the path may be replaced by a FIFO between the check and the open), and the opened file is checked
//! again; at most `limit + 1` bytes are ever read, whatever the file says its size is (`/proc` files say 0).

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The most a source file, a view or static HTML may hold: 16 MiB (bigger is generated code or data, not an app).
pub const SOURCE_LIMIT: u64 = 16 << 20;

/// The most a package.json, `express-harden.json`, `.nvmrc` or `.node-version` may hold: 4 MiB.
pub const TEXT_LIMIT: u64 = 4 << 20;

/// The most a lockfile may hold (they are read to summarise an update): 64 MiB.
pub const LOCKFILE_LIMIT: u64 = 64 << 20;

/// Why a file was not read. Its message is phrased to follow the file's name.
#[derive(Debug)]
pub enum ReadError {
    /// There is nothing at the path (a dangling link included).
    Missing,
    /// Not a regular file: a folder, a FIFO, a device, a socket.
    NotRegular(&'static str),
    /// Bigger than the limit.
    TooLarge { size: u64, limit: u64 },
    /// A symbolic link whose target is outside the project root.
    OutsideRoot { target: PathBuf, root: PathBuf },
    /// Not UTF-8 text ([`read_text`] only): the offset of the first invalid byte.
    NotUtf8(usize),
    /// The system refused (permissions, I/O).
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Missing => write!(f, "cannot be read: it does not exist"),
            ReadError::NotRegular(what) => write!(f, "is not a regular file ({what})"),
            ReadError::TooLarge { size, limit } => {
                write!(f, "is too large to read ({size} bytes, more than the {} limit)", amount(*limit))
            }
            ReadError::OutsideRoot { target, root } => {
                write!(f, "is a symbolic link to {}, outside the project root {}", target.display(), root.display())
            }
            ReadError::NotUtf8(at) => write!(f, "is not UTF-8 text (invalid byte at offset {at})"),
            ReadError::Io(err) => write!(f, "cannot be read: {err}"),
        }
    }
}

impl ReadError {
    /// Whether the path holds nothing (a missing optional file is not an error).
    pub fn is_missing(&self) -> bool {
        matches!(self, ReadError::Missing)
    }

    /// Whether the file is there but was not read on purpose (not a regular file, too large, a link out of the
    /// root, not UTF-8), as opposed to the system refusing.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            ReadError::NotRegular(_)
                | ReadError::TooLarge { .. }
                | ReadError::OutsideRoot { .. }
                | ReadError::NotUtf8(_)
        )
    }
}

/// The smallest whole number of MiB (KiB under 1 MiB) that holds `bytes`, as `--max-file-size` reads it.
pub fn amount_flag(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{}K", bytes.div_ceil(1 << 10))
    } else {
        format!("{}M", bytes.div_ceil(1 << 20))
    }
}

/// A size to read: `1.3 MiB`, `812 KiB`, `512 bytes`.
pub fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// `16 MiB`, or bytes when not a whole number of MiB.
pub fn amount(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// What kind of thing a non-regular file is, for the message.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

fn io(err: std::io::Error) -> ReadError {
    if err.kind() == std::io::ErrorKind::NotFound {
        ReadError::Missing
    } else {
        ReadError::Io(err)
    }
}

/// The bytes of the regular file at `path`, at most `limit` of them. With a `root` (canonical), a path that is a
/// symbolic link must lead inside it (the folders on the way are the caller's to trust: the walk never follows links,
/// and paths named by the user are checked against the root before the walk).
pub fn read(path: &Path, limit: u64, root: Option<&Path>) -> Result<Vec<u8>, ReadError> {
    // The type before opening: a device or a FIFO is never opened.
    let link = std::fs::symlink_metadata(path).map_err(io)?;
    let meta = if link.file_type().is_symlink() {
        if let Some(root) = root {
            let target = path.canonicalize().map_err(io)?;
            if !target.starts_with(root) {
                return Err(ReadError::OutsideRoot { target, root: root.to_path_buf() });
            }
        }
        std::fs::metadata(path).map_err(io)?
    } else {
        link
    };
    check(&meta, limit)?;
    let mut file = open(path).map_err(io)?;
    // Again on what was opened: the path may have changed since.
    check(&file.metadata().map_err(io)?, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    (&mut file).take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// The text of the regular file at `path` (see [`read`]); it must be UTF-8.
pub fn read_text(path: &Path, limit: u64, root: Option<&Path>) -> Result<String, ReadError> {
    let bytes = read(path, limit, root)?;
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8(e.utf8_error().valid_up_to()))
}

/// Whether the file at `path` (its link followed) could be read: a regular file of at most `limit` bytes. For files
/// another library reads (the walk's ignore files), checked without opening them.
pub fn check_regular(path: &Path, limit: u64) -> Result<(), ReadError> {
    check(&std::fs::metadata(path).map_err(io)?, limit)
}

fn check(meta: &std::fs::Metadata, limit: u64) -> Result<(), ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { size: meta.len(), limit });
    }
    Ok(())
}

#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY).open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_up_to_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.js");
        std::fs::write(&path, "let a = 1;\n").expect("write");
        assert_eq!(read_text(&path, 100, None).expect("read"), "let a = 1;\n");
        let err = read(&path, 4, None).expect_err("too large");
        assert_eq!(err.to_string(), "is too large to read (11 bytes, more than the 4 bytes limit)");
        assert!(read(&dir.path().join("nope.js"), 100, None).expect_err("missing").is_missing());
        let err = read(dir.path(), 100, None).expect_err("a folder");
        assert_eq!(err.to_string(), "is not a regular file (a folder)");
        std::fs::write(&path, b"\xff").expect("write");
        assert_eq!(
            read_text(&path, 100, None).expect_err("latin-1").to_string(),
            "is not UTF-8 text (invalid byte at offset 0)"
        );
    }

    #[cfg(unix)]
    #[test]
    fn fifos_devices_and_links_out_of_the_root_are_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("root");
        std::fs::create_dir(&root).expect("mkdir");
        let root = root.canonicalize().expect("canonical");
        let fifo = root.join("package.json");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
        assert!(status.success());
        let err = read(&fifo, TEXT_LIMIT, Some(&root)).expect_err("a FIFO");
        assert_eq!(err.to_string(), "is not a regular file (a FIFO)");
        let zero = root.join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        assert_eq!(
            read(&zero, TEXT_LIMIT, None).expect_err("a device").to_string(),
            "is not a regular file (a device)"
        );
        let outside = dir.path().join("secret.txt");
        std::fs::write(&outside, "secret").expect("write");
        let link = root.join(".nvmrc");
        std::os::unix::fs::symlink(&outside, &link).expect("symlink");
        let err = read(&link, TEXT_LIMIT, Some(&root)).expect_err("outside");
        assert!(matches!(err, ReadError::OutsideRoot { .. }), "{err}");
        assert_eq!(read_text(&link, TEXT_LIMIT, None).expect("no root, no bound"), "secret");
        let inside = root.join("in.txt");
        std::fs::write(&inside, "ok").expect("write");
        let link = root.join("link.txt");
        std::os::unix::fs::symlink(&inside, &link).expect("symlink");
        assert_eq!(read_text(&link, TEXT_LIMIT, Some(&root)).expect("inside"), "ok");
    }
}
