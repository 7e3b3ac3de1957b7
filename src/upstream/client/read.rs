//! Reading an upstream as a stream with a native position, written once for every
//! vendor: [`Position`] (raw records before it; for numbered pages, the walk's fixed page
//! size), one read at a position (`Walker::read`: one page, or two where the upstream
//! gives no total and the read needs more than this page holds), the cheap count where a
//! vendor has one, single-record probes, a full read within the budget (`Walker::scan`,
//! which claims its calls before reading when it can know how many it needs), the walk of
//! a whole answer (`Walker::fetch`) and the look-up of one record (`Walker::find`).
//!
//! A position counts the records the pushed query returns, before the residual filter:
//! that is what the vendor pages over, so a position is valid for every later request of
//! the same query. Every read applies the residual and keeps each record's raw index.
//!
//! Talks HTTP only through the exchange; imports no `worker`, no wasm, no `std::time`.

use futures_util::future::{join, join_all};

use crate::filter::Filter;
use crate::model::{Record, RecordSchema};
use crate::upstream::pushdown::SourcePlan;

use super::budget::{Ledger, Spend};
use super::error::{UpstreamError, UpstreamErrorKind};
use super::fetch::{Answer, Budget, Cursor, Lookup, NormCtx, Page, Paging, Walker};
use super::groups::Grouped;
use super::http::{Clock, HttpClient, NativeRequest};

/// Where one source's stream stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Position {
    /// Raw records of the stream (what the pushed query returns) before this position.
    pub index: u64,
    /// The walk's fixed page size where the upstream numbers its pages (pages only line
    /// up at one size); 0 for offset upstreams.
    pub page_size: u32,
}

/// What one read returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Chunk {
    /// The records that satisfy the residual, each with its raw index, in stream order.
    pub records: Vec<(u64, Record)>,
    /// The position after the last raw record read.
    pub next: Position,
    /// Nothing follows `next`.
    pub end: bool,
    /// The vendor's total of raw records, when it gave one.
    pub total: Option<u64>,
    /// Raw records received.
    pub fetched: u64,
    /// The page requests made, described for explain (no secrets).
    pub requests: Vec<String>,
}

/// What a full read returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scanned {
    /// Every record read that satisfies the residual, in stream order.
    pub records: Vec<Record>,
    /// Every raw record was read.
    pub complete: bool,
    /// The raw records the pushed query matches, when the vendor told.
    pub total: Option<u64>,
    /// Raw records received.
    pub fetched: u64,
    /// The page requests made, described for explain.
    pub requests: Vec<String>,
    /// The vendor's own groups, when it grouped instead ([`Grouped`]; no records then).
    pub grouped: Option<Grouped>,
}

impl Scanned {
    /// A read answered by the vendor's groups: complete, no record fetched.
    pub fn of_groups(g: Grouped) -> Scanned {
        Scanned {
            complete: true,
            total: Some(g.total),
            requests: g.requests.clone(),
            grouped: Some(g),
            ..Scanned::default()
        }
    }
}

/// What a look-up found.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// The record.
    Record(Box<Record>),
    /// The vendor's answer is complete and holds no such record.
    Absent,
    /// The budget or the deadline ended before the search did.
    Incomplete {
        /// Raw records read.
        read: u64,
        /// The raw records there were to read, when known.
        total: Option<u64>,
    },
}

/// What a fetch returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fetched {
    /// Records that satisfy the whole filter (residual applied), in upstream order,
    /// after the pushed window if one was pushed.
    pub records: Vec<Record>,
    /// Page requests made.
    pub requests: u32,
    /// All HTTP calls made (pages, retries, token fetches).
    pub http_calls: u32,
    /// Records received from the upstream before the residual.
    pub fetched: u64,
    /// The budget ran out before the source was exhausted: `records` is incomplete.
    pub exhausted: bool,
    /// Where to continue (set exactly when `exhausted`).
    pub next: Option<Cursor>,
    /// The vendor's total of matching records, when known (counts the pushed filter only).
    pub total: Option<u64>,
    /// Every page request made, described for explain (no secrets).
    pub native_requests: Vec<String>,
}

/// The residual of a plan, compiled once for a whole walk (`None`: nothing stays at the
/// edge).
pub type Residual = Option<Filter<Record>>;

/// Compiles the plan's residual filter.
pub fn residual(plan: &SourcePlan) -> Result<Residual, UpstreamError> {
    match &plan.residual_filter {
        None => Ok(None),
        Some(e) => Filter::<Record>::new(e, RecordSchema::default(), plan.now_ms)
            .map(Some)
            .map_err(|e| {
                UpstreamError::new(
                    plan.source,
                    UpstreamErrorKind::BadRequest,
                    None,
                    format!("the residual filter does not check: {}", e.message),
                )
            }),
    }
}

fn keep(residual: &Residual, r: &Record) -> bool {
    residual.as_ref().is_none_or(|f| f.matches(r))
}

fn ceil_div(a: u64, b: u64) -> u64 {
    a.div_ceil(b.max(1))
}

/// What a read may request together with its page, where pages carry no total.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Along {
    /// Nothing: the reads around it cover the next pages already.
    Nothing,
    /// The next page, when more records are wanted than this page holds.
    NextPage,
    /// That, or a one-record probe of the next index when exactly this page's
    /// records are wanted (the reader must then know whether any follow).
    NextPageOrEnd,
}

impl Walker<'_> {
    fn ctx(plan: &SourcePlan) -> NormCtx {
        NormCtx {
            now_ms: plan.now_ms,
            include_raw: plan.include_raw,
        }
    }

    fn max(&self) -> u32 {
        self.vendor.max_page().max(1)
    }

    /// The page size of a numbered walk whose pages should each hold about `share`
    /// matching records: `share` itself when nothing stays at the edge, else the largest
    /// page (a residual thins pages out). 0 for offset upstreams, which take any size.
    pub fn walk_page_size(&self, plan: &SourcePlan, share: u64) -> u32 {
        match self.vendor.paging() {
            Paging::Offset => 0,
            Paging::Page { .. } if plan.residual_filter.is_some() => self.max(),
            Paging::Page { .. } => {
                u32::try_from(share.clamp(1, u64::from(self.max()))).unwrap_or(self.max())
            }
        }
    }

    /// The first request the plan makes (for explain), or `None` when pruned.
    pub fn first_request(&self, plan: &SourcePlan) -> Option<NativeRequest> {
        if plan.pruned {
            return None;
        }
        let cursor = match self.vendor.paging() {
            Paging::Offset => Cursor::Offset(0),
            Paging::Page { first } => Cursor::Page {
                number: first,
                size: self.max(),
            },
        };
        Some(self.vendor.request(self.base, plan, cursor, self.max()))
    }

    /// Parses a 2xx page and refuses one with more items than `asked` (`upstream.too_large`:
    /// a vendor that ignores the page size cannot be paged correctly).
    fn parse_page(
        &self,
        plan: &SourcePlan,
        answer: Answer,
        asked: u32,
    ) -> Result<Page, UpstreamError> {
        let (status, body) = answer?;
        let page = self.vendor.parse(status, &body, Self::ctx(plan))?;
        if page.count > u64::from(asked) {
            return Err(UpstreamError::new(
                self.vendor.source(),
                UpstreamErrorKind::TooLarge,
                Some(status),
                format!(
                    "the page holds {} items, {asked} were asked for",
                    page.count
                ),
            ));
        }
        Ok(page)
    }

    /// Reads the stream at `pos`: at least one page, sized to `want` matching records
    /// where the upstream takes any size and nothing stays at the edge. Where pages carry
    /// no total and `want` reaches past this page, the next page is requested together
    /// with it (read-ahead), budget allowing; a failed read-ahead only shortens the read.
    #[allow(clippy::too_many_arguments)]
    pub async fn read<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        residual: &Residual,
        spend: Spend<'_>,
        pos: Position,
        want: u64,
    ) -> Result<Chunk, UpstreamError> {
        self.read_at(
            client,
            clock,
            plan,
            residual,
            spend,
            pos,
            want,
            Along::NextPage,
        )
        .await
    }

    /// [`read`](Self::read), with what may go together with the page: reads that already
    /// cover every page between them (a scan of known size) must not also read the page
    /// after their own, or each page would be read, and its records counted, twice; the
    /// merge's reads, which must know after their last record whether another follows,
    /// also probe the next index beside a page that holds exactly what they want
    /// ([`Along::NextPageOrEnd`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn read_at<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        residual: &Residual,
        spend: Spend<'_>,
        pos: Position,
        want: u64,
        along: Along,
    ) -> Result<Chunk, UpstreamError> {
        let mut out = Chunk {
            next: pos,
            ..Chunk::default()
        };
        let max = self.max();
        match self.vendor.paging() {
            Paging::Offset => {
                let size = if residual.is_some() {
                    max
                } else {
                    u32::try_from(want.clamp(1, u64::from(max))).unwrap_or(max)
                };
                let req = self
                    .vendor
                    .request(self.base, plan, Cursor::Offset(pos.index), size);
                out.requests.push(req.describe());
                let answer = self.exchange(client, clock, &req, spend).await;
                let page = self.parse_page(plan, answer, size)?;
                out.total = page.total;
                self.take(&mut out, residual, page, 0, size);
                out.end = out.end || out.total.is_some_and(|t| out.next.index >= t);
            }
            Paging::Page { first } => {
                let p = pos.page_size.clamp(1, max);
                out.next.page_size = p;
                let number = pos.index / u64::from(p);
                let skip = pos.index % u64::from(p);
                let cursor = |n: u64| Cursor::Page {
                    number: first.saturating_add(n),
                    size: p,
                };
                let req = self.vendor.request(self.base, plan, cursor(number), p);
                out.requests.push(req.describe());
                let left = u64::from(p) - skip;
                let speculate = along != Along::Nothing
                    && spend.ledger().read_ahead()
                    && !self.vendor.has_total()
                    && spend.left() >= 2;
                let after = number.saturating_add(1);
                // With no total, a walk ends only at a short page. Wanting more than this
                // page holds: the next page goes together with it (read-ahead). Wanting
                // exactly what it holds: the caller will have nothing buffered and must
                // know whether anything follows, so a one-record probe at the next page's
                // first index goes together with it instead of after it (one round trip,
                // not two; `service::paging` probes afterwards only when this did not go).
                // (The probe is tried once: if it fails, the merge probes afterwards.)
                let second = if speculate && (residual.is_some() || want > left) {
                    Some((self.vendor.request(self.base, plan, cursor(after), p), p))
                } else if speculate && along == Along::NextPageOrEnd && want == left {
                    let at = after.saturating_mul(u64::from(p));
                    let probe = Cursor::Page {
                        number: first.saturating_add(at),
                        size: 1,
                    };
                    Some((self.vendor.request(self.base, plan, probe, 1), 1))
                } else {
                    None
                };
                let (answer, second) = match second {
                    Some((req2, size2)) => {
                        out.requests.push(req2.describe());
                        let (a, b) = join(self.exchange(client, clock, &req, spend), async {
                            if size2 == 1 {
                                self.exchange_once(client, clock, &req2, spend).await
                            } else {
                                self.exchange(client, clock, &req2, spend).await
                            }
                        })
                        .await;
                        (a, Some((b, size2)))
                    }
                    None => (self.exchange(client, clock, &req, spend).await, None),
                };
                let page = self.parse_page(plan, answer, p)?;
                out.next.index = number.saturating_mul(u64::from(p));
                self.take(&mut out, residual, page, skip, p);
                if let (false, Some((b, size2))) = (out.end, second) {
                    // What follows a full page; if it failed, the next read asks again.
                    if let Ok(page) = self.parse_page(plan, b, size2) {
                        self.take(&mut out, residual, page, 0, size2);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Appends one page to a chunk: its records from `skip` on (residual applied), the
    /// position after it, and whether it was short.
    fn take(&self, out: &mut Chunk, residual: &Residual, page: Page, skip: u64, size: u32) {
        let base = out.next.index;
        out.fetched = out.fetched.saturating_add(page.count);
        for (i, r) in (0u64..).zip(page.records) {
            if i >= skip && keep(residual, &r) {
                out.records.push((base.saturating_add(i), r));
            }
        }
        out.next.index = base.saturating_add(page.count.max(skip));
        out.end = page.count == 0 || page.count < u64::from(size);
    }

    /// The number of raw records the pushed query matches, in one call, where the vendor
    /// can tell (`None`: it cannot).
    pub async fn count<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        spend: Spend<'_>,
    ) -> Result<Option<u64>, UpstreamError> {
        let Some(req) = self.vendor.count_request(self.base, plan) else {
            return Ok(None);
        };
        let (status, body) = self.exchange(client, clock, &req, spend).await?;
        self.vendor
            .parse_count(status, &body, Self::ctx(plan))
            .map(Some)
    }

    /// Whether the raw record at `index` exists, by reading a page of one record there.
    pub async fn exists<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        spend: Spend<'_>,
        index: u64,
    ) -> Result<bool, UpstreamError> {
        let cursor = match self.vendor.paging() {
            Paging::Offset => Cursor::Offset(index),
            Paging::Page { first } => Cursor::Page {
                number: first.saturating_add(index),
                size: 1,
            },
        };
        let req = self.vendor.request(self.base, plan, cursor, 1);
        let answer = self.exchange(client, clock, &req, spend).await;
        Ok(self.parse_page(plan, answer, 1)?.count > 0)
    }

    /// Reads every raw record of the plan within the budget, in largest pages. Where the
    /// size can be known first (a count call, or the first page's total) the remaining
    /// calls are claimed before reading and the pages are requested together; when the
    /// claim fails, the read stops there unless `partial_ok`, and then goes as far as the
    /// budget allows. Without any total it reads on (two pages at a time) until a short
    /// page or the budget's end. `complete` says whether it saw the end.
    pub async fn scan<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        residual: &Residual,
        spend: Spend<'_>,
        partial_ok: bool,
    ) -> Result<Scanned, UpstreamError> {
        let max = u64::from(self.max());
        let mut out = Scanned::default();
        let mut pos = Position {
            index: 0,
            page_size: self.walk_page_size(plan, max),
        };
        let mut total = None;
        if !self.vendor.has_total() {
            if let Some(req) = self.vendor.count_request(self.base, plan) {
                out.requests.push(req.describe());
                total = self.count(client, clock, plan, spend).await?;
                // The count call is the first; the pages follow (one more for the end).
                if let Some(t) = total {
                    let calls = u32::try_from(ceil_div(t, max)).unwrap_or(u32::MAX);
                    if !spend.claim(calls) && !partial_ok {
                        out.total = total;
                        return Ok(out);
                    }
                }
            }
        }
        let first = self
            .read(client, clock, plan, residual, spend, pos, max)
            .await?;
        total = total.or(first.total);
        out.total = total;
        // Numbered pages end at a short page; a known total also ends a read whose last
        // page was full (the count of raw records is what the pages run over).
        let at_total = |pos: &Position| total.is_some_and(|t| pos.index >= t);
        let mut end = self.absorb(&mut out, &mut pos, first) || at_total(&pos);
        if end {
            out.complete = true;
            return Ok(out);
        }
        if let Some(t) = total {
            let pages = ceil_div(t.saturating_sub(pos.index), max);
            let pages_u32 = u32::try_from(pages).unwrap_or(u32::MAX);
            if !spend.claim(pages_u32) && !partial_ok {
                return Ok(out);
            }
            let pages = pages.min(u64::from(spend.left()));
            let reads = (0..pages).map(|k| {
                let at = Position {
                    index: pos.index.saturating_add(k.saturating_mul(max)),
                    ..pos
                };
                // One page each: the reads cover every page between them already.
                self.read_at(
                    client,
                    clock,
                    plan,
                    residual,
                    spend,
                    at,
                    max,
                    Along::Nothing,
                )
            });
            for chunk in join_all(reads).await {
                match chunk {
                    Ok(c) => end = self.absorb(&mut out, &mut pos, c) || at_total(&pos),
                    Err(e) if partial_ok => {
                        let _ = e;
                        end = false;
                        break;
                    }
                    Err(e) => return Err(e),
                }
                if end {
                    break;
                }
            }
        } else {
            // Bounded: every turn spends at least one call of a finite budget, or stops.
            while !end && spend.left() > 0 {
                match self
                    .read(client, clock, plan, residual, spend, pos, 2 * max)
                    .await
                {
                    Ok(c) => end = self.absorb(&mut out, &mut pos, c),
                    Err(e) if e.kind == UpstreamErrorKind::BudgetExhausted => break,
                    Err(e) if partial_ok && !out.records.is_empty() => {
                        let _ = e;
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        out.complete = end;
        Ok(out)
    }

    /// Adds a chunk to a scan; returns whether it was the end.
    fn absorb(&self, out: &mut Scanned, pos: &mut Position, c: Chunk) -> bool {
        out.fetched = out.fetched.saturating_add(c.fetched);
        out.requests.extend(c.requests);
        out.records.extend(c.records.into_iter().map(|(_, r)| r));
        *pos = c.next;
        c.end
    }

    /// Walks the upstream's pages for `plan` within `budget`, keeping the records that
    /// satisfy the plan's residual. `resume` continues a previous walk; a pushed window
    /// starts at its offset and stops at its limit.
    pub async fn fetch<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        budget: Budget,
        resume: Option<Cursor>,
    ) -> Result<Fetched, UpstreamError> {
        let source = self.vendor.source();
        let mut out = Fetched::default();
        let residual = residual(plan)?;
        let want = plan.window.and_then(|w| w.limit);
        if plan.pruned || want == Some(0) {
            return Ok(out);
        }
        let ledger = Ledger::new(
            budget.max_calls,
            budget.deadline_ms,
            budget.read_ahead,
            &[source],
        );
        let spend = ledger.spend(source);
        let offset = plan.window.map_or(0, |w| w.offset);
        let size = self.walk_page_size(plan, want.map_or(u64::MAX, |w| w.saturating_add(offset)));
        let mut pos = match (resume, self.vendor.paging()) {
            (Some(Cursor::Page { number, size }), Paging::Page { first }) => Position {
                index: number.saturating_sub(first).saturating_mul(u64::from(size)),
                page_size: size,
            },
            (Some(c), _) => Position {
                index: c.offset(),
                page_size: size,
            },
            (None, _) => Position {
                index: offset,
                page_size: size,
            },
        };
        let mut have = 0u64;
        // Bounded: every turn makes at least one paid call or stops.
        loop {
            if want.is_some_and(|w| have >= w) {
                break;
            }
            if spend.left() == 0 {
                out.exhausted = true;
                out.next = Some(self.cursor(pos));
                break;
            }
            // Without a window the walk wants everything (so it reads ahead where it can).
            let need = want.map_or(u64::MAX, |w| w - have);
            let chunk = match self
                .read(client, clock, plan, &residual, spend, pos, need)
                .await
            {
                Ok(c) => c,
                Err(e) if e.kind == UpstreamErrorKind::BudgetExhausted => {
                    out.exhausted = true;
                    out.next = Some(self.cursor(pos));
                    break;
                }
                Err(e) => return Err(e),
            };
            out.requests = out
                .requests
                .saturating_add(u32::try_from(chunk.requests.len()).unwrap_or(u32::MAX));
            out.native_requests.extend(chunk.requests);
            out.fetched = out.fetched.saturating_add(chunk.fetched);
            if chunk.total.is_some() {
                out.total = chunk.total;
            }
            for (_, r) in chunk.records {
                if want.is_some_and(|w| have >= w) {
                    break;
                }
                out.records.push(r);
                have += 1;
            }
            pos = chunk.next;
            if chunk.end {
                break;
            }
        }
        out.http_calls = ledger.used(source);
        Ok(out)
    }

    /// The cursor of a position at a page boundary (what a resumed walk starts from).
    fn cursor(&self, pos: Position) -> Cursor {
        match self.vendor.paging() {
            Paging::Offset => Cursor::Offset(pos.index),
            Paging::Page { first } => {
                let size = pos.page_size.max(1);
                Cursor::Page {
                    number: first.saturating_add(pos.index / u64::from(size)),
                    size,
                }
            }
        }
    }

    /// Finds the record `id` (`<source>:<sourceId>`) with the vendor's own look-up, or by
    /// reading `plan` (the list filtered by `id eq …`) until it appears or the list ends —
    /// six pages at a time once the list's total is known. Never says `Absent` unless
    /// the vendor's answer was read to its end.
    pub async fn find<C: HttpClient, K: Clock>(
        &self,
        client: &C,
        clock: &K,
        plan: &SourcePlan,
        spend: Spend<'_>,
        id: &str,
    ) -> Result<Found, UpstreamError> {
        let source_id = id.split_once(':').map_or(id, |(_, s)| s);
        let mut plan = plan.clone();
        match self.vendor.lookup(self.base, source_id) {
            Lookup::Filter => {}
            Lookup::Object(req) => {
                return match self.exchange(client, clock, &req, spend).await {
                    Ok((status, body)) => {
                        let r = self.vendor.parse_object(status, &body, Self::ctx(&plan))?;
                        Ok(if r.id == id {
                            Found::Record(Box::new(r))
                        } else {
                            Found::Absent
                        })
                    }
                    Err(e) if e.kind == UpstreamErrorKind::NotFound => Ok(Found::Absent),
                    Err(e) => Err(e),
                };
            }
            Lookup::Narrow(req) => match self.exchange(client, clock, &req, spend).await {
                Ok((status, body)) => {
                    if let Some(params) = self.vendor.narrow(status, &body)? {
                        plan.native.params.extend(params);
                    }
                }
                Err(e) if e.kind == UpstreamErrorKind::NotFound => return Ok(Found::Absent),
                Err(e) => return Err(e),
            },
        }
        let residual = residual(&plan)?;
        let max = u64::from(self.max());
        let mut pos = Position {
            index: 0,
            page_size: self.walk_page_size(&plan, max),
        };
        let mut total: Option<u64> = None;
        // Bounded: every turn spends at least one call of a finite budget, or stops.
        loop {
            // Once the total is known, up to six pages at a time (never past the end).
            let width = match (total, self.vendor.paging()) {
                (Some(t), Paging::Offset) => ceil_div(t.saturating_sub(pos.index), max).clamp(1, 6),
                _ => 1,
            }
            .min(u64::from(spend.left()));
            if width == 0 {
                return Ok(Found::Incomplete {
                    read: pos.index,
                    total,
                });
            }
            let reads = (0..width).map(|k| {
                let at = Position {
                    index: pos.index.saturating_add(k.saturating_mul(max)),
                    ..pos
                };
                self.read(client, clock, &plan, &residual, spend, at, 2 * max)
            });
            for chunk in join_all(reads).await {
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) if matches!(e.kind, UpstreamErrorKind::BudgetExhausted) => {
                        return Ok(Found::Incomplete {
                            read: pos.index,
                            total,
                        })
                    }
                    Err(e) => return Err(e),
                };
                total = total.or(chunk.total);
                if let Some((_, r)) = chunk.records.into_iter().find(|(_, r)| r.id == id) {
                    return Ok(Found::Record(Box::new(r)));
                }
                pos = chunk.next;
                if chunk.end {
                    return Ok(Found::Absent);
                }
            }
        }
    }
}
