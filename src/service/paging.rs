//! The merge machine: one page of a list route, as a k-way merge over the sources'
//! streams, resumable from where the previous page stopped.
//!
//! Each involved source is a stream of its matching records (the residual applied at the
//! edge) with a native position (`upstream::Position`). A page merges the streams until
//! it holds `limit` records, or until a stream that may still have records has none
//! buffered and cannot be read further within the budget or the deadline: then the page
//! is short and says so — it is never out of order. Two orders:
//!
//! - **native** (no `sort`): each source's own order, interleaved: the k-th record of
//!   every source before the (k+1)-th of any, ties in canonical source order. The next
//!   record always comes from the source that has given the fewest so far, so a source
//!   that missed a page (it failed) catches up first when it answers again. Every page
//!   costs about one call per source whatever its depth, and an `offset` seeks: each
//!   source's share of it follows from how many records each holds (one count call
//!   each where the vendor can tell, single-record probes where it cannot).
//! - **sorted** (`sort` given, ties by `id`): sources whose vendor serves the order
//!   exactly (`SourcePlan::sort_exact`) merge as they arrive; the others are read
//!   completely within the budget and sorted here, and resume from the last record they
//!   gave (their frontier). When the budget cannot cover such a read the page is refused
//!   (`query.sort.needs_scan`), unless the client allowed a partial page.
//!
//! The state between pages (`token::Walk`) is per source: position, records given
//! (rank), exhausted, frontier. A source that fails keeps its state: it is reported and
//! retried on the next page; nothing is lost or repeated. This module imports no I/O.

use std::cmp::Ordering;
use std::collections::VecDeque;

use futures_util::future::join_all;

use crate::model::{Projected, Projection, Record, Source};
use crate::query::Plan as QueryPlan;
use crate::upstream::{
    budget_exhausted, residual, AnyUpstream, Chunk, Clock, HttpClient, Ledger, PlanInput, Position,
    Residual, Scanned, SourcePlan, UpstreamError, UpstreamErrorKind,
};

use super::gateway::{
    exact, explain_of, merge_order, plans_for, skipped, Counting, Gate, Limits, ScanNeed,
    SourceReport, MAX_IN_FLIGHT,
};
use super::token::{SourceState, Walk};

/// What a page is asked.
pub struct Ask<'a> {
    /// The sources in the key's scope, in canonical order.
    pub upstreams: Vec<&'a AnyUpstream>,
    /// The checked query (filter, sort, select).
    pub query: &'a QueryPlan<Record>,
    /// The planner's view of the query (conjuncts, sort keys, `raw`, the time).
    pub input: PlanInput,
    /// The paths of the requested sort keys; empty for the native order.
    pub sort_paths: Vec<Vec<String>>,
    /// Records wanted on the page.
    pub limit: u64,
    /// Records to skip before the page (only on a first page).
    pub offset: u64,
    /// The state the previous page left (from its token).
    pub resume: Option<Walk>,
    /// `partial=allow`: a sort the budget cannot cover gives a page marked partial.
    pub partial_ok: bool,
    /// `pushdown=false`.
    pub pushdown: bool,
    /// `explain=true`.
    pub explain: bool,
    /// The total is wanted (`limit=0`, OData `$count=true`): after the page, a source
    /// that cannot tell its count in one call is counted by reading it to its end, within
    /// what is left of the budget (the total stays absent when that does not fit).
    pub count: bool,
    /// Bypass the edge cache (`Cache-Control: no-cache` from a debug key).
    pub no_cache: bool,
}

/// One page.
pub struct Paged {
    /// The page's records, in the declared order.
    pub records: Vec<Record>,
    /// Per source, in canonical order.
    pub sources: Vec<(Source, SourceReport)>,
    /// The matching records of the sources that answered, when known.
    pub total: Option<u64>,
    /// The position of the page's first record in the whole answer.
    pub offset: u64,
    /// The state to continue from, when records may follow.
    pub next: Option<Walk>,
    /// Some source could not give all it had (see `SourceReport::partial`).
    pub partial: bool,
    /// The budget's size and what the page used of it.
    pub budget: (u32, u32),
    /// Nothing given, nothing moved, and records may remain.
    stalled: bool,
}

/// Why a page cannot be given.
#[derive(Debug)]
pub enum Refusal {
    /// The order (or the offset) needs full reads the budget cannot cover.
    NeedsScan {
        /// The sources that do not fit.
        needs: Vec<ScanNeed>,
        /// The budget's size.
        budget: u32,
        /// Set when it is the offset that cannot be reached.
        offset: Option<u64>,
    },
    /// The token's state does not fit this query (its sources or order).
    Token,
    /// No source could give a record and none moved on, while some may still have
    /// records (they failed, or could not be read within the budget or deadline): a page
    /// would be empty with a `next` back to where it began, or end the walk early.
    Stalled {
        /// Per source, what happened.
        sources: Vec<(Source, SourceReport)>,
    },
}

/// How a stream is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// In the vendor's own order (the native interleave).
    Native,
    /// In the requested order, served exactly by the vendor.
    Sorted,
    /// Read completely and sorted at the edge.
    Scan,
}

/// One source's stream during a page.
struct Stream<'a> {
    up: &'a AnyUpstream,
    source: Source,
    /// Canonical position (ties of the interleave).
    order: usize,
    plan: SourcePlan,
    residual: Residual,
    kind: Kind,
    /// A sorted stream whose vendor orders only by the first key
    /// ([`SourcePlan::ties_unordered`]): the buffer is kept in merge order, its last run
    /// of equal first keys is held until it ends, and `frontier` is the last record given.
    runs: bool,
    /// The state the page began from.
    start: SourceState,
    /// Where the next read starts.
    read_to: Position,
    /// Matching records read and not yet given, with their raw index.
    buffer: VecDeque<(u64, Record)>,
    /// Nothing follows `read_to`.
    end: bool,
    /// Matching records given so far (in the whole walk).
    rank: u64,
    /// `rank` was set by seeking to an offset without knowing whether the stream holds
    /// that many: it counts only once a record is found there.
    assumed: bool,
    /// A scan's (or a `runs` stream's) last record given before this page.
    frontier: Option<Record>,
    /// A scan's (or a `runs` stream's) last record given on this page (index into the
    /// page).
    last: Option<usize>,
    /// A `runs` stream's last record skipped by a walked offset on this page: the
    /// frontier when it gives nothing after the offset.
    skipped: Option<Record>,
    /// Failed before giving anything on this page: left out of it.
    failed: Option<UpstreamError>,
    /// Gave something, then could not be read further: why.
    blocked: Option<String>,
    delivered: bool,
    requests: Vec<String>,
    fetched: u64,
    /// The vendor's total of raw records, when it gave one.
    raw_total: Option<u64>,
    /// A complete scan's number of matching records.
    scanned: Option<u64>,
    /// Its matching records counted by a complete read (see [`Ask::count`]).
    counted: Option<u64>,
    /// A scan that stopped at the budget (`partial=allow`).
    scan_partial: bool,
    ms: i64,
}

impl Stream<'_> {
    /// May still give records on this page.
    fn active(&self) -> bool {
        self.failed.is_none() && !(self.end && self.buffer.is_empty())
    }

    /// The stream resumes from the last record it gave (a scan, or a `runs` stream).
    fn keeps_frontier(&self) -> bool {
        self.kind == Kind::Scan || self.runs
    }

    /// The front record may be given: it is there and, in a `runs` stream, its run of
    /// equal first keys has ended (a record with another key is buffered after it, or
    /// nothing follows).
    fn ready(&self, query: &QueryPlan<Record>) -> bool {
        match (self.buffer.front(), self.buffer.back()) {
            (Some((_, f)), Some((_, b))) if self.runs && !self.end => {
                query.compare_first(f, b) != Ordering::Equal
            }
            (front, _) => front.is_some(),
        }
    }

    /// The position the next page starts from: the first raw record not given (in a
    /// `runs` stream the buffer is in merge order, so the smallest raw index in it; the
    /// run's records read again from there that were given are after the frontier's).
    fn position(&self) -> Position {
        let first = if self.runs {
            self.buffer.iter().map(|(i, _)| *i).min()
        } else {
            self.buffer.front().map(|(i, _)| *i)
        };
        match first {
            Some(index) if self.kind != Kind::Scan => Position {
                index,
                page_size: self.read_to.page_size,
            },
            _ => self.read_to,
        }
    }

    /// Takes a chunk of a `runs` stream: drops what was given before the frontier, checks
    /// that the first keys never go back (a record out of the edge's order, such as an
    /// absent `createdAt` the vendor places elsewhere, stops the stream there: it is
    /// blocked, reported, and the page is partial), and keeps the buffer in merge order.
    fn absorb_runs(&mut self, c: Chunk, query: &QueryPlan<Record>) {
        let Chunk {
            records, next, end, ..
        } = c;
        if self.blocked.is_some() {
            // Stopped at a record out of order: later chunks of the same read wait.
            return;
        }
        for (i, r) in records {
            if !query.matches(&r) {
                continue;
            }
            // The buffer was in merge order and takes records in stream order: its back
            // holds the highest first key so far.
            let behind = self
                .buffer
                .back()
                .map(|(_, h)| h)
                .or(self.frontier.as_ref())
                .is_some_and(|h| query.compare_first(h, &r) == Ordering::Greater);
            if behind {
                self.blocked = Some(format!(
                    "the vendor's order put {} after a record the edge sorts later; \
                     sort with pushdown=false for this query",
                    r.id
                ));
                self.read_to = Position {
                    index: i,
                    page_size: next.page_size,
                };
                self.end = false;
                self.sort_buffer(query);
                return;
            }
            let given = self
                .frontier
                .as_ref()
                .is_some_and(|f| merge_order(query, &r, f) != Ordering::Greater);
            if !given {
                self.buffer.push_back((i, r));
            }
        }
        self.read_to = next;
        self.end = end;
        self.sort_buffer(query);
    }

    fn sort_buffer(&mut self, query: &QueryPlan<Record>) {
        self.buffer
            .make_contiguous()
            .sort_by(|(_, a), (_, b)| merge_order(query, a, b));
    }

    fn absorb(&mut self, r: Result<Chunk, UpstreamError>, ms: i64, query: &QueryPlan<Record>) {
        self.ms = ms;
        match r {
            Ok(mut c) => {
                self.delivered = true;
                if c.next.index > self.read_to.index {
                    self.assumed = false;
                }
                self.requests.append(&mut c.requests);
                self.fetched = self.fetched.saturating_add(c.fetched);
                if c.total.is_some() {
                    self.raw_total = c.total;
                }
                if self.runs {
                    self.absorb_runs(c, query);
                    return;
                }
                self.buffer
                    .extend(c.records.into_iter().filter(|(_, r)| query.matches(r)));
                self.read_to = c.next;
                self.end = c.end;
            }
            Err(e) if self.delivered => self.blocked = Some(why(&e)),
            Err(e) => self.failed = Some(e),
        }
    }

    /// The number of matching records this source has in all, when known.
    fn total(&self) -> Option<u64> {
        match self.kind {
            Kind::Scan => self.scanned,
            _ if self.counted.is_some() => self.counted,
            _ if exact(&self.plan) && self.raw_total.is_some() => self.raw_total,
            _ if self.end && !self.assumed => {
                Some(self.rank.saturating_add(self.buffer.len() as u64))
            }
            _ => None,
        }
    }
}

/// Why a source stopped short, for its report.
fn why(e: &UpstreamError) -> String {
    match e.kind {
        UpstreamErrorKind::BudgetExhausted => e.message.clone(),
        UpstreamErrorKind::Timeout => "the request's deadline passed".to_owned(),
        _ => format!("{}: {}", e.code(), e.message),
    }
}

/// The share of each stream among the next `n` records of the interleave, where stream
/// `i` has given `ranks[i]` records and holds `caps[i]` in all (`None`: unknown, taken
/// as unbounded): streams behind the others catch up first, then every round gives one
/// record of each stream that still has one, in canonical order. Returns the shares and
/// the level every catching-up stream reaches.
fn interleave(ranks: &[u64], caps: &[Option<u64>], n: u64) -> (Vec<u64>, u64) {
    let cap = |i: usize| caps.get(i).copied().flatten().unwrap_or(u64::MAX);
    let give = |i: usize, level: u64| {
        level
            .min(cap(i))
            .saturating_sub(ranks.get(i).copied().unwrap_or(0))
    };
    let gives = |level: u64| (0..ranks.len()).fold(0u64, |t, i| t.saturating_add(give(i, level)));
    // The highest level whose catch-up fits in n (gives() is monotone).
    let (mut lo, mut hi) = (
        0u64,
        ranks.iter().copied().max().unwrap_or(0).saturating_add(n),
    );
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if gives(mid) <= n {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut shares: Vec<u64> = (0..ranks.len()).map(|i| give(i, lo)).collect();
    let mut rest = n.saturating_sub(gives(lo));
    for (i, share) in shares.iter_mut().enumerate() {
        if rest == 0 {
            break;
        }
        if ranks.get(i).copied().unwrap_or(0) <= lo && cap(i) > lo {
            *share += 1;
            rest -= 1;
        }
    }
    (shares, lo)
}

/// What the page's reads share.
struct Env<'e, C, K> {
    clock: &'e K,
    ledger: &'e Ledger,
    counters: Vec<Counting<'e, Gate<'e, C, K>>>,
    started: i64,
    query: &'e QueryPlan<Record>,
}

impl<C: HttpClient, K: Clock> Env<'_, C, K> {
    /// Reads the streams named in `wants` (index, matching records hoped for) together,
    /// the ones behind first (they spend first when the budget is short). Each stream
    /// reads on by itself until it holds what it was asked for, ends, fails or runs out
    /// of budget or time: a slow source delays only its own reads, not the others'.
    async fn read(&self, streams: &mut [Stream<'_>], mut wants: Vec<(usize, u64)>) {
        wants.sort_by_key(|(i, _)| streams.get(*i).map(|s| (s.rank, s.order)));
        let reads: Vec<_> = wants
            .iter()
            .filter_map(|&(i, want)| {
                let s = streams.get(i)?;
                let client = self.counters.get(i)?;
                Some(async move {
                    let spend = self.ledger.spend(s.source);
                    let mut pos = s.read_to;
                    let mut got = 0u64;
                    let mut chunks = Vec::new();
                    // Bounded: every read pays at least one call of a finite budget.
                    while got < want && spend.left() > 0 {
                        let r =
                            s.up.read(
                                client,
                                self.clock,
                                &s.plan,
                                &s.residual,
                                spend,
                                pos,
                                want - got,
                            )
                            .await;
                        let done = match &r {
                            Ok(c) => {
                                pos = c.next;
                                got += c
                                    .records
                                    .iter()
                                    .filter(|(_, r)| self.query.matches(r))
                                    .count() as u64;
                                c.end
                            }
                            Err(_) => true,
                        };
                        chunks.push(r);
                        if done {
                            break;
                        }
                    }
                    if chunks.is_empty() {
                        chunks.push(Err(budget_exhausted(s.source, self.ledger.limit())));
                    }
                    (i, chunks, self.clock.now_ms())
                })
            })
            .collect();
        for (i, chunks, at) in join_all(reads).await {
            if let Some(s) = streams.get_mut(i) {
                for r in chunks {
                    s.absorb(r, at.saturating_sub(self.started), self.query);
                }
            }
        }
    }

    /// Reads every scan stream completely (sources that tell their size first: their
    /// claims decide before the others read). A stream the budget cannot cover is a
    /// [`ScanNeed`] unless `partial_ok`.
    async fn scan(
        &self,
        streams: &mut [Stream<'_>],
        partial_ok: bool,
    ) -> Result<(), Vec<ScanNeed>> {
        for sized in [true, false] {
            let reads: Vec<_> = streams
                .iter()
                .enumerate()
                .filter(|(_, s)| s.kind == Kind::Scan && !s.end && s.up.can_count() == sized)
                .filter_map(|(i, s)| {
                    let client = self.counters.get(i)?;
                    Some(async move {
                        let spend = self.ledger.spend(s.source);
                        let r =
                            s.up.scan(client, self.clock, &s.plan, &s.residual, spend, partial_ok)
                                .await;
                        (i, r, self.clock.now_ms())
                    })
                })
                .collect();
            let mut needs = Vec::new();
            for (i, r, at) in join_all(reads).await {
                let Some(s) = streams.get_mut(i) else {
                    continue;
                };
                s.ms = at.saturating_sub(self.started);
                match r {
                    Ok(sc) if !sc.complete && !partial_ok => {
                        needs.push(ScanNeed::of(s.source, &sc, s.up.max_page()));
                    }
                    Ok(sc) => self.sorted_buffer(s, sc),
                    Err(e) => s.failed = Some(e),
                }
            }
            if !needs.is_empty() {
                return Err(needs);
            }
        }
        Ok(())
    }

    /// After a full page: a stream with nothing left buffered, whose vendor gave no total,
    /// cannot tell whether its last page was its last (FNO lists end only at a short
    /// page). One single-record probe at its position tells, so that `next` is present
    /// only when records may follow and a walk does not end with an empty page. Within
    /// the budget; a failed probe leaves the stream as it was.
    async fn peek_ends(&self, streams: &mut [Stream<'_>]) {
        let probes: Vec<_> = streams
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.kind != Kind::Scan
                    && s.failed.is_none()
                    && s.blocked.is_none()
                    && !s.end
                    && s.buffer.is_empty()
                    && s.raw_total.is_none()
            })
            .filter_map(|(i, s)| {
                let client = self.counters.get(i)?;
                Some(async move {
                    let spend = self.ledger.spend(s.source);
                    let r =
                        s.up.exists(client, self.clock, &s.plan, spend, s.read_to.index)
                            .await;
                    (i, r)
                })
            })
            .collect();
        for (i, r) in join_all(probes).await {
            if let (Some(s), Ok(false)) = (streams.get_mut(i), r) {
                s.end = true;
            }
        }
    }

    /// Counts, by a complete read within what is left of the budget, the matching
    /// records of every stream whose total is not known yet (see [`Ask::count`]). A read
    /// that does not fit or fails leaves the total unknown; the page stands as it is.
    async fn count(&self, streams: &mut [Stream<'_>]) {
        let reads: Vec<_> = streams
            .iter()
            .enumerate()
            .filter(|(_, s)| s.failed.is_none() && s.total().is_none())
            .filter_map(|(i, s)| {
                let client = self.counters.get(i)?;
                Some(async move {
                    let spend = self.ledger.spend(s.source);
                    let r =
                        s.up.scan(client, self.clock, &s.plan, &s.residual, spend, false)
                            .await;
                    (i, r)
                })
            })
            .collect();
        for (i, r) in join_all(reads).await {
            let (Some(s), Ok(sc)) = (streams.get_mut(i), r) else {
                continue;
            };
            s.requests.extend(sc.requests);
            s.fetched = s.fetched.saturating_add(sc.fetched);
            if sc.complete {
                let q = self.query;
                s.counted = Some(sc.records.iter().filter(|r| q.matches(r)).count() as u64);
            }
        }
    }

    /// A scan's records, in merge order, after the stream's frontier.
    fn sorted_buffer(&self, s: &mut Stream<'_>, sc: Scanned) {
        let q = self.query;
        let mut all: Vec<Record> = sc.records.into_iter().filter(|r| q.matches(r)).collect();
        if sc.complete {
            s.scanned = Some(all.len() as u64);
        }
        s.scan_partial = !sc.complete;
        all.sort_by(|a, b| merge_order(q, a, b));
        let after = |r: &Record| {
            s.frontier
                .as_ref()
                .is_none_or(|f| merge_order(q, r, f) == Ordering::Greater)
        };
        s.buffer = all.into_iter().filter(after).map(|r| (0, r)).collect();
        s.requests.extend(sc.requests);
        s.fetched = s.fetched.saturating_add(sc.fetched);
        s.raw_total = sc.total;
        s.delivered = true;
        s.end = true;
    }

    /// Moves every stream to its share of `offset` records of the native interleave,
    /// when the shares can be known: no residual (raw and matching positions agree), and
    /// each source's size from one count call or, where there is none, from probes
    /// (only whether it holds more than the level reached matters). `false`: the offset
    /// must be walked.
    async fn seek(&self, streams: &mut [Stream<'_>], offset: u64) -> bool {
        if !streams.iter().all(|s| exact(&s.plan)) {
            return false;
        }
        if let [s] = streams {
            s.read_to.index = offset;
            s.rank = offset;
            s.assumed = true;
            return true;
        }
        let counts: Vec<_> = streams
            .iter()
            .enumerate()
            .filter(|(_, s)| s.up.can_count())
            .filter_map(|(i, s)| {
                let client = self.counters.get(i)?;
                Some(async move {
                    let spend = self.ledger.spend(s.source);
                    (i, s.up.count(client, self.clock, &s.plan, spend).await)
                })
            })
            .collect();
        let mut caps: Vec<Option<u64>> = vec![None; streams.len()];
        for (i, c) in join_all(counts).await {
            match (c, streams.get_mut(i)) {
                (Ok(Some(n)), Some(s)) => {
                    s.raw_total = Some(n);
                    if let Some(slot) = caps.get_mut(i) {
                        *slot = Some(n);
                    }
                }
                _ => return false,
            }
        }
        // Per stream without a count: it is known to hold at least this many.
        let mut at_least: Vec<u64> = vec![0; streams.len()];
        let zeros = vec![0u64; streams.len()];
        for _ in 0..=streams.len() {
            let (shares, level) = interleave(&zeros, &caps, offset);
            let mut settled = true;
            for i in 0..streams.len() {
                if caps.get(i).copied().flatten().is_some()
                    || at_least.get(i).is_some_and(|a| *a > level)
                {
                    continue;
                }
                settled = false;
                let Some(s) = streams.get(i) else { continue };
                let Some(client) = self.counters.get(i) else {
                    continue;
                };
                let spend = self.ledger.spend(s.source);
                match s.up.exists(client, self.clock, &s.plan, spend, level).await {
                    Ok(true) => {
                        if let Some(a) = at_least.get_mut(i) {
                            *a = level.saturating_add(1);
                        }
                    }
                    Ok(false) => {
                        // Fewer than level + 1: find how many.
                        let (mut lo, mut hi) = (at_least.get(i).copied().unwrap_or(0), level);
                        while lo < hi {
                            let mid = lo + (hi - lo) / 2;
                            match s.up.exists(client, self.clock, &s.plan, spend, mid).await {
                                Ok(true) => lo = mid + 1,
                                Ok(false) => hi = mid,
                                Err(_) => return false,
                            }
                        }
                        if let Some(c) = caps.get_mut(i) {
                            *c = Some(lo);
                        }
                    }
                    Err(_) => return false,
                }
            }
            if settled {
                for ((s, share), cap) in streams.iter_mut().zip(shares).zip(&caps) {
                    s.read_to.index = share;
                    s.rank = share;
                    s.end = *cap == Some(share);
                }
                return true;
            }
        }
        false
    }
}

/// The state a stream starts the walk from, when there is no token.
fn first_state(up: &AnyUpstream, plan: &SourcePlan, share: u64) -> SourceState {
    let pos = up.start(plan, share);
    SourceState {
        source: up.source(),
        index: pos.index,
        page_size: pos.page_size,
        rank: 0,
        exhausted: false,
        frontier: None,
    }
}

/// A token's state, checked against the stream it is for.
/// `frontier_ok`: the stream keeps a frontier (a scan, or a `runs` stream).
fn resumed(
    up: &AnyUpstream,
    frontier_ok: bool,
    st: &SourceState,
) -> Result<Option<Record>, Refusal> {
    let numbered = up.numbered_pages();
    let size_ok = if numbered {
        (1..=up.max_page()).contains(&st.page_size)
    } else {
        st.page_size == 0
    };
    if st.source != up.source() || !size_ok || (st.frontier.is_some() && !frontier_ok) {
        return Err(Refusal::Token);
    }
    match &st.frontier {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice::<Record>(bytes)
            .map(Some)
            .map_err(|_| Refusal::Token),
    }
}

/// Answers one page.
pub async fn page<C: HttpClient, K: Clock>(
    client: &C,
    clock: &K,
    limits: Limits,
    ask: Ask<'_>,
) -> Result<Paged, Refusal> {
    let started = clock.now_ms();
    let sorted = !ask.sort_paths.is_empty();
    let input = &ask.input;
    let (plans, involved) = plans_for(&ask.upstreams, input, ask.pushdown);
    let n = involved.len().max(1) as u64;
    let share = ask.limit.div_ceil(n).max(1);
    if ask
        .resume
        .as_ref()
        .is_some_and(|w| w.sorted != sorted || w.sources.len() != involved.len())
    {
        return Err(Refusal::Token);
    }
    let mut streams = Vec::new();
    for (k, (u, plan)) in plans.iter().filter(|(_, p)| !p.pruned).enumerate() {
        let kind = match (sorted, plan.sort_exact && ask.pushdown) {
            (false, _) => Kind::Native,
            (true, true) => Kind::Sorted,
            (true, false) => Kind::Scan,
        };
        let start = match ask.resume.as_ref().and_then(|w| w.sources.get(k)) {
            Some(st) => st.clone(),
            None if ask.resume.is_some() => return Err(Refusal::Token),
            None => first_state(u, plan, share),
        };
        let runs = kind == Kind::Sorted && plan.ties_unordered;
        let frontier = resumed(u, kind == Kind::Scan || runs, &start)?;
        let residual = match residual(plan) {
            Ok(r) => r,
            Err(_) => return Err(Refusal::Token),
        };
        streams.push(Stream {
            up: u,
            source: u.source(),
            order: Source::ALL
                .iter()
                .position(|s| *s == u.source())
                .unwrap_or(0),
            plan: plan.clone(),
            residual,
            kind,
            runs,
            read_to: Position {
                index: start.index,
                page_size: start.page_size,
            },
            buffer: VecDeque::new(),
            end: start.exhausted,
            rank: start.rank,
            assumed: false,
            frontier,
            start,
            last: None,
            skipped: None,
            failed: None,
            blocked: None,
            delivered: false,
            requests: Vec::new(),
            fetched: 0,
            raw_total: None,
            scanned: None,
            counted: None,
            scan_partial: false,
            ms: 0,
        });
    }
    let ledger = limits.ledger(started, &involved);
    let gate = Gate::new(client, clock, MAX_IN_FLIGHT);
    let env = Env {
        clock,
        ledger: &ledger,
        counters: streams
            .iter()
            .map(|_| Counting::new(&gate, ask.no_cache))
            .collect(),
        started,
        query: ask.query,
    };
    let emitted = ask.resume.as_ref().map_or(ask.offset, |w| w.emitted);
    // An offset: seek where the shares can be known, else walk it (skip).
    let mut skip = 0u64;
    if ask.resume.is_none() && ask.offset > 0 {
        let seekable = !sorted
            || (streams.len() == 1 && streams.iter().all(|s| s.kind == Kind::Sorted && !s.runs));
        if !(seekable && env.seek(&mut streams, ask.offset).await) {
            skip = ask.offset;
        }
    }
    if sorted {
        if let Err(needs) = env.scan(&mut streams, ask.partial_ok).await {
            return Err(Refusal::NeedsScan {
                needs,
                budget: ledger.limit(),
                offset: None,
            });
        }
    }
    if ask.limit == 0 && ask.resume.is_none() {
        // No records wanted: what each source holds, where one call tells.
        let counts: Vec<_> = streams
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind != Kind::Scan && s.up.can_count() && s.raw_total.is_none())
            .filter_map(|(i, s)| {
                let client = env.counters.get(i)?;
                let ledger = &ledger;
                Some(async move {
                    let spend = ledger.spend(s.source);
                    (i, s.up.count(client, clock, &s.plan, spend).await)
                })
            })
            .collect();
        for (i, c) in join_all(counts).await {
            if let (Some(s), Ok(c)) = (streams.get_mut(i), c) {
                s.raw_total = c;
            }
        }
    }
    let mut out: Vec<Record> = Vec::new();
    merge(&env, &mut streams, &mut out, ask.limit, &mut skip, sorted).await;
    if skip > 0 && streams.iter().any(Stream::active) {
        let needs = streams
            .iter()
            .filter(|s| s.active())
            .map(|s| ScanNeed {
                source: s.source.as_str(),
                records: s.raw_total.filter(|_| exact(&s.plan)),
                read: s.fetched,
                calls: None,
            })
            .collect();
        return Err(Refusal::NeedsScan {
            needs,
            budget: ledger.limit(),
            offset: Some(ask.offset),
        });
    }
    if ask.limit > 0 && out.len() as u64 == ask.limit {
        env.peek_ends(&mut streams).await;
    }
    if ask.count {
        env.count(&mut streams).await;
    }
    let paged = finish(&env, streams, plans, out, emitted, sorted, &ask);
    if paged.stalled {
        return Err(Refusal::Stalled {
            sources: paged.sources,
        });
    }
    Ok(paged)
}

/// Merges the streams into `out` (see the module doc), reading as needed.
async fn merge<C: HttpClient, K: Clock>(
    env: &Env<'_, C, K>,
    streams: &mut [Stream<'_>],
    out: &mut Vec<Record>,
    limit: u64,
    skip: &mut u64,
    sorted: bool,
) {
    // Bounded: every round pays at least one call of the budget, or leaves a stream
    // failed or blocked, or ends the page.
    let rounds = env.ledger.limit() as usize + 2 * streams.len() + 2;
    for _ in 0..rounds {
        // Give as many records as the buffers allow.
        let waiting = loop {
            if out.len() as u64 >= limit {
                return;
            }
            let active: Vec<usize> = (0..streams.len())
                .filter(|i| streams.get(*i).is_some_and(Stream::active))
                .collect();
            if active.is_empty() {
                return;
            }
            let due = if sorted {
                let empty: Vec<usize> = active
                    .iter()
                    .copied()
                    .filter(|i| streams.get(*i).is_some_and(|s| !s.ready(env.query)))
                    .collect();
                if !empty.is_empty() {
                    // The smallest head is unknown until every stream has one.
                    if empty
                        .iter()
                        .any(|i| streams.get(*i).is_some_and(|s| s.blocked.is_some()))
                    {
                        return;
                    }
                    break empty;
                }
                active.iter().copied().min_by(|a, b| {
                    match (
                        streams.get(*a).and_then(|s| s.buffer.front()),
                        streams.get(*b).and_then(|s| s.buffer.front()),
                    ) {
                        (Some((_, x)), Some((_, y))) => merge_order(env.query, x, y),
                        _ => Ordering::Equal,
                    }
                })
            } else {
                let due = active
                    .iter()
                    .copied()
                    .min_by_key(|i| streams.get(*i).map(|s| (s.rank, s.order)));
                if let Some(s) = due.and_then(|i| streams.get(i)) {
                    if s.buffer.is_empty() {
                        if s.blocked.is_some() {
                            return;
                        }
                        break active;
                    }
                }
                due
            };
            let Some(s) = due.and_then(|i| streams.get_mut(i)) else {
                return;
            };
            let Some((_, r)) = s.buffer.pop_front() else {
                return;
            };
            s.rank = s.rank.saturating_add(1);
            if *skip > 0 {
                *skip -= 1;
                if s.runs {
                    s.skipped = Some(r);
                }
            } else {
                if s.keeps_frontier() {
                    s.last = Some(out.len());
                }
                out.push(r);
            }
        };
        // Some stream has nothing buffered: read, unless it cannot be read further.
        let left = (limit - out.len() as u64).saturating_add(*skip);
        let wants: Vec<(usize, u64)> = if sorted {
            waiting
                .iter()
                .filter(|i| streams.get(**i).is_some_and(|s| !s.ready(env.query)))
                .map(|i| (*i, left))
                .collect()
        } else {
            let ranks: Vec<u64> = waiting
                .iter()
                .map(|i| streams.get(*i).map_or(0, |s| s.rank))
                .collect();
            let caps: Vec<Option<u64>> = waiting
                .iter()
                .map(|i| {
                    streams
                        .get(*i)
                        .and_then(|s| s.end.then(|| s.rank.saturating_add(s.buffer.len() as u64)))
                })
                .collect();
            let (shares, _) = interleave(&ranks, &caps, left);
            waiting
                .iter()
                .zip(shares)
                .filter_map(|(i, share)| {
                    let s = streams.get(*i)?;
                    let have = s.buffer.len() as u64;
                    (share > have && !s.end).then(|| (*i, share - have))
                })
                .collect()
        };
        // A stream that cannot be read further is not asked again on this page.
        let wants: Vec<(usize, u64)> = wants
            .into_iter()
            .filter(|(i, _)| streams.get(*i).is_some_and(|s| s.blocked.is_none()))
            .collect();
        if wants.is_empty() {
            return;
        }
        env.read(streams, wants).await;
    }
}

/// The page's reports, total and continuation.
#[allow(clippy::too_many_arguments)]
fn finish<C: HttpClient, K: Clock>(
    env: &Env<'_, C, K>,
    streams: Vec<Stream<'_>>,
    plans: Vec<(&AnyUpstream, SourcePlan)>,
    records: Vec<Record>,
    emitted: u64,
    sorted: bool,
    ask: &Ask<'_>,
) -> Paged {
    let mut frontier_paths = ask.sort_paths.clone();
    for p in ["id", "source", "sourceId", "kind"] {
        frontier_paths.push(vec![p.to_owned()]);
    }
    let projection = Projection::from_paths(&frontier_paths);
    let mut states = Vec::with_capacity(streams.len());
    let mut before = Vec::with_capacity(streams.len());
    let mut sources = Vec::with_capacity(plans.len());
    let mut total = Some(0u64);
    let mut partial = false;
    let mut streams = streams.into_iter().enumerate().peekable();
    for (u, plan) in &plans {
        let explain = ask
            .explain
            .then(|| explain_of(u, plan, &ask.input, ask.pushdown));
        if plan.pruned {
            let mut r = skipped("the filter excludes this source");
            r.explain = explain;
            sources.push((u.source(), r));
            continue;
        }
        let Some((i, s)) = streams.next() else {
            continue;
        };
        let frontier = match s.last.and_then(|k| records.get(k)).or(s.skipped.as_ref()) {
            Some(r) => serde_json::to_vec(&Projected {
                record: r,
                projection: &projection,
            })
            .ok(),
            None => s.start.frontier.clone(),
        };
        let pos = s.position();
        let state = match &s.failed {
            Some(_) => s.start.clone(),
            None => SourceState {
                source: s.source,
                index: if s.kind == Kind::Scan { 0 } else { pos.index },
                page_size: if s.kind == Kind::Scan {
                    s.start.page_size
                } else {
                    pos.page_size
                },
                rank: s.rank,
                exhausted: s.end && s.buffer.is_empty(),
                frontier: if s.keeps_frontier() { frontier } else { None },
            },
        };
        let mut r = match &s.failed {
            Some(e) => SourceReport::failed(e),
            None => SourceReport::ok(),
        };
        if s.failed.is_none() {
            let more = !(s.end && s.buffer.is_empty());
            r.partial = s.scan_partial || (s.blocked.is_some() && more);
            r.reason = if s.scan_partial {
                Some(format!(
                    "partial=allow: only what the budget of {} subrequests could read is sorted",
                    env.ledger.limit()
                ))
            } else {
                s.blocked.clone().filter(|_| r.partial)
            };
            r.total = s.total();
            total = total.zip(r.total).map(|(a, b)| a.saturating_add(b));
        }
        partial |= r.partial;
        r.requests = u32::try_from(s.requests.len()).unwrap_or(u32::MAX);
        r.subrequests = env.ledger.used(s.source);
        r.fetched = s.fetched;
        r.cached = env.counters.get(i).map_or(0, Counting::hits);
        // Held-back cache writes are kept only when the source read without failing.
        if let Some(c) = env.counters.get(i) {
            c.settle_all(s.failed.is_none());
        }
        r.ms = s.ms;
        r.explain = explain.map(|mut e| {
            e.requests = s.requests.clone();
            e
        });
        sources.push((s.source, r));
        states.push(state);
        before.push(s.start);
    }
    // A token never leads back to where this page began: without progress, no `next`.
    let progressed = !records.is_empty() || states != before;
    let more = states.iter().any(|s| !s.exhausted);
    let count = records.len() as u64;
    // `limit=0` asks for totals only: an empty page, never stalled, with no `next` (it
    // would lead back to the same position).
    let stalled = more && !progressed && ask.limit > 0;
    let next = (more && progressed && ask.limit > 0).then(|| Walk {
        sorted,
        emitted: emitted.saturating_add(count),
        sources: states,
    });
    Paged {
        records,
        sources,
        total,
        offset: emitted,
        next,
        partial,
        budget: (env.ledger.limit(), env.ledger.used_total()),
        stalled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interleave_takes_rounds_and_catches_up() {
        // Four equal streams: 10 records are rounds 0, 1 and two of round 2.
        assert_eq!(
            interleave(&[0, 0, 0, 0], &[None; 4], 10).0,
            vec![3, 3, 2, 2]
        );
        // A stream behind catches up first.
        assert_eq!(interleave(&[5, 0, 5, 5], &[None; 4], 5).0, vec![0, 5, 0, 0]);
        assert_eq!(interleave(&[5, 0, 5, 5], &[None; 4], 7).0, vec![1, 6, 0, 0]);
        // A stream that ends gives no more.
        assert_eq!(
            interleave(&[0, 0, 0], &[Some(1), None, Some(4)], 10).0,
            vec![1, 5, 4]
        );
        // Everything there is, when fewer than asked.
        assert_eq!(interleave(&[0, 0], &[Some(2), Some(3)], 10).0, vec![2, 3]);
        assert_eq!(interleave(&[], &[], 10).0, Vec::<u64>::new());
        // Shares always add up to what there is.
        for n in 0..40 {
            let (s, _) = interleave(&[0, 3, 1, 0], &[Some(9), None, Some(2), None], n);
            assert_eq!(s.iter().sum::<u64>(), n, "{n}");
        }
    }

    #[test]
    fn the_interleave_matches_giving_one_record_at_a_time() {
        // The reference: the next record comes from the stream with the fewest given
        // (canonical order on ties) that still has one.
        let caps = [Some(3u64), None, Some(7), None];
        let mut ranks = [0u64, 2, 0, 1];
        let start = ranks;
        let mut given = [0u64; 4];
        for n in 1..=30u64 {
            let next = (0..4)
                .filter(|i| caps[*i].is_none_or(|c| ranks[*i] < c))
                .min_by_key(|i| (ranks[*i], *i))
                .unwrap();
            ranks[next] += 1;
            given[next] += 1;
            assert_eq!(interleave(&start, &caps, n).0, given.to_vec(), "{n}");
        }
    }
}
