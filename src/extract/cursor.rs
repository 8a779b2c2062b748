//! The resume cursor: what an extraction saves at each delivered batch, so
//! that another instance can carry on from there without repeating what was
//! delivered. It is opaque JSON to the platform, and comes back from outside:
//! it is checked before anything in it is used.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::phase::Facts;
use super::{Current, Job, PhaseId};
use crate::error::{Error, Result};

/// 7: independent phases run at once: the cursor holds every phase under
/// way and the phases that finished, not the one phase under way.
/// 6: users jobs are a page or an organization lookup, and the users
/// phase holds the pages awaiting their lookups.
/// 5: admin tiers are read after application roles, and group members are
/// read last, in a phase of their own, with the facts the tiers and the
/// projects pass on.
/// 4: the phases run in another order and pass on BalkanID's facts
/// (products, group names, scheme grants), and projects come last.
/// 3: each phase keeps its own bookkeeping, so a version-2 cursor (one
/// ledger for every phase) cannot be read.
/// 2: every project's scheme is read, and schemes used but not listed are
/// read by id; a version-1 cursor would skip them.
pub(crate) const CURSOR_VERSION: u32 = 7;

/// A cursor is a few kilobytes per thousand groups or projects; anything
/// near this size is not one of ours.
const MAX_CURSOR_BYTES: usize = 16 * 1024 * 1024;

/// A cursor's content: what finished phases passed on, the phases under
/// way, and the jobs not yet delivered. A phase in neither list has not
/// started, because a phase it comes after has not finished.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Cursor {
    version: u32,
    /// The API base URL: a cursor only resumes against the same site.
    base: String,
    pub facts: Facts,
    /// The phases under way, in the order they started; empty once every
    /// phase was delivered.
    pub running: Vec<Current>,
    /// The phases that finished and passed on their facts.
    pub finished: BTreeSet<PhaseId>,
    /// Each belongs to one of the phases under way.
    pub jobs: Vec<Job>,
}

/// Just enough of any version's cursor to tell which version it is.
#[derive(Deserialize)]
struct Header {
    version: u32,
}

impl Cursor {
    pub fn new(
        base: String,
        facts: Facts,
        running: Vec<Current>,
        finished: BTreeSet<PhaseId>,
        jobs: Vec<Job>,
    ) -> Self {
        Self {
            version: CURSOR_VERSION,
            base,
            facts,
            running,
            finished,
            jobs,
        }
    }

    /// Reads a cursor and checks that this connector can carry it on
    /// against the site at `base`.
    pub fn parse(text: &str, base: &str) -> Result<Self> {
        if text.len() > MAX_CURSOR_BYTES {
            return Err(Error::InvalidCursor("too large".into()));
        }
        let cursor: Cursor = serde_json::from_str(text).map_err(|e| {
            // Another version's cursor has another shape: say which it is,
            // not how its shape differs.
            match serde_json::from_str::<Header>(text) {
                Ok(Header { version }) if version != CURSOR_VERSION => wrong_version(version),
                _ => Error::InvalidCursor(format!("not a cursor of this connector: {e}")),
            }
        })?;
        if cursor.version != CURSOR_VERSION {
            return Err(wrong_version(cursor.version));
        }
        if cursor.base != base {
            return Err(Error::InvalidCursor(format!(
                "it belongs to {}, not to {base}",
                cursor.base
            )));
        }
        cursor.check_phases()?;
        Ok(cursor)
    }

    /// Checks that the phases are where this connector's scheduler could
    /// have left them: each at most once, under way only once every phase
    /// it comes after finished, not started only while one of those has
    /// not, and every job one of a phase under way. Otherwise a phase would
    /// start without the facts it reads, or never run at all.
    fn check_phases(&self) -> Result<()> {
        let mut seen = self.finished.clone();
        for phase in &self.running {
            if !seen.insert(phase.id()) {
                return Err(Error::InvalidCursor(format!(
                    "it names phase {} twice",
                    phase.name()
                )));
            }
        }
        let ready = |id: PhaseId| id.after().iter().all(|dep| self.finished.contains(dep));
        if let Some(early) = self.running.iter().find(|phase| !ready(phase.id())) {
            return Err(Error::InvalidCursor(format!(
                "it runs phase {} before a phase it comes after finished",
                early.name()
            )));
        }
        if let Some(idle) = PhaseId::ALL
            .iter()
            .find(|&&id| ready(id) && !seen.contains(&id))
        {
            return Err(Error::InvalidCursor(format!(
                "it leaves phase {} unstarted though it could run",
                idle.name()
            )));
        }
        let foreign = self
            .jobs
            .iter()
            .any(|job| !self.running.iter().any(|phase| phase.owns(job)));
        if foreign {
            return Err(Error::InvalidCursor(
                "it holds a job of another phase than those under way".into(),
            ));
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a cursor always serialises")
    }
}

fn wrong_version(version: u32) -> Error {
    Error::InvalidCursor(format!(
        "version {version} cannot be resumed by this connector (version {CURSOR_VERSION})"
    ))
}
