//! What a store keeps in memory between requests: the county's divisions, which nearly every
//! page reads (to name townships and communities) and which change only when a community is
//! added or renamed.
//!
//! A change this process makes is seen at once: the write forgets what was kept, after its
//! commit. A change another process makes (`doudi community add` beside a running server) is
//! seen within [`DivisionCache::FRESH`].

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use doudi_core::Division;

/// The divisions as last read, with when, and a count of the changes this process made.
#[derive(Debug, Default)]
pub(crate) struct DivisionCache {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Bumped by every change; a read that began before a change does not keep its result.
    generation: u64,
    kept: Option<(Instant, Arc<Vec<Division>>)>,
}

impl DivisionCache {
    /// How long divisions read are used before they are read again.
    pub(crate) const FRESH: Duration = Duration::from_secs(2);

    /// The divisions kept, if read less than [`Self::FRESH`] ago; else the generation to hand
    /// back to [`Self::keep`] with what the caller reads.
    pub(crate) fn get(&self) -> Result<Arc<Vec<Division>>, u64> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match &state.kept {
            Some((at, divisions)) if at.elapsed() < Self::FRESH => Ok(divisions.clone()),
            _ => Err(state.generation),
        }
    }

    /// Keeps divisions read at `generation`, unless a change came since.
    pub(crate) fn keep(&self, generation: u64, divisions: Arc<Vec<Division>>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.generation == generation {
            state.kept = Some((Instant::now(), divisions));
        }
    }

    /// Forgets what was kept: a division changed.
    pub(crate) fn forget(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.generation += 1;
        state.kept = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doudi_core::{DivisionCode, DivisionKind};

    fn township(code: &str) -> Arc<Vec<Division>> {
        Arc::new(vec![Division {
            code: DivisionCode::parse(code).unwrap(),
            name: "乡镇".into(),
            kind: DivisionKind::Township,
            parent: None,
        }])
    }

    #[test]
    fn divisions_kept_are_given_back_until_a_change_forgets_them() {
        let cache = DivisionCache::default();
        let generation = cache.get().unwrap_err();
        cache.keep(generation, township("500235001"));
        assert_eq!(cache.get().unwrap()[0].code.as_str(), "500235001");
        cache.forget();
        assert!(cache.get().is_err());
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_kept() {
        let cache = DivisionCache::default();
        let generation = cache.get().unwrap_err();
        cache.forget();
        cache.keep(generation, township("500235001"));
        assert!(cache.get().is_err(), "the read may predate the change");
    }
}
