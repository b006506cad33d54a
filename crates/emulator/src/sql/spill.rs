//! Rendered result chunks past the emulator's in-memory budget go to an anonymous temp file
//! (removed by the OS when the result is dropped or the emulator ends), so serving a result of
//! tens of millions of rows does not hold all its bytes in memory; an external link's download
//! reads its chunk back.

use axum::body::Bytes;
use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::sync::Mutex;

#[derive(Debug)]
pub struct ChunkFile {
    file: Mutex<File>,
    end: u64,
}

impl ChunkFile {
    pub fn create() -> std::io::Result<Self> {
        Ok(Self {
            file: Mutex::new(tempfile::tempfile()?),
            end: 0,
        })
    }

    /// Appends `bytes`; where they are, as `(offset, len)`.
    pub fn append(&mut self, bytes: &[u8]) -> std::io::Result<(u64, u64)> {
        let file = self.file.get_mut().unwrap_or_else(|p| p.into_inner());
        file.seek(SeekFrom::Start(self.end))?;
        file.write_all(bytes)?;
        let at = self.end;
        self.end += bytes.len() as u64;
        Ok((at, bytes.len() as u64))
    }

    /// The `len` bytes at `offset`.
    pub fn read(&self, offset: u64, len: u64) -> std::io::Result<Bytes> {
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.seek(SeekFrom::Start(offset))?;
        let mut out = vec![0; usize::try_from(len).unwrap_or(usize::MAX)];
        file.read_exact(&mut out)?;
        Ok(Bytes::from(out))
    }

    /// Bytes on disk.
    pub fn len(&self) -> u64 {
        self.end
    }

    pub fn is_empty(&self) -> bool {
        self.end == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_come_back_as_they_went_in() {
        let mut file = ChunkFile::create().expect("file");
        let a = file.append(b"first chunk").expect("a");
        let b = file.append(b"second").expect("b");
        assert_eq!(file.read(b.0, b.1).expect("b").as_ref(), b"second");
        assert_eq!(file.read(a.0, a.1).expect("a").as_ref(), b"first chunk");
        assert_eq!(file.len(), 17);
    }
}
