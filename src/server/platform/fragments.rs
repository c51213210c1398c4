//! Rendered HTML fragments kept for reuse while the data they show is unchanged.
//!
//! The key of a fragment names everything it depends on, the version of its data included
//! (e.g. `partner_orgs.customers_version`, moved on in every transaction that changes what
//! the fragment shows), so a fragment is never shown for newer data, on any instance. An
//! entry also expires after a while, and the cache holds a bounded number of entries.
//! Requests that miss the same key at once share one rendering (single flight): after a
//! change, a crowd of readers of the same page costs one query, not one each.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

/// A rendered part of a page: the HTML of a list's rows, and what the page shows around
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rows {
    /// How many items there are in all.
    pub total: i64,
    /// How many are on this page.
    pub count: i64,
    pub html: String,
    /// How many items come before this page.
    pub offset: i64,
    /// The first and last item of the page, when the list goes on before or after them.
    pub first: Option<String>,
    pub last: Option<String>,
}

/// Each entry: when it was made, and the fragment once it is rendered.
type Entries = HashMap<String, (Instant, Arc<OnceCell<Arc<Rows>>>)>;

#[derive(Clone, Debug, Default)]
pub struct Fragments(Arc<Mutex<Entries>>);

impl Fragments {
    /// How long an entry is reused at most.
    pub const TTL: Duration = Duration::from_secs(300);
    /// How many entries are kept at most (a Customers page of 50 rows is about 50 KB).
    pub const CAPACITY: usize = 256;

    /// The fragment of `key`: the one kept, or the one being rendered for another request,
    /// or else what `render` makes (kept unless it fails; then the next request tries).
    pub async fn get_or_render<F, Fut, E>(&self, key: String, render: F) -> Result<Arc<Rows>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Rows, E>>,
    {
        let cell = {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            match map.get(&key) {
                Some((at, cell)) if at.elapsed() < Self::TTL => cell.clone(),
                _ => {
                    Self::make_room(&mut map);
                    let cell = Arc::new(OnceCell::new());
                    map.insert(key, (Instant::now(), cell.clone()));
                    cell
                }
            }
        };
        cell.get_or_try_init(|| async { render().await.map(Arc::new) })
            .await
            .cloned()
    }

    fn make_room(map: &mut Entries) {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn rows(html: &str) -> Rows {
        Rows {
            total: 1,
            count: 1,
            html: html.to_string(),
            offset: 0,
            first: None,
            last: None,
        }
    }

    async fn render(cache: &Fragments, key: &str, html: &str, renders: &AtomicUsize) -> String {
        cache
            .get_or_render(key.to_string(), || async {
                renders.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok::<_, ()>(rows(html))
            })
            .await
            .unwrap()
            .html
            .clone()
    }

    #[tokio::test]
    async fn entries_are_found_by_their_whole_key_and_bounded() {
        let cache = Fragments::default();
        let renders = AtomicUsize::new(0);
        assert_eq!(
            render(&cache, "customers:p:en:7", "<li>a</li>", &renders).await,
            "<li>a</li>"
        );
        assert_eq!(
            render(&cache, "customers:p:en:7", "other", &renders).await,
            "<li>a</li>"
        );
        assert_eq!(
            render(&cache, "customers:p:en:8", "new", &renders).await,
            "new",
            "another version"
        );
        assert_eq!(renders.load(Ordering::SeqCst), 2);
        for i in 0..(Fragments::CAPACITY + 10) {
            render(&cache, &format!("k{i}"), "x", &renders).await;
        }
        assert_eq!(cache.0.lock().unwrap().len(), Fragments::CAPACITY);
        assert!(
            !cache.0.lock().unwrap().contains_key("k0"),
            "the oldest went first"
        );
    }

    #[tokio::test]
    async fn concurrent_misses_share_one_rendering_and_failures_are_not_kept() {
        let cache = Fragments::default();
        let renders = Arc::new(AtomicUsize::new(0));
        let mut all = tokio::task::JoinSet::new();
        for _ in 0..32 {
            let (cache, renders) = (cache.clone(), renders.clone());
            all.spawn(async move { render(&cache, "customers:p:en:9", "page", &renders).await });
        }
        while let Some(html) = all.join_next().await {
            assert_eq!(html.unwrap(), "page");
        }
        assert_eq!(
            renders.load(Ordering::SeqCst),
            1,
            "32 misses, one rendering"
        );
        let failed = cache
            .get_or_render("k".into(), || async { Err::<Rows, _>("database away") })
            .await;
        assert_eq!(failed, Err("database away"));
        assert_eq!(render(&cache, "k", "back", &renders).await, "back");
    }
}
