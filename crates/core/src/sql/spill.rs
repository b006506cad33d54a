//! Rows past the memory limit go to an anonymous temp file (deleted by the OS when the
//! result is closed or the app ends), one Arrow IPC stream per batch, and are read back a
//! batch at a time when the grid or an export needs them. A few recently read batches are
//! kept, since scrolling reads the same batch many times.

use crate::{ErrorCode, ErrorInfo};
use arrow_array::RecordBatch;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::sync::Mutex;

/// Where one spilled batch is in the file.
#[derive(Debug, Clone, Copy)]
pub struct Spilled {
    offset: u64,
    len: usize,
}

/// Batches read back and kept, by their index in the result.
const CACHED_BATCHES: usize = 4;

#[derive(Debug)]
pub struct SpillFile {
    file: Mutex<File>,
    end: u64,
    cache: Mutex<VecDeque<(usize, RecordBatch)>>,
}

fn spill_error(what: &str, error: &dyn std::fmt::Display) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Internal,
        format!(
            "Brickdesk could not {what} the part of the result kept on disk ({error}). Check \
             the free space in your temp folder, or lower the result size."
        ),
    )
}

/// A failed write: a full disk said in plain words, anything else as it is.
fn write_error(error: &std::io::Error) -> ErrorInfo {
    if matches!(
        error.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    ) {
        return ErrorInfo::new(
            ErrorCode::Internal,
            format!(
                "The disk is full, so Brickdesk could not keep the rest of this result (large \
                 results are kept in {}). Free some space and run it again, or add a LIMIT to \
                 the query.",
                std::env::temp_dir().display()
            ),
        );
    }
    spill_error("write", error)
}

impl SpillFile {
    pub fn create() -> Result<Self, ErrorInfo> {
        let file = tempfile::tempfile().map_err(|e| spill_error("create", &e))?;
        Ok(Self::over(file))
    }

    /// A spill file over `file` (tests use one that is always full).
    pub fn over(file: File) -> Self {
        Self {
            file: Mutex::new(file),
            end: 0,
            cache: Mutex::new(VecDeque::new()),
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.end
    }

    /// Appends `batch`, unless the file would pass `limit` bytes.
    pub fn write(&mut self, batch: &RecordBatch, limit: u64) -> Result<Spilled, ErrorInfo> {
        let mut bytes = Vec::new();
        {
            let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &batch.schema())
                .map_err(|e| spill_error("write", &e))?;
            writer.write(batch).map_err(|e| spill_error("write", &e))?;
            writer.finish().map_err(|e| spill_error("write", &e))?;
        }
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
        let file = self.file.get_mut().unwrap_or_else(|p| p.into_inner());
        file.seek(SeekFrom::Start(self.end))
            .and_then(|_| file.write_all(&bytes))
            .and_then(|()| file.flush())
            .map_err(|e| write_error(&e))?;
        let spilled = Spilled {
            offset: self.end,
            len: bytes.len(),
        };
        self.end += bytes.len() as u64;
        Ok(spilled)
    }

    /// Batch `index`, read back from `at`.
    pub fn read(&self, index: usize, at: Spilled) -> Result<RecordBatch, ErrorInfo> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(position) = cache.iter().position(|(i, _)| *i == index) {
            let hit = cache.remove(position).map(|(_, b)| b);
            if let Some(batch) = hit {
                cache.push_front((index, batch.clone()));
                return Ok(batch);
            }
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
        let batch = reader
            .into_iter()
            .next()
            .ok_or_else(|| spill_error("read", &"no batch"))?
            .map_err(|e| spill_error("read", &e))?;
        cache.push_front((index, batch.clone()));
        cache.truncate(CACHED_BATCHES);
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Int64Array;
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;

    fn batch(ids: std::ops::Range<i64>) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from_iter_values(ids))])
            .expect("batch")
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_says_so() {
        let full = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let mut spill = SpillFile::over(full);
        let error = spill.write(&batch(0..100), u64::MAX).expect_err("full");
        assert!(
            error.message.starts_with("The disk is full"),
            "{}",
            error.message
        );
        assert_eq!(spill.len(), 0);
    }
}
