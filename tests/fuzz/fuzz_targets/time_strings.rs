//! Time and date strings from query strings and forms: slot starts, local ranges, zone names.
#![no_main]

use chrono::Timelike;
use libfuzzer_sys::fuzz_target;
use openslot::core::availability::{parse_zone, LocalRange};
use openslot::core::booking::parse_slot_start;

fuzz_target!(|text: &str| {
    if let Ok(start) = parse_slot_start(text) {
        assert_eq!(start.second(), 0);
    }
    let (a, b) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i));
    if let Ok(range) = LocalRange::parse(a, b) {
        assert!(range.start_minute() < range.end_minute() && range.end_minute() <= 1440);
    }
    let _ = parse_zone(text);
    let _ = text.parse::<chrono::NaiveDate>();
});
