//! Paging. Client methods fetch one page; the planners here decide which
//! pages to fetch, so that the extraction runs one paging loop for every
//! listing and can keep independent pages in flight together.
//!
//! Offsets are computed, never taken from `nextPage` or `self`: Jira's links
//! point at the site, which a scoped token may not call (it must go through
//! the gateway), and a computed offset cannot loop back on itself however the
//! server words its links.

use serde::{Deserialize, Serialize};

/// Jira's `PageBean*` envelope.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageBean<T> {
    #[serde(default)]
    pub start_at: Option<u64>,
    #[serde(default)]
    pub max_results: Option<u64>,
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub is_last: Option<bool>,
    #[serde(default = "Vec::new")]
    pub values: Vec<T>,
}

/// What a planner needs to know about a page it asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageFacts {
    /// The offset that was requested.
    pub start_at: u64,
    /// Items on the page.
    pub len: u64,
    /// The page size the server applied (it silently lowers a larger request).
    pub max_results: Option<u64>,
    pub total: Option<u64>,
    pub is_last: Option<bool>,
}

impl<T> PageBean<T> {
    pub fn facts(&self, requested_start_at: u64) -> PageFacts {
        PageFacts {
            start_at: requested_start_at,
            len: self.values.len() as u64,
            max_results: self.max_results,
            total: self.total,
            is_last: self.is_last,
        }
    }
}

/// Why a listing cannot be paged to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagingError {
    /// `isLast` is false, yet the page is empty and beyond `total`: following
    /// it would never end.
    Runaway { start_at: u64, total: u64 },
    /// The server reported a page size of zero.
    ZeroPageSize { start_at: u64 },
}

impl std::fmt::Display for PagingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PagingError::Runaway { start_at, total } => write!(
                f,
                "Page at startAt={start_at} is empty and past total={total}, but isLast is false"
            ),
            PagingError::ZeroPageSize { start_at } => {
                write!(f, "Page at startAt={start_at} reports maxResults=0")
            }
        }
    }
}

/// Plans the pages of a `PageBean` listing (paged by `isLast` and `startAt`).
///
/// The first page tells the page size the server applies and the total, so
/// every other page can be requested at once. If the last planned page still
/// says `isLast: false` (the listing grew), paging carries on one page at a
/// time. Short pages are never taken as the end: only `isLast` is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetPlan {
    requested: u64,
    /// The highest offset planned so far.
    frontier: u64,
    outstanding: u32,
    finished: bool,
}

impl OffsetPlan {
    /// Starts a plan; the caller fetches the returned first offset (0).
    pub fn start(page_size: u64) -> (Self, u64) {
        let plan = Self {
            requested: page_size,
            frontier: 0,
            outstanding: 1,
            finished: false,
        };
        (plan, 0)
    }

    /// Records a fetched page and returns the offsets to fetch next.
    pub fn on_page(&mut self, page: PageFacts) -> Result<Vec<u64>, PagingError> {
        self.outstanding = self.outstanding.saturating_sub(1);
        let size = page
            .max_results
            .unwrap_or(self.requested)
            .min(self.requested);
        if size == 0 {
            return Err(PagingError::ZeroPageSize {
                start_at: page.start_at,
            });
        }
        let is_last = match page.is_last {
            Some(last) => last,
            // Without isLast, fall back to the total; without either, an empty page ends it.
            None => page
                .total
                .map_or(page.len == 0, |total| page.start_at + size >= total),
        };
        if is_last {
            self.finished = true;
            return Ok(Vec::new());
        }
        if self.finished || page.start_at < self.frontier {
            // An earlier page of a range already planned.
            return Ok(Vec::new());
        }
        // An empty page past the total that still claims more is a runaway.
        // An empty first page is not: a listing of nothing (an admin tier
        // often is one) whose `isLast` is wrong gets one more page read.
        if page.len == 0
            && page.start_at > 0
            && let Some(total) = page.total
            && page.start_at >= total
        {
            return Err(PagingError::Runaway {
                start_at: page.start_at,
                total,
            });
        }
        let mut next = Vec::new();
        let mut offset = page.start_at + size;
        match page.total {
            Some(total) if page.start_at == 0 => {
                while offset < total {
                    next.push(offset);
                    offset += size;
                }
                if next.is_empty() {
                    next.push(offset);
                }
            }
            _ => next.push(offset),
        }
        self.frontier = *next.last().expect("at least one offset planned");
        self.outstanding += next.len() as u32;
        Ok(next)
    }

    /// Whether every planned page has been fetched and the end was seen.
    pub fn is_done(&self) -> bool {
        self.outstanding == 0
    }
}

/// Plans the pages of a plain-array listing such as `users/search`, which has
/// no total and no `isLast`: the listing ends at the first empty page.
///
/// Up to `window` pages are kept in flight ahead of the last one seen, so the
/// cost of not knowing the total is at most `window - 1` empty pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrayPlan {
    page_size: u64,
    window: u64,
    next_offset: u64,
    outstanding: u64,
    /// The offset of the first empty page seen.
    end: Option<u64>,
}

impl ArrayPlan {
    pub fn start(page_size: u64, window: u64) -> (Self, u64) {
        let plan = Self {
            page_size,
            window: window.max(1),
            next_offset: page_size,
            outstanding: 1,
            end: None,
        };
        (plan, 0)
    }

    /// Records a fetched page and returns the offsets to fetch next.
    ///
    /// Offsets advance by the requested page size, not by the items returned:
    /// Jira filters a window of `maxResults` accounts, so a short page does
    /// not mean the next account starts where it stopped.
    pub fn on_page(&mut self, start_at: u64, len: u64) -> Vec<u64> {
        self.outstanding = self.outstanding.saturating_sub(1);
        if len == 0 {
            self.end = Some(self.end.map_or(start_at, |e| e.min(start_at)));
            return Vec::new();
        }
        let mut next = Vec::new();
        if self.end.is_none() {
            // A full page suggests more to come: keep the window open. A short
            // page suggests the end is near, so only the page after it is
            // checked (it may still hold accounts, since Jira filters).
            let window = if len >= self.page_size {
                self.window
            } else {
                1
            };
            while self.outstanding < window {
                next.push(self.next_offset);
                self.next_offset += self.page_size;
                self.outstanding += 1;
            }
        }
        next
    }

    pub fn is_done(&self) -> bool {
        self.outstanding == 0 && self.end.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(start_at: u64, len: u64, max: u64, total: u64, last: bool) -> PageFacts {
        PageFacts {
            start_at,
            len,
            max_results: Some(max),
            total: Some(total),
            is_last: Some(last),
        }
    }

    #[test]
    fn offset_plan_fans_out_from_total() {
        let (mut plan, first) = OffsetPlan::start(50);
        assert_eq!(first, 0);
        let next = plan.on_page(facts(0, 50, 50, 175, false)).unwrap();
        assert_eq!(next, vec![50, 100, 150]);
        assert!(!plan.is_done());
        assert_eq!(
            plan.on_page(facts(50, 50, 50, 175, false)).unwrap(),
            Vec::<u64>::new()
        );
        assert_eq!(
            plan.on_page(facts(100, 50, 50, 175, false)).unwrap(),
            Vec::<u64>::new()
        );
        assert_eq!(
            plan.on_page(facts(150, 25, 50, 175, true)).unwrap(),
            Vec::<u64>::new()
        );
        assert!(plan.is_done());
    }

    #[test]
    fn offset_plan_uses_the_server_page_size() {
        // Asked for 100, the server applied 50 and said so.
        let (mut plan, _) = OffsetPlan::start(100);
        assert_eq!(
            plan.on_page(facts(0, 50, 50, 120, false)).unwrap(),
            vec![50, 100]
        );
    }

    #[test]
    fn offset_plan_continues_when_the_listing_grew() {
        let (mut plan, _) = OffsetPlan::start(50);
        assert_eq!(
            plan.on_page(facts(0, 50, 50, 100, false)).unwrap(),
            vec![50]
        );
        // Total was 100, but a group gained members: page 50 is not last.
        assert_eq!(
            plan.on_page(facts(50, 50, 50, 110, false)).unwrap(),
            vec![100]
        );
        assert!(!plan.is_done());
        assert_eq!(
            plan.on_page(facts(100, 10, 50, 110, true)).unwrap(),
            Vec::<u64>::new()
        );
        assert!(plan.is_done());
    }

    #[test]
    fn offset_plan_never_takes_a_short_page_as_the_end() {
        let (mut plan, _) = OffsetPlan::start(50);
        assert_eq!(
            plan.on_page(facts(0, 3, 50, 200, false)).unwrap(),
            vec![50, 100, 150]
        );
    }

    #[test]
    fn offset_plan_ends_on_is_last() {
        let (mut plan, _) = OffsetPlan::start(50);
        assert!(plan.on_page(facts(0, 7, 50, 7, true)).unwrap().is_empty());
        assert!(plan.is_done());
    }

    #[test]
    fn offset_plan_refuses_a_runaway_listing() {
        let (mut plan, _) = OffsetPlan::start(50);
        assert_eq!(plan.on_page(facts(0, 50, 50, 50, false)).unwrap(), vec![50]);
        assert_eq!(
            plan.on_page(facts(50, 0, 50, 50, false)),
            Err(PagingError::Runaway {
                start_at: 50,
                total: 50
            })
        );
    }

    #[test]
    fn offset_plan_reads_past_an_empty_first_page_that_claims_more() {
        let (mut plan, _) = OffsetPlan::start(50);
        assert_eq!(plan.on_page(facts(0, 0, 50, 0, false)).unwrap(), vec![50]);
        assert!(plan.on_page(facts(50, 0, 50, 0, true)).unwrap().is_empty());
        assert!(plan.is_done());
    }

    #[test]
    fn offset_plan_refuses_zero_page_size() {
        let (mut plan, _) = OffsetPlan::start(50);
        assert!(matches!(
            plan.on_page(facts(0, 0, 0, 10, false)),
            Err(PagingError::ZeroPageSize { .. })
        ));
    }

    #[test]
    fn offset_plan_without_total_goes_page_by_page() {
        let (mut plan, _) = OffsetPlan::start(50);
        let page = PageFacts {
            start_at: 0,
            len: 50,
            max_results: Some(50),
            total: None,
            is_last: Some(false),
        };
        assert_eq!(plan.on_page(page).unwrap(), vec![50]);
    }

    #[test]
    fn array_plan_stops_only_on_an_empty_page() {
        let (mut plan, first) = ArrayPlan::start(1000, 3);
        assert_eq!(first, 0);
        assert_eq!(plan.on_page(0, 1000), vec![1000, 2000, 3000]);
        // A short page is not the end, but it does not widen the window.
        assert_eq!(plan.on_page(1000, 400), Vec::<u64>::new());
        assert_eq!(plan.on_page(2000, 0), Vec::<u64>::new());
        assert!(!plan.is_done());
        assert_eq!(plan.on_page(3000, 0), Vec::<u64>::new());
        assert!(plan.is_done());
    }

    #[test]
    fn array_plan_checks_one_page_past_a_short_first_page() {
        let (mut plan, _) = ArrayPlan::start(1000, 8);
        assert_eq!(plan.on_page(0, 65), vec![1000]);
        assert_eq!(plan.on_page(1000, 0), Vec::<u64>::new());
        assert!(plan.is_done());
    }

    #[test]
    fn array_plan_with_window_one_is_sequential() {
        let (mut plan, _) = ArrayPlan::start(1000, 1);
        assert_eq!(plan.on_page(0, 1000), vec![1000]);
        assert_eq!(plan.on_page(1000, 1), vec![2000]);
        assert_eq!(plan.on_page(2000, 0), Vec::<u64>::new());
        assert!(plan.is_done());
    }
}
