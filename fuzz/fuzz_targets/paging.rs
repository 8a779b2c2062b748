//! The paging planners, fed any sequence of pages a server might send: they
//! never panic, never plan an offset twice or go backwards, and end once the
//! listing says so.
#![no_main]

use extractor_jira::jira::page::{ArrayPlan, OffsetPlan, PageFacts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.iter().copied();
    let mut next = || bytes.next().map(u64::from);

    // PageBean listings.
    let (mut plan, first) = OffsetPlan::start(50);
    let mut pending = vec![first];
    let mut planned = std::collections::BTreeSet::from([first]);
    let mut steps = 0;
    while let Some(start_at) = pending.pop() {
        steps += 1;
        if steps > 10_000 {
            break;
        }
        let (Some(len), Some(max), Some(total), Some(flags)) = (next(), next(), next(), next())
        else {
            break;
        };
        let facts = PageFacts {
            start_at,
            len,
            max_results: (flags & 1 == 1).then_some(max),
            total: (flags & 2 == 2).then_some(total * 50),
            is_last: match flags >> 2 & 3 {
                0 => None,
                1 => Some(true),
                _ => Some(false),
            },
        };
        if let Ok(offsets) = plan.on_page(facts) {
            for offset in offsets {
                assert!(
                    offset > start_at || facts.start_at == 0,
                    "paging went backwards"
                );
                assert!(planned.insert(offset), "offset {offset} planned twice");
                pending.push(offset);
            }
        } else {
            break;
        }
    }

    // Plain arrays.
    let window = next().unwrap_or(1).max(1);
    let (mut array, first) = ArrayPlan::start(1000, window);
    let mut pending = vec![first];
    let mut seen = std::collections::BTreeSet::from([first]);
    while let Some(start_at) = pending.pop() {
        let Some(len) = next() else { break };
        for offset in array.on_page(start_at, len.min(1000) * 4) {
            assert!(seen.insert(offset), "offset {offset} planned twice");
            pending.push(offset);
        }
        if seen.len() > 10_000 {
            break;
        }
    }
});
