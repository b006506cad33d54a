//! Sorting more rows than fit in memory: each row's sort key (Arrow's row format, whose bytes
//! compare as the values do, with the direction and NULLs-last already in them) goes into a
//! run; a run that reaches its memory budget is sorted and written to a spill file; at the
//! end the runs are merged. Ties keep the result's order (the row number breaks them), so the
//! order is the same whether everything fit in one run or took many.
//!
//! Memory is the run budget plus the answer itself (4 bytes per row shown), whatever the
//! size of the result.

use super::execute::Cancel;
use super::spill::{SharedSpillStore, SpillMedium};
use crate::{ErrorCode, ErrorInfo};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufReader, BufWriter, Read, Seek as _, SeekFrom, Write};

/// Key bytes and bookkeeping one run may hold before it is written out.
pub const RUN_BUDGET: usize = 64 << 20;

/// Bytes per entry besides its key: offset, length and row number.
const ENTRY_BYTES: usize = 12;

fn sort_error(error: &dyn std::fmt::Display) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Disk,
        format!(
            "Brickdesk could not sort these rows on disk ({error}). Free some space and try \
             again."
        ),
    )
}

pub fn stopped() -> ErrorInfo {
    ErrorInfo::new(ErrorCode::Cancelled, "Sorting was stopped.")
}

/// Rows given as (key, row number), in any order; [`Self::finish`] gives the row numbers
/// sorted by key, then row.
#[derive(Debug)]
pub struct ExternalSort {
    store: SharedSpillStore,
    budget: usize,
    keys: Vec<u8>,
    /// (offset into `keys`, key length, row number).
    entries: Vec<(u32, u32, u32)>,
    runs: Vec<Box<dyn SpillMedium>>,
    rows: usize,
}

impl ExternalSort {
    pub fn new(store: SharedSpillStore, budget: usize) -> Self {
        Self {
            store,
            budget,
            keys: Vec::new(),
            entries: Vec::new(),
            runs: Vec::new(),
            rows: 0,
        }
    }

    pub fn push(&mut self, key: &[u8], row: u32) -> Result<(), ErrorInfo> {
        let offset = u32::try_from(self.keys.len()).map_err(|e| sort_error(&e))?;
        let len = u32::try_from(key.len()).map_err(|e| sort_error(&e))?;
        self.keys.extend_from_slice(key);
        self.entries.push((offset, len, row));
        self.rows += 1;
        if self.keys.len() + self.entries.len() * ENTRY_BYTES >= self.budget {
            self.write_run()?;
        }
        Ok(())
    }

    fn sort_entries(&mut self) {
        let keys = &self.keys;
        let key = |&(offset, len, _): &(u32, u32, u32)| {
            &keys[offset as usize..offset as usize + len as usize]
        };
        self.entries
            .sort_unstable_by(|a, b| key(a).cmp(key(b)).then(a.2.cmp(&b.2)));
    }

    /// Sorts the entries in memory and writes them out as one run: `len`, key, row.
    fn write_run(&mut self) -> Result<(), ErrorInfo> {
        self.sort_entries();
        let mut medium = self.store.create().map_err(|e| sort_error(&e))?;
        {
            let mut out = BufWriter::with_capacity(1 << 16, &mut medium);
            for &(offset, len, row) in &self.entries {
                let key = &self.keys[offset as usize..offset as usize + len as usize];
                out.write_all(&len.to_le_bytes())
                    .and_then(|()| out.write_all(key))
                    .and_then(|()| out.write_all(&row.to_le_bytes()))
                    .map_err(|e| sort_error(&e))?;
            }
            out.flush().map_err(|e| sort_error(&e))?;
        }
        medium
            .seek(SeekFrom::Start(0))
            .map_err(|e| sort_error(&e))?;
        self.runs.push(medium);
        self.keys.clear();
        self.entries.clear();
        Ok(())
    }

    /// The row numbers in order; `merged(done, total)` hears how far a merge of runs is.
    pub fn finish(
        mut self,
        cancel: &Cancel,
        merged: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<u32>, ErrorInfo> {
        if self.runs.is_empty() {
            self.sort_entries();
            return Ok(self.entries.iter().map(|e| e.2).collect());
        }
        if !self.entries.is_empty() {
            self.write_run()?;
        }
        let total = self.rows;
        let mut readers: Vec<RunReader> = self
            .runs
            .drain(..)
            .map(|run| RunReader {
                input: BufReader::with_capacity(1 << 16, run),
            })
            .collect();
        let mut heap = BinaryHeap::with_capacity(readers.len());
        for (run, reader) in readers.iter_mut().enumerate() {
            let mut key = Vec::new();
            if let Some(row) = reader.next(&mut key)? {
                heap.push(Reverse((key, row, run)));
            }
        }
        let mut order = Vec::with_capacity(total);
        while let Some(Reverse((mut key, row, run))) = heap.pop() {
            order.push(row);
            if order.len() % 1_000_000 == 0 {
                if cancel.is_cancelled() {
                    return Err(stopped());
                }
                merged(order.len(), total);
            }
            if let Some(next) = readers[run].next(&mut key)? {
                heap.push(Reverse((key, next, run)));
            }
        }
        Ok(order)
    }
}

/// One sorted run, read back an entry at a time.
struct RunReader {
    input: BufReader<Box<dyn SpillMedium>>,
}

impl RunReader {
    /// The next entry's key into `key` and its row number; `None` at the end.
    fn next(&mut self, key: &mut Vec<u8>) -> Result<Option<u32>, ErrorInfo> {
        let mut word = [0u8; 4];
        match self.input.read_exact(&mut word) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(sort_error(&e)),
        }
        key.resize(u32::from_le_bytes(word) as usize, 0);
        self.input.read_exact(key).map_err(|e| sort_error(&e))?;
        self.input
            .read_exact(&mut word)
            .map_err(|e| sort_error(&e))?;
        Ok(Some(u32::from_le_bytes(word)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::spill::SpillFolder;
    use proptest::prelude::*;

    proptest! {
        /// However small the budget (many runs) the order is the one a stable sort gives.
        #[test]
        fn runs_merge_into_the_order_of_a_stable_sort(
            keys in proptest::collection::vec(proptest::collection::vec(0u8..4, 0..3), 0..300),
            budget in 16usize..400,
        ) {
            let mut sort = ExternalSort::new(SpillFolder::default().shared(), budget);
            for (row, key) in keys.iter().enumerate() {
                sort.push(key, row as u32).expect("pushed");
            }
            let order = sort.finish(&Cancel::new(), &mut |_, _| {}).expect("sorted");
            let mut expected: Vec<u32> = (0..keys.len() as u32).collect();
            expected.sort_by(|a, b| keys[*a as usize].cmp(&keys[*b as usize]));
            prop_assert_eq!(order, expected);
        }
    }
}
