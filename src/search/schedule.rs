//! Items dated in the future (scheduled news) stay out of every result until their time.
//!
//! Nearly always nothing in the index is dated in the future, and then a search needs no date
//! filter at all: that filter is an intersection over every text match, about a tenth of a
//! search. So the index remembers, per searcher generation, the first date still to come, and
//! counts an epoch that moves on whenever what is visible changes: a new generation, or the
//! moment a scheduled item becomes due. Cached results are keyed by that epoch.

use std::sync::Mutex;

use tantivy::{Searcher, SegmentReader};

#[derive(Default)]
pub struct Schedule {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The searcher generation `next_due` was computed for.
    generation: Option<u64>,
    /// The earliest item date after the moment of computing, in seconds since the epoch.
    next_due: Option<i64>,
    epoch: u64,
}

/// What a search at a given moment can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    /// Changes whenever the visible items may have changed.
    pub epoch: u64,
    /// Some item is still to come: the search must filter on the date.
    pub hides_future: bool,
}

impl Schedule {
    pub fn visibility(&self, searcher: &Searcher, now: i64) -> tantivy::Result<Visibility> {
        let generation = searcher.generation().generation_id();
        let mut state = self
            .state
            .lock()
            .map_err(|_| tantivy::TantivyError::InternalError("schedule poisoned by an earlier panic".into()))?;
        let stale = state.generation != Some(generation) || state.next_due.is_some_and(|due| due <= now);
        if stale {
            state.next_due = next_due(searcher, now)?;
            state.generation = Some(generation);
            state.epoch += 1;
        }
        Ok(Visibility { epoch: state.epoch, hides_future: state.next_due.is_some() })
    }
}

/// The earliest date after `now` of any item, from the `date` column of each segment (whose
/// maximum is stored, so segments with nothing to come cost nothing).
fn next_due(searcher: &Searcher, now: i64) -> tantivy::Result<Option<i64>> {
    let mut earliest: Option<i64> = None;
    for segment in searcher.segment_readers() {
        if let Some(due) = segment_next_due(segment, now)? {
            earliest = Some(earliest.map_or(due, |earliest| earliest.min(due)));
        }
    }
    Ok(earliest)
}

fn segment_next_due(segment: &SegmentReader, now: i64) -> tantivy::Result<Option<i64>> {
    let dates = segment.fast_fields().date("date")?;
    if segment.num_docs() == 0 || dates.max_value().into_timestamp_secs() <= now {
        return Ok(None);
    }
    Ok(dates.values.iter().map(|date| date.into_timestamp_secs()).filter(|&date| date > now).min())
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{Schema, FAST};
    use tantivy::{doc, DateTime, Index, IndexReader, IndexWriter, ReloadPolicy};

    use super::*;

    fn index() -> (Index, IndexReader, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let date = schema.add_date_field("date", FAST);
        let index = Index::create_in_ram(schema.build());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().unwrap();
        (index, reader, date)
    }

    fn add(index: &Index, reader: &IndexReader, date: tantivy::schema::Field, seconds: &[i64]) {
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        for &second in seconds {
            writer.add_document(doc!(date => DateTime::from_timestamp_secs(second))).unwrap();
        }
        writer.commit().unwrap();
        reader.reload().unwrap();
    }

    #[test]
    fn the_filter_is_needed_only_while_something_is_still_to_come() {
        let (index, reader, date) = index();
        let schedule = Schedule::default();
        add(&index, &reader, date, &[100, 200]);
        let past_only = schedule.visibility(&reader.searcher(), 1_000).unwrap();
        assert!(!past_only.hides_future);
        assert_eq!(schedule.visibility(&reader.searcher(), 1_500).unwrap(), past_only, "nothing changed");

        add(&index, &reader, date, &[2_000, 3_000]);
        let scheduled = schedule.visibility(&reader.searcher(), 1_500).unwrap();
        assert!(scheduled.hides_future);
        assert!(scheduled.epoch > past_only.epoch, "a new commit is a new epoch");
        assert_eq!(schedule.visibility(&reader.searcher(), 1_999).unwrap(), scheduled);

        let first_due = schedule.visibility(&reader.searcher(), 2_000).unwrap();
        assert!(first_due.epoch > scheduled.epoch, "an item coming due is a new epoch");
        assert!(first_due.hides_future, "one item is still to come");
        let all_due = schedule.visibility(&reader.searcher(), 3_000).unwrap();
        assert!(all_due.epoch > first_due.epoch);
        assert!(!all_due.hides_future);
    }
}
