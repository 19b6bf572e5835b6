//! One sort for the whole Worker. The standard library's sort is copied into the Worker once
//! per element type and comparison (3–6 KB of wasm each, a dozen copies before this module):
//! callers here map each item to a [`SortKey`] instead, so only the sort of `(SortKey, usize)`
//! is compiled, once (BENCHMARKS.md, *Size*).

/// What an item sorts by: compared as a pair, first field first.
pub type SortKey = (i64, i64);

/// Sorts `items` ascending by `key`; items with equal keys keep their order (stable).
pub fn sort_by_key<T>(items: &mut Vec<T>, key: &dyn Fn(&T) -> SortKey) {
    let mut order: Vec<(SortKey, usize)> = items.iter().map(key).zip(0..).collect();
    // The index makes every key unique, so the unstable sort gives the stable order.
    order.sort_unstable();
    let mut taken: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.iter().filter_map(|&(_, index)| taken[index].take()));
}

/// Sorts numbers ascending (durations in minutes, for lists shown short to long).
pub fn sort_numbers(numbers: &mut Vec<u32>) {
    sort_by_key(numbers, &|n| (i64::from(*n), 0));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_keys_keep_their_order() {
        let mut items = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd')];
        sort_by_key(&mut items, &|(k, _)| (*k, 0));
        assert_eq!(items, vec![(1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
    }

    proptest! {
        /// The standard library's stable sort is the independent reference.
        #[test]
        fn agrees_with_the_standard_stable_sort(
            items in proptest::collection::vec((-5i64..5, -3i64..3, any::<u8>()), 0..60)
        ) {
            let mut ours = items.clone();
            sort_by_key(&mut ours, &|(a, b, _)| (*a, *b));
            let mut reference = items;
            reference.sort_by_key(|(a, b, _)| (*a, *b));
            prop_assert_eq!(ours, reference);
        }
    }
}
