//! A map for the few entries a request or an isolate caches (data keys, busy times): a
//! vector searched in order. A `HashMap` compiles its hash table and the hasher for each key
//! type into the Worker, which for a handful of entries buys nothing (BENCHMARKS.md, *Size*).

use std::borrow::Borrow;

/// Entries in insertion order, one per key.
#[derive(Debug, Clone)]
pub struct SmallMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<K: PartialEq, V> SmallMap<K, V> {
    /// The value under `key` (or a borrowed form of it, as `&str` for `String`).
    pub fn get<Q: PartialEq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.entries
            .iter()
            .find(|(k, _)| k.borrow() == key)
            .map(|(_, v)| v)
    }

    /// Puts `value` under `key`, replacing what was there.
    pub fn insert(&mut self, key: K, value: V) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Takes out the value under `key`.
    pub fn remove<Q: PartialEq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let index = self.entries.iter().position(|(k, _)| k.borrow() == key)?;
        Some(self.entries.swap_remove(index).1)
    }

    /// Keeps only the entries `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.entries.retain(|(k, v)| keep(k, v));
    }

    /// The entries, in no promised order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// How many entries there are.
    pub fn count(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// The standard `HashMap` is the reference: the same inserts and removals leave the
        /// same contents.
        #[test]
        fn behaves_like_a_hash_map(ops in proptest::collection::vec((any::<bool>(), 0u8..8, any::<u16>()), 0..80)) {
            let mut ours = SmallMap::default();
            let mut reference = HashMap::new();
            for (insert, key, value) in ops {
                if insert {
                    ours.insert(key, value);
                    reference.insert(key, value);
                } else {
                    prop_assert_eq!(ours.remove(&key), reference.remove(&key));
                }
                prop_assert_eq!(ours.count(), reference.len());
            }
            for key in 0u8..8 {
                prop_assert_eq!(ours.get(&key), reference.get(&key));
            }
        }
    }
}
