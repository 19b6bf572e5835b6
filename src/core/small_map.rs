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

/// Read from a JSON object (a provider's answer keyed by calendar id), a later duplicate key
/// replacing an earlier one as `HashMap`'s reading does.
impl<'de, K, V> serde::Deserialize<'de> for SmallMap<K, V>
where
    K: PartialEq + serde::Deserialize<'de>,
    V: serde::Deserialize<'de>,
{
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K, V> serde::de::Visitor<'de> for Entries<K, V>
        where
            K: PartialEq + serde::Deserialize<'de>,
            V: serde::Deserialize<'de>,
        {
            type Value = SmallMap<K, V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = SmallMap::default();
                while let Some((key, value)) = map.next_entry()? {
                    entries.insert(key, value);
                }
                Ok(entries)
            }
        }
        deserializer.deserialize_map(Entries(std::marker::PhantomData))
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

        /// Read from JSON it holds what serde_json's `HashMap` holds, duplicates included.
        #[test]
        fn reads_json_objects_like_a_hash_map(pairs in proptest::collection::vec((0u8..8, any::<u16>()), 0..20)) {
            let body = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect::<Vec<_>>().join(",");
            let json = format!("{{{body}}}");
            let ours: SmallMap<String, u16> = serde_json::from_str(&json).unwrap();
            let reference: HashMap<String, u16> = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(ours.count(), reference.len());
            for (key, value) in &reference {
                prop_assert_eq!(ours.get(key.as_str()), Some(value));
            }
        }
    }

    #[test]
    fn refuses_what_is_not_an_object() {
        assert!(serde_json::from_str::<SmallMap<String, u16>>("[1]").is_err());
    }
}
