//! Rendered HTML fragments kept for reuse while the data they show is unchanged.
//!
//! The key of a fragment names everything it depends on, the version of its data included
//! (e.g. `partner_orgs.customers_version`, moved on in every transaction that changes what
//! the fragment shows), so a fragment is never shown for newer data, on any instance. An
//! entry also expires after a while, and the cache holds a bounded number of entries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A rendered part of a page: the HTML of a list's rows, and the counts the page shows
/// around them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rows {
    /// How many items there are in all.
    pub total: i64,
    /// How many are on this page.
    pub count: i64,
    pub html: String,
}

/// Each entry: when it was rendered, and the fragment.
type Entries = HashMap<String, (Instant, Arc<Rows>)>;

#[derive(Clone, Debug, Default)]
pub struct Fragments(Arc<Mutex<Entries>>);

impl Fragments {
    /// How long an entry is reused at most.
    pub const TTL: Duration = Duration::from_secs(300);
    /// How many entries are kept at most (a Customers page of 50 rows is about 50 KB).
    pub const CAPACITY: usize = 256;

    pub fn get(&self, key: &str) -> Option<Arc<Rows>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(at, _)| at.elapsed() < Self::TTL)
            .map(|(_, html)| html.clone())
    }

    pub fn put(&self, key: String, rows: Arc<Rows>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::CAPACITY {
            map.retain(|_, (at, _)| at.elapsed() < Self::TTL);
        }
        if map.len() >= Self::CAPACITY {
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(key, (Instant::now(), rows));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(html: &str) -> Arc<Rows> {
        Arc::new(Rows {
            total: 1,
            count: 1,
            html: html.to_string(),
        })
    }

    #[test]
    fn entries_are_found_by_their_whole_key_and_bounded() {
        let cache = Fragments::default();
        cache.put("customers:p:1:en:7".into(), rows("<li>a</li>"));
        assert_eq!(
            cache
                .get("customers:p:1:en:7")
                .map(|r| r.html.clone())
                .as_deref(),
            Some("<li>a</li>")
        );
        assert_eq!(cache.get("customers:p:1:en:8"), None, "another version");
        for i in 0..(Fragments::CAPACITY + 10) {
            cache.put(format!("k{i}"), rows("x"));
        }
        assert_eq!(cache.0.lock().unwrap().len(), Fragments::CAPACITY);
        assert!(cache.get("k0").is_none(), "the oldest went first");
        assert!(cache
            .get(&format!("k{}", Fragments::CAPACITY + 9))
            .is_some());
    }
}
