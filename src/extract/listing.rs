//! A `PageBean` listing of things with ids, as the groups and projects
//! phases read it: its pages planned by an [`OffsetPlan`], and each thing
//! taken once however the offsets shift while it is read.

use std::collections::HashSet;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::answer::Answer;
use crate::error::Result;
use crate::jira::page::{OffsetPlan, PageBean};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Listing {
    plan: OffsetPlan,
    seen: HashSet<Rc<str>>,
    /// How many things the listing holds, as its latest page said.
    total: Option<u64>,
}

/// One page of a listing, taken in.
pub(crate) struct Page<T> {
    /// The things no earlier page held, with their ids.
    pub fresh: Vec<(Rc<str>, T)>,
    /// The offsets of the pages this one reveals.
    pub next: Vec<u64>,
}

impl Listing {
    /// Starts a listing; the caller fetches the returned first offset.
    pub fn start(page_size: u64) -> (Self, u64) {
        let (plan, first) = OffsetPlan::start(page_size);
        let listing = Self {
            plan,
            seen: HashSet::new(),
            total: None,
        };
        (listing, first)
    }

    /// Takes in the page fetched at `start_at`; `id` names a thing.
    pub fn page<T: DeserializeOwned>(
        &mut self,
        answer: &Answer,
        start_at: u64,
        id: fn(&T) -> &str,
    ) -> Result<Page<T>> {
        let page: PageBean<T> = answer.decode_as()?;
        if page.total.is_some() {
            self.total = page.total;
        }
        let next = self
            .plan
            .on_page(page.facts(start_at))
            .map_err(|e| answer.invalid(e.to_string()))?;
        let fresh = page
            .values
            .into_iter()
            .filter_map(|thing| {
                let id: Rc<str> = Rc::from(id(&thing));
                // Offsets shift if things change mid-run; never take one twice.
                self.seen.insert(id.clone()).then_some((id, thing))
            })
            .collect();
        Ok(Page { fresh, next })
    }

    /// Whether every page was read and the end was seen.
    pub fn is_done(&self) -> bool {
        self.plan.is_done()
    }

    pub fn total(&self) -> Option<u64> {
        self.total
    }
}
