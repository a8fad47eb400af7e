//! Request counts and latency histograms per route, kept by each thread in its own table
//! and summed when `/metrics` is scraped.
//!
//! Why not the `metrics` recorder: each request there built its label set (three
//! `String`s), looked it up in the shared registry, and stored every latency sample
//! until the next scrape (16 bytes a request, unbounded without a scraper: the
//! exporter's upkeep only runs when asked). A thread's own table costs an uncontended
//! lock and a lookup, keeps bucket counts instead of samples, and is exact: a scrape
//! reads every table, and a thread that ends hands its figures to a shared one first.

use std::{
    collections::HashMap,
    fmt::Write as _,
    sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError},
};

use axum::http::Method;

/// Latency buckets in seconds: sub-millisecond reads up to a slow sign-in.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// One route and method's figures.
#[derive(Clone, Default)]
struct Series {
    /// Answers by status code.
    statuses: Vec<(u16, u64)>,
    /// Requests that took at most `BUCKETS[i]` (not cumulative; the last slot is +Inf).
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
}

impl Series {
    fn add(&mut self, other: &Series) {
        for &(status, n) in &other.statuses {
            *self.status_mut(status) += n;
        }
        for (mine, theirs) in self.buckets.iter_mut().zip(other.buckets) {
            *mine += theirs;
        }
        self.sum += other.sum;
    }

    fn status_mut(&mut self, status: u16) -> &mut u64 {
        let at = match self.statuses.iter().position(|(s, _)| *s == status) {
            Some(at) => at,
            None => {
                self.statuses.push((status, 0));
                self.statuses.len() - 1
            }
        };
        &mut self.statuses[at].1
    }
}

/// Figures by route pattern, then method.
type Table = HashMap<Box<str>, Vec<(Method, Series)>>;

fn add_table(into: &mut Table, from: &Table) {
    for (route, series) in from {
        let mine = into.entry(route.clone()).or_default();
        for (method, figures) in series {
            series_mut(mine, method).add(figures);
        }
    }
}

fn series_mut<'a>(series: &'a mut Vec<(Method, Series)>, method: &Method) -> &'a mut Series {
    let at = match series.iter().position(|(m, _)| m == method) {
        Some(at) => at,
        None => {
            series.push((method.clone(), Series::default()));
            series.len() - 1
        }
    };
    &mut series[at].1
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The tables of the threads alive. Lock order: `ENDED`, then `LIVE`, then a table.
static LIVE: Mutex<Vec<Arc<Mutex<Table>>>> = Mutex::new(Vec::new());
/// The figures of threads that have ended.
static ENDED: LazyLock<Mutex<Table>> = LazyLock::new(Mutex::default);

/// This thread's table, listed in `LIVE` while the thread lives.
struct Local(Arc<Mutex<Table>>);

impl Local {
    fn new() -> Self {
        let table = Arc::new(Mutex::new(Table::new()));
        lock(&LIVE).push(table.clone());
        Self(table)
    }
}

impl Drop for Local {
    /// Moves the figures to `ENDED` and unlists the table in one step under both locks,
    /// so that no scrape sees them twice or not at all.
    fn drop(&mut self) {
        let mut ended = lock(&ENDED);
        let mut live = lock(&LIVE);
        add_table(&mut ended, &lock(&self.0));
        live.retain(|table| !Arc::ptr_eq(table, &self.0));
    }
}

thread_local! {
    static LOCAL: Local = Local::new();
}

/// Counts one answer of `route` (its pattern, never the raw path) to `method`.
pub fn record(route: &str, method: &Method, status: u16, seconds: f64) {
    let bucket = BUCKETS
        .iter()
        .position(|&bound| seconds <= bound)
        .unwrap_or(BUCKETS.len());
    // Nothing is counted on a thread that is being torn down.
    let _ = LOCAL.try_with(|local| {
        let mut table = lock(&local.0);
        let series = match table.get_mut(route) {
            Some(series) => series,
            None => table.entry(route.into()).or_default(),
        };
        let figures = series_mut(series, method);
        *figures.status_mut(status) += 1;
        figures.buckets[bucket] += 1;
        figures.sum += seconds;
    });
}

/// Every thread's figures, summed.
fn snapshot() -> Table {
    let ended = lock(&ENDED);
    let live = lock(&LIVE);
    let mut all = ended.clone();
    for table in live.iter() {
        add_table(&mut all, &lock(table));
    }
    all
}

/// `http_requests_total` and `http_request_duration_seconds` in Prometheus' text format
/// (as the exporter writes its own metrics), appended to `out`; nothing before the first
/// request.
pub fn render(out: &mut String) {
    let table = snapshot();
    let mut rows: Vec<(&str, &Method, &Series)> = table
        .iter()
        .flat_map(|(route, series)| series.iter().map(move |(m, s)| (&**route, m, s)))
        .collect();
    if rows.is_empty() {
        return;
    }
    rows.sort_by(|a, b| (a.0, a.1.as_str()).cmp(&(b.0, b.1.as_str())));

    out.push_str("# TYPE http_requests_total counter\n");
    for (route, method, series) in &rows {
        let labels = labels(method, route);
        let mut statuses = series.statuses.clone();
        statuses.sort_unstable();
        for (status, n) in statuses {
            let _ = writeln!(
                out,
                "http_requests_total{{{labels},status=\"{status}\"}} {n}"
            );
        }
    }
    out.push('\n');

    out.push_str("# TYPE http_request_duration_seconds histogram\n");
    for (route, method, series) in &rows {
        let labels = labels(method, route);
        let mut cumulative = 0;
        for (i, n) in series.buckets.iter().enumerate() {
            cumulative += n;
            let le = BUCKETS.get(i).map_or("+Inf".to_string(), f64::to_string);
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
            );
        }
        let sum = series.sum;
        let _ = writeln!(out, "http_request_duration_seconds_sum{{{labels}}} {sum}");
        let _ = writeln!(
            out,
            "http_request_duration_seconds_count{{{labels}}} {cumulative}"
        );
    }
    out.push('\n');
}

/// `method="…",route="…"`, values escaped as the text format wants.
fn labels(method: &Method, route: &str) -> String {
    let mut route_text = String::with_capacity(route.len());
    for c in route.chars() {
        match c {
            '\\' => route_text.push_str("\\\\"),
            '"' => route_text.push_str("\\\""),
            '\n' => route_text.push_str("\\n"),
            c => route_text.push(c),
        }
    }
    format!("method=\"{}\",route=\"{route_text}\"", method.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrape() -> String {
        let mut out = String::new();
        render(&mut out);
        out
    }

    fn value(text: &str, series: &str) -> u64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Figures recorded on threads that have ended, and on live ones, are all in the next
    /// scrape, once each.
    #[test]
    fn every_request_is_counted_once_wherever_it_ran() {
        let route = "/test/every-request/{id}";
        let counter =
            format!("http_requests_total{{method=\"GET\",route=\"{route}\",status=\"200\"}}");
        let count =
            format!("http_request_duration_seconds_count{{method=\"GET\",route=\"{route}\"}}");
        let fast = format!(
            "http_request_duration_seconds_bucket{{method=\"GET\",route=\"{route}\",le=\"0.001\"}}"
        );
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(move || {
                    for _ in 0..250 {
                        record(route, &Method::GET, 200, 0.0002);
                    }
                })
            })
            .collect();
        for _ in 0..10 {
            record(route, &Method::GET, 200, 3.0);
        }
        record(route, &Method::GET, 404, 0.01);
        for thread in threads {
            thread.join().unwrap();
        }
        let text = scrape();
        assert_eq!(value(&text, &counter), 1010, "{text}");
        assert_eq!(value(&text, &count), 1011, "{text}");
        assert_eq!(value(&text, &fast), 1000, "{text}");
        assert!(text.contains(&format!(
            "http_requests_total{{method=\"GET\",route=\"{route}\",status=\"404\"}} 1\n"
        )));
        assert!(text.contains(&format!(
            "http_request_duration_seconds_bucket{{method=\"GET\",route=\"{route}\",le=\"+Inf\"}} 1011\n"
        )));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(
            labels(&Method::POST, "/a\"b\\c"),
            r#"method="POST",route="/a\"b\\c""#
        );
    }
}
