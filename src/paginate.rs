//! Pagination for both models the vendors use, as lazy streams of items (after octocrab's
//! `Page<T>` and oxide.rs's `.stream()`).
//!
//! - **Offset/limit with a total** (BigFix, OTC v1, Veeam): the first page tells the total,
//!   so the remaining pages are known up front and up to `--concurrency` of them are fetched
//!   at once; `buffered` keeps them in order.
//! - **Page number/page size** (OC Reporter), or offset/limit without a total: pages are
//!   fetched one after another until a short or empty page.
//!
//! `--max-items` bounds the pages requested, not just the items printed: a page that is not
//! needed is never asked for. `--no-paginate` stops after the first page.

use std::future::Future;
use std::sync::Arc;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::error::Result;

/// One page of a collection as the server answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page, in server order.
    pub items: Vec<T>,
    /// The size of the whole collection, when the server says.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// A page with a known total.
    pub fn with_total(items: Vec<T>, total: u64) -> Self {
        Page {
            items,
            total: Some(total),
        }
    }

    /// A page of a collection whose size is not known.
    pub fn open(items: Vec<T>) -> Self {
        Page { items, total: None }
    }
}

/// What the pager needs to know of one page: how many items it held and, when the server
/// says, how many the whole collection has. [`Page<T>`] is the usual page; a caller that must
/// keep more of each answer (the raw body, for the monthly bundle) pages a pair of its own.
pub trait Paged: Send + 'static {
    /// Items on this page.
    fn item_count(&self) -> u64;
    /// Items in the whole collection, when the server says.
    fn total(&self) -> Option<u64>;
}

impl<T: Send + 'static> Paged for Page<T> {
    fn item_count(&self) -> u64 {
        self.items.len() as u64
    }
    fn total(&self) -> Option<u64> {
        self.total
    }
}

impl<P: Paged, X: Send + 'static> Paged for (P, X) {
    fn item_count(&self) -> u64 {
        self.0.item_count()
    }
    fn total(&self) -> Option<u64> {
        self.0.total()
    }
}

/// The paging flags of DESIGN.md §2, resolved against the vendor's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOptions {
    /// Items per request.
    pub page_size: u64,
    /// Stop after this many items (`--max-items`).
    pub max_items: Option<u64>,
    /// Only the first page (`--no-paginate`).
    pub no_paginate: bool,
    /// Pages in flight at once when the total is known (`--concurrency`).
    pub concurrency: usize,
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions {
            page_size: 100,
            max_items: None,
            no_paginate: false,
            concurrency: 4,
        }
    }
}

impl PageOptions {
    /// The options with `page_size` replaced by the user's `--page-size` if given, else the
    /// vendor's default, checked against the vendor's documented maximum.
    pub fn for_vendor(
        self,
        requested: Option<u64>,
        default: u64,
        max: u64,
        vendor: &str,
    ) -> Result<Self> {
        let page_size = requested.unwrap_or(default);
        if page_size == 0 || page_size > max {
            return Err(crate::Error::usage(format!(
                "--page-size {page_size} is out of range for {vendor}: 1..={max}"
            )));
        }
        Ok(PageOptions { page_size, ..self })
    }

    fn first_limit(&self) -> u64 {
        match self.max_items {
            Some(m) => m.clamp(1, self.page_size),
            None => self.page_size,
        }
    }
}

/// Streams every item of an offset/limit collection. `fetch(offset, limit)` gets one page.
pub fn offset_stream<T, F, Fut>(opts: PageOptions, fetch: F) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    F: Fn(u64, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    if opts.max_items == Some(0) {
        return stream::empty().boxed();
    }
    items(offset_pages(opts, fetch), opts.max_items)
}

/// The pages of an offset/limit collection, in order, under the same rules as
/// [`offset_stream`] (concurrent pages when the total is known, `--max-items`,
/// `--no-paginate`), for callers that need each page whole.
pub fn offset_pages<P, F, Fut>(opts: PageOptions, fetch: F) -> BoxStream<'static, Result<P>>
where
    P: Paged,
    F: Fn(u64, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<P>> + Send + 'static,
{
    if opts.max_items == Some(0) {
        return stream::empty().boxed();
    }
    let fetch = Arc::new(fetch);
    let first_limit = opts.first_limit();
    let first = {
        let fetch = fetch.clone();
        async move { fetch(0, first_limit).await }
    };
    stream::once(first)
        .flat_map(move |res| -> BoxStream<'static, Result<P>> {
            let page = match res {
                Ok(p) => p,
                Err(e) => return stream::iter([Err(e)]).boxed(),
            };
            let got = page.item_count();
            let rest = if opts.no_paginate || got == 0 {
                stream::empty().boxed()
            } else if let Some(total) = page.total() {
                // A server may cap the page size below what was asked: step by what it gave.
                let step = if got < first_limit && got < total {
                    got
                } else {
                    opts.page_size
                };
                let want = opts.max_items.map_or(total, |m| m.min(total));
                let plan: Vec<(u64, u64)> = (got..want)
                    .step_by(step.max(1) as usize)
                    .map(|offset| (offset, step.min(want - offset)))
                    .collect();
                let fetch = fetch.clone();
                stream::iter(plan)
                    .map(move |(offset, limit)| {
                        let fetch = fetch.clone();
                        async move { fetch(offset, limit).await }
                    })
                    .buffered(opts.concurrency.max(1))
                    .boxed()
            } else if got < first_limit {
                stream::empty().boxed()
            } else {
                sequential(opts, got, fetch.clone(), move |offset, _| offset)
            };
            stream::iter([Ok(page)]).chain(rest).boxed()
        })
        .boxed()
}

/// Streams every item of a page-number collection (OC Reporter: `page`, `showPerPage`).
/// `fetch(page, page_size)` gets one page; pages count from `first_page`.
pub fn page_number_stream<T, F, Fut>(
    opts: PageOptions,
    first_page: u64,
    fetch: F,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    F: Fn(u64, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    if opts.max_items == Some(0) {
        return stream::empty().boxed();
    }
    let fetch = Arc::new(fetch);
    // Pages must all have one size for page numbers to line up, so --max-items below the page
    // size shrinks every page: one request, for just what is needed.
    let opts = PageOptions {
        page_size: opts.first_limit(),
        ..opts
    };
    let pages = sequential(opts, 0, fetch, move |offset, size| {
        first_page + offset / size.max(1)
    });
    items(pages, opts.max_items)
}

/// Pages fetched one after another from item `start`, until a short or empty page, the
/// total, or `--max-items`. `key(offset, page_size)` turns an item offset into the value the
/// vendor's `fetch` expects (the offset itself, or a page number).
fn sequential<P, F, Fut, K>(
    opts: PageOptions,
    start: u64,
    fetch: Arc<F>,
    key: K,
) -> BoxStream<'static, Result<P>>
where
    P: Paged,
    F: Fn(u64, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<P>> + Send + 'static,
    K: Fn(u64, u64) -> u64 + Send + Sync + 'static,
{
    struct State {
        offset: u64,
        done: bool,
    }
    let size = opts.page_size.max(1);
    stream::try_unfold(
        State {
            offset: start,
            done: false,
        },
        move |st| {
            let fetch = fetch.clone();
            let k = key(st.offset, size);
            async move {
                if st.done {
                    return Ok(None);
                }
                if let Some(max) = opts.max_items {
                    if st.offset >= max {
                        return Ok(None);
                    }
                }
                let page = fetch(k, size).await?;
                let got = page.item_count();
                let offset = st.offset + got;
                let done = opts.no_paginate
                    || got < size
                    || page.total().is_some_and(|t| offset >= t)
                    || opts.max_items.is_some_and(|m| offset >= m);
                if got == 0 {
                    return Ok(None);
                }
                Ok(Some((page, State { offset, done })))
            }
        },
    )
    .boxed()
}

fn items<T: Send + 'static>(
    pages: BoxStream<'static, Result<Page<T>>>,
    max: Option<u64>,
) -> BoxStream<'static, Result<T>> {
    let flat = pages
        .map_ok(|p| stream::iter(p.items.into_iter().map(Ok)))
        .try_flatten();
    match max {
        Some(m) => flat.take(m as usize).boxed(),
        None => flat.boxed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A fake collection of `n` numbers that records every (offset, limit) asked for.
    fn collection(
        n: u64,
        with_total: bool,
        calls: Arc<Mutex<Vec<(u64, u64)>>>,
    ) -> impl Fn(u64, u64) -> futures::future::Ready<Result<Page<u64>>> + Send + Sync {
        move |offset, limit| {
            calls.lock().unwrap().push((offset, limit));
            let items: Vec<u64> = (offset..(offset + limit).min(n)).collect();
            futures::future::ready(Ok(Page {
                items,
                total: with_total.then_some(n),
            }))
        }
    }

    fn run<T: Send + 'static>(s: BoxStream<'static, Result<T>>) -> Vec<T> {
        futures::executor::block_on(s.try_collect()).unwrap_or_else(|e: crate::Error| panic!("{e}"))
    }

    #[test]
    fn all_pages_in_order_with_total() {
        let calls = Arc::default();
        let opts = PageOptions {
            page_size: 10,
            ..Default::default()
        };
        let got = run(offset_stream(
            opts,
            collection(35, true, Arc::clone(&calls)),
        ));
        assert_eq!(got, (0..35).collect::<Vec<_>>());
        assert_eq!(
            *calls.lock().unwrap(),
            vec![(0, 10), (10, 10), (20, 10), (30, 5)]
        );
    }

    #[test]
    fn max_items_never_requests_unneeded_pages() {
        let calls = Arc::default();
        let opts = PageOptions {
            page_size: 10,
            max_items: Some(25),
            ..Default::default()
        };
        let got = run(offset_stream(
            opts,
            collection(1000, true, Arc::clone(&calls)),
        ));
        assert_eq!(got.len(), 25);
        assert_eq!(*calls.lock().unwrap(), vec![(0, 10), (10, 10), (20, 5)]);

        let calls = Arc::default();
        let opts = PageOptions {
            page_size: 10,
            max_items: Some(3),
            ..Default::default()
        };
        assert_eq!(
            run(offset_stream(
                opts,
                collection(1000, true, Arc::clone(&calls))
            )),
            vec![0, 1, 2]
        );
        assert_eq!(*calls.lock().unwrap(), vec![(0, 3)]);
    }

    #[test]
    fn no_paginate_is_one_request() {
        let calls = Arc::default();
        let opts = PageOptions {
            page_size: 10,
            no_paginate: true,
            ..Default::default()
        };
        assert_eq!(
            run(offset_stream(
                opts,
                collection(50, true, Arc::clone(&calls))
            ))
            .len(),
            10
        );
        assert_eq!(calls.lock().unwrap().len(), 1);
    }

    #[test]
    fn without_total_pages_until_short_page() {
        let calls = Arc::default();
        let opts = PageOptions {
            page_size: 10,
            ..Default::default()
        };
        assert_eq!(
            run(offset_stream(
                opts,
                collection(20, false, Arc::clone(&calls))
            ))
            .len(),
            20
        );
        // 20 is a multiple of 10: the third page comes back empty and ends the walk.
        assert_eq!(*calls.lock().unwrap(), vec![(0, 10), (10, 10), (20, 10)]);
    }

    #[test]
    fn server_capping_the_page_size_leaves_no_gaps() {
        let calls: Arc<Mutex<Vec<(u64, u64)>>> = Arc::default();
        let c = Arc::clone(&calls);
        let fetch = move |offset: u64, limit: u64| {
            c.lock().unwrap().push((offset, limit));
            let limit = limit.min(4);
            futures::future::ready(Ok(Page::with_total(
                (offset..(offset + limit).min(10)).collect(),
                10,
            )))
        };
        let opts = PageOptions {
            page_size: 100,
            ..Default::default()
        };
        assert_eq!(
            run(offset_stream(opts, fetch)),
            (0..10).collect::<Vec<u64>>()
        );
    }

    #[test]
    fn concurrency_keeps_order() {
        // Pages complete in reverse order; the stream must still yield them in order.
        let fetch = |offset: u64, limit: u64| async move {
            let delay = 2000u64.saturating_sub(offset * 10);
            tokio::time::sleep(std::time::Duration::from_micros(delay)).await;
            Ok(Page::with_total(
                (offset..offset + limit).collect::<Vec<u64>>(),
                100,
            ))
        };
        let opts = PageOptions {
            page_size: 10,
            concurrency: 8,
            ..Default::default()
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let got: Vec<u64> = rt
            .block_on(offset_stream(opts, fetch).try_collect())
            .unwrap();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn page_numbers_count_from_first_page() {
        let calls: Arc<Mutex<Vec<(u64, u64)>>> = Arc::default();
        let c = Arc::clone(&calls);
        let fetch = move |page: u64, size: u64| {
            c.lock().unwrap().push((page, size));
            let start = (page - 1) * size;
            futures::future::ready(Ok(Page::open(
                (start..(start + size).min(25)).collect::<Vec<u64>>(),
            )))
        };
        let opts = PageOptions {
            page_size: 10,
            ..Default::default()
        };
        assert_eq!(run(page_number_stream(opts, 1, fetch.clone())).len(), 25);
        assert_eq!(*calls.lock().unwrap(), vec![(1, 10), (2, 10), (3, 10)]);
        calls.lock().unwrap().clear();
        let opts = PageOptions {
            page_size: 10,
            max_items: Some(3),
            ..Default::default()
        };
        assert_eq!(run(page_number_stream(opts, 1, fetch)), vec![0, 1, 2]);
        assert_eq!(*calls.lock().unwrap(), vec![(1, 3)]);
    }

    #[test]
    fn whole_pages_with_their_own_data_come_in_order() {
        // A page paired with what the caller keeps of it (here: its offset, as a raw body).
        let fetch = |offset: u64, limit: u64| {
            let items: Vec<u64> = (offset..(offset + limit).min(23)).collect();
            futures::future::ready(Ok((Page::with_total(items, 23), format!("body@{offset}"))))
        };
        let opts = PageOptions {
            page_size: 10,
            concurrency: 3,
            ..Default::default()
        };
        let pages: Vec<(Page<u64>, String)> =
            futures::executor::block_on(offset_pages(opts, fetch).try_collect()).unwrap();
        let bodies: Vec<&str> = pages.iter().map(|(_, b)| b.as_str()).collect();
        assert_eq!(bodies, vec!["body@0", "body@10", "body@20"]);
        assert_eq!(pages.iter().map(|(p, _)| p.items.len()).sum::<usize>(), 23);
    }

    #[test]
    fn errors_end_the_stream() {
        let fetch = |offset: u64, _| {
            futures::future::ready(if offset == 0 {
                Ok(Page::with_total(vec![1u64, 2], 4))
            } else {
                Err(crate::Error::http(503, "down"))
            })
        };
        let opts = PageOptions {
            page_size: 2,
            ..Default::default()
        };
        let r: Result<Vec<u64>> =
            futures::executor::block_on(offset_stream(opts, fetch).try_collect());
        assert_eq!(r.unwrap_err().exit_code(), 7);
    }
}
