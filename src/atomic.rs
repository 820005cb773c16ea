//! Atomic replacement of a file's content (a temporary file beside it, renamed over it), the one way the tool writes
//! an existing file: the `--write` of changed files, a lockfile put back or refreshed. It depends on nothing else of
//! the crate, so that the modules below the write (lockfiles, relocking) can use it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// How the temporary files of this tool are named: `.express-harden-<pid>-<random>.tmp`.
pub(crate) const TEMP_PREFIX: &str = ".express-harden-";
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

/// How many random letters and digits the temporary files' names have.
pub(crate) const TEMP_RANDOM: usize = 6;

/// Replaces `path`'s content with `text` atomically: readers see the old file or the new one, never half of it. The
/// new file keeps the old one's permissions and, where the user may set them (as root), its owner and group.
///
/// The temporary file is created next to `path` with an unpredictable name and O_EXCL, so a link planted in the
/// folder is never followed; the rename replaces `path` itself (a link at `path` would be replaced, not followed:
/// callers resolve links first).
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    prepare(path, text)?.persist(path).map_err(|err| err.error)
}

/// The first half of [`write_atomic`]: a temporary file beside `path` with `text`, `path`'s permissions, owner and
/// group, synced to disk, and closed (a run may prepare thousands). Dropping it deletes it; `persist(path)` renames it
/// over `path`.
pub(crate) fn prepare(path: &Path, text: &str) -> std::io::Result<tempfile::TempPath> {
    let meta = std::fs::metadata(path)?;
    let mut tmp = temp_beside(path)?;
    tmp.write_all(text.as_bytes())?;
    keep_owner(tmp.as_file(), &meta)?;
    // After the owner: changing the owner clears the set-user-ID and set-group-ID bits.
    tmp.as_file().set_permissions(meta.permissions())?;
    tmp.as_file().sync_all()?;
    // On failure above, the temporary file is dropped, which deletes it.
    Ok(tmp.into_temp_path())
}

/// [`prepare`] for a file that does not exist yet: a temporary file beside `path` with `text`, readable by all and
/// written by its owner (0644, what a new source file gets under the usual umask), synced and closed. Its
/// `persist_noclobber(path)` creates `path`, and fails if something is there by then.
pub(crate) fn prepare_new(path: &Path, text: &str) -> std::io::Result<tempfile::TempPath> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(text.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    Ok(tmp.into_temp_path())
}

/// An empty temporary file in `path`'s folder, named as this tool names its temporary files ([`is_temp_file_name`]),
/// created with O_EXCL.
fn temp_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM)
        .tempfile_in(&dir)
}

/// Gives the new file the old one's owner and group when they differ from the writer's.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, original: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mine = file.metadata()?;
    if mine.uid() == original.uid() && mine.gid() == original.gid() {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid())).map_err(|err| {
        std::io::Error::new(
            err.kind(),
            format!("its owner and group ({}:{}) could not be kept: {err}", original.uid(), original.gid()),
        )
    })
}

#[cfg(not(unix))]
fn keep_owner(_file: &std::fs::File, _original: &std::fs::Metadata) -> std::io::Result<()> {
    Ok(())
}

/// Whether `name` is one this version of the tool gives its temporary files: `.express-harden-<pid>-<random>.tmp`,
/// the random part being [`TEMP_RANDOM`] letters and digits. (Older versions' `.<file>.express-harden-<pid>.tmp` is
/// not: a name anyone can give a file is no proof that this tool made it.)
pub(crate) fn is_temp_file_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(TEMP_PREFIX).and_then(|n| n.strip_suffix(TEMP_SUFFIX)) else { return false };
    let Some((pid, random)) = rest.split_once('-') else { return false };
    !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && random.len() == TEMP_RANDOM
        && random.bytes().all(|b| b.is_ascii_alphanumeric())
}
