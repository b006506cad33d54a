//! Rows past the memory limit go to a temp file, one Arrow IPC stream per batch, and are read
//! back a batch at a time when the grid or an export needs them. A few recently read batches
//! are kept, since scrolling reads the same batch many times.
//!
//! The file is made by `tempfile::tempfile_in`, so the OS removes it when the result is
//! closed, when the app quits and when it crashes; nothing is left to clean:
//! - on Unix it is unlinked at once (it has no name while open);
//! - on Windows it keeps a random name while open, opened delete-on-close and shared with no
//!   one (another program, or a second open by name, is refused), and Windows deletes it when
//!   the last handle closes, a crash included.
//!
//! The app gives each user a private folder for them ([`SpillFolder`]) and sweeps it at start,
//! for the one case where a name could be left: a crash in the instant between creating and
//! unlinking on Unix file systems without `O_TMPFILE`.
//!
//! Before each spilled batch the free space is checked: a result stops while
//! [`KEEP_FREE`] is still free on that disk, so a large result never fills the laptop's disk.
//! Where the spill goes is a [`SpillStore`], so tests can give it a disk that fills up.

use crate::{ErrorCode, ErrorInfo};
use arrow_array::RecordBatch;
use std::collections::VecDeque;
use std::fmt::Debug;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What a spill file is written to: a file, or in tests something that fills up.
pub trait SpillMedium: Read + Write + Seek + Send + Sync + Debug {}
impl<T: Read + Write + Seek + Send + Sync + Debug> SpillMedium for T {}

/// Where spill files are made, and how much room is left there.
pub trait SpillStore: Send + Sync + Debug {
    fn create(&self) -> std::io::Result<Box<dyn SpillMedium>>;
    /// Bytes the user may still write there (`None`: the OS cannot say).
    fn free_bytes(&self) -> Option<u64>;
    /// The folder, for messages.
    fn location(&self) -> &Path;
}

pub type SharedSpillStore = Arc<dyn SpillStore>;

/// A spill stops while this much is still free on its disk (other programs need room too).
pub const KEEP_FREE: u64 = 1 << 30;

/// Spill files in a folder: the OS temp folder by default, the app's own per-user folder in
/// the app ([`SpillFolder::private`]).
#[derive(Debug, Clone)]
pub struct SpillFolder {
    dir: PathBuf,
}

impl Default for SpillFolder {
    fn default() -> Self {
        Self {
            dir: std::env::temp_dir(),
        }
    }
}

impl SpillFolder {
    /// A folder of the app's own (created readable by the user alone), swept of anything a
    /// crash left there; returns how many files were removed with it.
    pub fn private(dir: PathBuf) -> std::io::Result<(Self, usize)> {
        create_private_dir(&dir)?;
        let folder = Self { dir };
        let swept = folder.sweep();
        Ok((folder, swept))
    }

    /// Removes every file in the folder: no running Brickdesk has a named file there (the
    /// app runs once per user, and its spill files have no names).
    fn sweep(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        entries
            .flatten()
            .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
            .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
            .count()
    }

    pub fn shared(self) -> SharedSpillStore {
        Arc::new(self)
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    // An existing folder is made private too.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// On Windows the folder is under the user's profile, which only they (and administrators)
/// may read.
#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

impl SpillStore for SpillFolder {
    fn create(&self) -> std::io::Result<Box<dyn SpillMedium>> {
        Ok(Box::new(tempfile::tempfile_in(&self.dir)?))
    }

    fn free_bytes(&self) -> Option<u64> {
        fs4::available_space(&self.dir).ok()
    }

    fn location(&self) -> &Path {
        &self.dir
    }
}

/// Where one spilled batch is in the file: batch `batch` of the Arrow IPC stream at
/// `offset..offset + len` (a downloaded chunk's stream as it came, or one batch written alone).
#[derive(Debug, Clone, Copy)]
pub struct Spilled {
    offset: u64,
    len: usize,
    batch: usize,
}

impl Spilled {
    /// Batch `batch` of the same stream.
    pub fn batch(self, batch: usize) -> Self {
        Self { batch, ..self }
    }
}

/// Streams read back and kept (each with all its batches), by where they are in the file.
const CACHED_STREAMS: usize = 4;

type Cached = (u64, Arc<Vec<RecordBatch>>);

#[derive(Debug)]
pub struct SpillFile {
    file: Mutex<Box<dyn SpillMedium>>,
    store: SharedSpillStore,
    end: u64,
    cache: Mutex<VecDeque<Cached>>,
}

/// Bytes as people read them: "2.4 GB", "310 MB".
pub fn size_text(bytes: u64) -> String {
    const GB: f64 = 1e9;
    const MB: f64 = 1e6;
    let b = bytes as f64;
    if b >= GB {
        format!("{:.1} GB", b / GB)
    } else {
        format!("{:.0} MB", (b / MB).max(1.0))
    }
}

fn spill_error(what: &str, error: &dyn std::fmt::Display) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Disk,
        format!(
            "Brickdesk could not {what} the part of the result kept on disk ({error}). Check \
             the free space in your temp folder, or lower the result size."
        ),
    )
}

/// A failed write: a full disk said in plain words, anything else as it is.
fn write_error(error: &std::io::Error, store: &dyn SpillStore) -> ErrorInfo {
    if matches!(
        error.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    ) {
        return ErrorInfo::new(
            ErrorCode::Disk,
            format!(
                "The disk is full, so Brickdesk could not keep the rest of this result (large \
                 results are kept in {}). Free some space and run it again, or add a LIMIT to \
                 the query.",
                store.location().display()
            ),
        );
    }
    spill_error("write", error)
}

/// Room for `needed` more bytes, leaving [`KEEP_FREE`]; otherwise what is free.
fn check_room(store: &dyn SpillStore, needed: u64) -> Result<(), u64> {
    match store.free_bytes() {
        Some(free) if free < needed.saturating_add(KEEP_FREE) => Err(free),
        _ => Ok(()),
    }
}

impl SpillFile {
    /// A spill file in `store` for about `expected` bytes (the rest of the result, as far as
    /// it can be told): refused, with the sizes, when the disk does not have that much room.
    pub fn create(store: SharedSpillStore, expected: u64) -> Result<Self, ErrorInfo> {
        if let Err(free) = check_room(store.as_ref(), expected) {
            return Err(ErrorInfo::new(
                ErrorCode::Disk,
                format!(
                    "The rest of this result needs about {} on disk, and the disk that holds \
                     {} has {} free (Brickdesk leaves {} for other programs). Free some space \
                     and run it again, or add a LIMIT or a filter to the query.",
                    size_text(expected),
                    store.location().display(),
                    size_text(free),
                    size_text(KEEP_FREE)
                ),
            ));
        }
        let file = store.create().map_err(|e| spill_error("create", &e))?;
        Ok(Self {
            file: Mutex::new(file),
            store,
            end: 0,
            cache: Mutex::new(VecDeque::new()),
        })
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.end
    }

    /// Appends `batch`, unless the file would pass `limit` bytes or the disk would be left
    /// with less than [`KEEP_FREE`].
    pub fn write(&mut self, batch: &RecordBatch, limit: u64) -> Result<Spilled, ErrorInfo> {
        let mut bytes = Vec::new();
        {
            let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &batch.schema())
                .map_err(|e| spill_error("write", &e))?;
            writer.write(batch).map_err(|e| spill_error("write", &e))?;
            writer.finish().map_err(|e| spill_error("write", &e))?;
        }
        self.write_stream(&bytes, limit)
    }

    /// Appends an Arrow IPC stream as it is (a downloaded chunk: no second encoding); its
    /// batches are read back with [`Spilled::batch`]. The same limits as [`Self::write`].
    pub fn write_stream(&mut self, bytes: &[u8], limit: u64) -> Result<Spilled, ErrorInfo> {
        if self.end + bytes.len() as u64 > limit {
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                format!(
                    "This result is larger than Brickdesk keeps on disk ({} GB), so the rest of \
                     it was not loaded. Add a LIMIT or a filter to the query, or aggregate it.",
                    limit.div_ceil(1 << 30)
                ),
            ));
        }
        if let Err(free) = check_room(self.store.as_ref(), bytes.len() as u64) {
            return Err(ErrorInfo::new(
                ErrorCode::Disk,
                format!(
                    "The disk that holds {} is almost full ({} free), so Brickdesk kept no more \
                     of this result. Free some space and run it again, or add a LIMIT to the \
                     query.",
                    self.store.location().display(),
                    size_text(free)
                ),
            ));
        }
        let file = self.file.get_mut().unwrap_or_else(|p| p.into_inner());
        file.seek(SeekFrom::Start(self.end))
            .and_then(|_| file.write_all(bytes))
            .and_then(|()| file.flush())
            .map_err(|e| write_error(&e, self.store.as_ref()))?;
        let spilled = Spilled {
            offset: self.end,
            len: bytes.len(),
            batch: 0,
        };
        self.end += bytes.len() as u64;
        Ok(spilled)
    }

    /// The batch at `at`, read back (with the rest of its stream, kept for the next reads).
    pub fn read(&self, at: Spilled) -> Result<RecordBatch, ErrorInfo> {
        let batches = self.stream(at)?;
        batches
            .get(at.batch)
            .cloned()
            .ok_or_else(|| spill_error("read", &"a batch missing from its stream"))
    }

    fn stream(&self, at: Spilled) -> Result<Arc<Vec<RecordBatch>>, ErrorInfo> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(position) = cache.iter().position(|(o, _)| *o == at.offset)
            && let Some(hit) = cache.remove(position)
        {
            let batches = hit.1.clone();
            cache.push_front(hit);
            return Ok(batches);
        }
        let mut bytes = vec![0u8; at.len];
        {
            let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
            file.seek(SeekFrom::Start(at.offset))
                .and_then(|_| file.read_exact(&mut bytes))
                .map_err(|e| spill_error("read", &e))?;
        }
        let reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None)
            .map_err(|e| spill_error("read", &e))?;
        let batches = Arc::new(
            reader
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| spill_error("read", &e))?,
        );
        cache.push_front((at.offset, batches.clone()));
        cache.truncate(CACHED_STREAMS);
        Ok(batches)
    }
}

/// A disk of `capacity` bytes over real temp files, for tests (public for the core's
/// integration tests): writes past it fail as a full disk's do (`StorageFull`), and it reports
/// its free space as the OS would, or not at all (`report_free: false`, as when another program
/// fills the disk meanwhile).
#[derive(Debug, Clone)]
pub struct SmallDisk {
    folder: SpillFolder,
    capacity: u64,
    report_free: bool,
    used: Arc<std::sync::atomic::AtomicU64>,
}

impl SmallDisk {
    pub fn new(capacity: u64, report_free: bool) -> Self {
        Self {
            folder: SpillFolder::default(),
            capacity,
            report_free,
            used: Arc::default(),
        }
    }

    pub fn shared(self) -> SharedSpillStore {
        Arc::new(self)
    }
}

impl SpillStore for SmallDisk {
    fn create(&self) -> std::io::Result<Box<dyn SpillMedium>> {
        Ok(Box::new(Capped {
            file: tempfile::tempfile_in(self.folder.location())?,
            capacity: self.capacity,
            used: self.used.clone(),
        }))
    }

    fn free_bytes(&self) -> Option<u64> {
        let used = self.used.load(std::sync::atomic::Ordering::Relaxed);
        self.report_free.then(|| self.capacity.saturating_sub(used))
    }

    fn location(&self) -> &Path {
        self.folder.location()
    }
}

#[derive(Debug)]
struct Capped {
    file: std::fs::File,
    capacity: u64,
    used: Arc<std::sync::atomic::AtomicU64>,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use std::sync::atomic::Ordering::Relaxed;
        if self.used.load(Relaxed) + buf.len() as u64 > self.capacity {
            return Err(std::io::ErrorKind::StorageFull.into());
        }
        let written = self.file.write(buf)?;
        self.used.fetch_add(written as u64, Relaxed);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.file.read(buf)
    }
}

impl Seek for Capped {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.file.seek(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Int64Array;
    use arrow_schema::{DataType, Field, Schema};

    fn batch(ids: std::ops::Range<i64>) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from_iter_values(ids))])
            .expect("batch")
    }

    #[test]
    fn a_full_disk_says_so_and_keeps_what_it_wrote() {
        let mut spill = SpillFile::create(SmallDisk::new(2_000, false).shared(), 0).expect("file");
        let first = spill.write(&batch(0..100), u64::MAX).expect("fits");
        let error = spill.write(&batch(100..200), u64::MAX).expect_err("full");
        assert_eq!(error.code, ErrorCode::Disk);
        assert!(
            error.message.starts_with("The disk is full"),
            "{}",
            error.message
        );
        assert_eq!(spill.read(first).expect("readable"), batch(0..100));
    }

    #[test]
    fn a_disk_that_says_it_is_nearly_full_is_not_filled() {
        let disk = SmallDisk::new(KEEP_FREE + 2_000, true).shared();
        let refused = SpillFile::create(disk.clone(), 5_000).expect_err("no room");
        assert_eq!(refused.code, ErrorCode::Disk);
        assert!(
            refused.message.contains("needs about 1 MB on disk")
                && refused.message.contains("free"),
            "{}",
            refused.message
        );
        let mut spill = SpillFile::create(disk, 1_000).expect("room for this much");
        spill.write(&batch(0..100), u64::MAX).expect("fits");
        let error = spill
            .write(&batch(0..100), u64::MAX)
            .expect_err("would pass the reserve");
        assert!(error.message.contains("almost full"), "{}", error.message);
    }

    #[test]
    fn a_private_folder_is_swept_of_what_a_crash_left() {
        let parent = tempfile::tempdir().expect("dir");
        let dir = parent.path().join("results");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("left-by-a-crash"), b"rows").expect("file");
        let (folder, swept) = SpillFolder::private(dir.clone()).expect("folder");
        assert_eq!(swept, 1);
        assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 0);
        let mut spill = SpillFile::create(folder.shared(), 0).expect("file");
        spill.write(&batch(0..10), u64::MAX).expect("written");
        let named: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .map(|e| e.path())
            .collect();
        #[cfg(unix)]
        assert!(named.is_empty(), "a spill file has no name: {named:?}");
        // Windows keeps the name while the file is open, and lets no one else open it.
        #[cfg(windows)]
        {
            assert_eq!(named.len(), 1, "{named:?}");
            assert!(
                std::fs::File::open(&named[0]).is_err(),
                "no one else may open a spill file"
            );
        }
        drop(spill);
        assert_eq!(
            std::fs::read_dir(&dir).expect("dir").count(),
            0,
            "gone when the result is closed"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&dir).expect("dir").permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "the folder is the user's alone");
        }
    }
}
