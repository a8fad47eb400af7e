//! A few dedicated, low-priority threads for password hashing.
//!
//! Argon2id is meant to be expensive. On the shared blocking pool a sign-in storm
//! competed as an equal with the threads serving every other request, and the task
//! list's p99 during a storm rose to 3x its idle value. Here hashing gets its own
//! threads (half the cores, so the other half always serves requests) and, on Linux,
//! the lowest priority (nice 19): the scheduler then lets request threads preempt a
//! hash, which only delays sign-ins by the time those short requests take. Measured
//! (2 cores, `bench/`): list p99 during a storm 3.0-3.7 ms at nice 10, 2.3 ms at nice
//! 19, 2.8-3.2 ms as `SCHED_IDLE`; sign-ins 29/s, 23-26/s and 21/s. What remains is
//! argon2's working set evicting everyone else's cache lines.
//!
//! The queue is bounded: a flood of sign-ins (or of unknown e-mails, each costing a dummy
//! hash) gets [`PoolError::Busy`] at once instead of a backlog that outlives the request
//! timeout, and a job whose caller has gone (timed out, disconnected) is skipped.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{mpsc, Arc, Mutex},
    thread,
};

use tokio::sync::{oneshot, Semaphore};

type Job = Box<dyn FnOnce() + Send>;

/// The scheduler's niceness of hashing threads (0 is normal, 19 the lowest priority).
const NICENESS: i32 = 19;

/// Jobs queued or running per hashing thread before callers are turned away. A hash
/// takes tens of milliseconds, so a full queue is about a second of work: far below the
/// request timeout (30 s), so an accepted sign-in is answered in time; and twice the
/// sign-in storm's 16 connections in `bench/`, so ordinary bursts never see a refusal.
pub const JOBS_PER_THREAD: usize = 32;

/// Why [`HashPool::run`] returned no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolError {
    /// The queue is full: try again shortly.
    Busy,
    /// The job panicked, or no hashing thread is running.
    Failed,
}

pub struct HashPool {
    /// `Sender` is `Sync`: callers on any runtime thread send without a lock.
    jobs: mpsc::Sender<Job>,
    /// One permit per job queued or running; a job holds its permit until it is done.
    slots: Arc<Semaphore>,
    capacity: usize,
}

impl HashPool {
    /// Starts `threads` (at least one) hashing threads, with [`JOBS_PER_THREAD`] each.
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        Self::with_capacity(threads, threads * JOBS_PER_THREAD)
    }

    /// Starts `threads` (at least one) hashing threads that accept at most `capacity`
    /// (at least one) jobs queued or running.
    pub fn with_capacity(threads: usize, capacity: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            let spawned = thread::Builder::new()
                .name(format!("hash-{n}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match queue.lock().map(|q| q.recv()) {
                            Ok(Ok(job)) => job,
                            _ => return, // the pool is gone
                        };
                        // A panicking job fails its caller (its reply is dropped), not the thread.
                        let _ = catch_unwind(AssertUnwindSafe(job));
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a hashing thread");
            }
        }
        let capacity = capacity.max(1);
        Self {
            jobs,
            slots: Arc::new(Semaphore::new(capacity)),
            capacity,
        }
    }

    /// Jobs queued or running now.
    pub fn in_flight(&self) -> usize {
        self.capacity - self.slots.available_permits()
    }

    /// Runs `work` on a hashing thread, or refuses at once with [`PoolError::Busy`] when
    /// the queue is full. If this future is dropped before its turn comes (the request
    /// timed out or the client left), `work` is skipped.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PoolError> {
        let permit = Arc::clone(&self.slots)
            .try_acquire_owned()
            .map_err(|_| PoolError::Busy)?;
        let (reply, answer) = oneshot::channel();
        let span = tracing::Span::current();
        let job: Job = Box::new(move || {
            if reply.is_closed() {
                return; // the caller has gone; the permit is freed with the job
            }
            let result = span.in_scope(work);
            drop(permit);
            let _ = reply.send(result);
        });
        self.jobs.send(job).map_err(|_| PoolError::Failed)?;
        answer.await.map_err(|_| PoolError::Failed)
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux, PRIO_PROCESS with a thread id sets that one thread's niceness.
    // SAFETY: plain syscalls on the calling thread, no memory is shared.
    let result = unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICENESS)
    };
    if result != 0 {
        tracing::debug!("could not lower the hashing threads' priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{
        sync::atomic::{AtomicUsize, Ordering},
        time::Duration,
    };
    use tokio::task::JoinHandle;

    #[tokio::test]
    async fn runs_work_and_survives_a_panic() {
        let pool = HashPool::new(1);
        assert_eq!(pool.run(|| 2 + 2).await, Ok(4));
        assert_eq!(
            pool.run(|| -> i32 { panic!("boom") }).await,
            Err(PoolError::Failed)
        );
        // The one thread is still there, and the panicked job's slot is free again.
        assert_eq!(pool.run(|| "still here").await, Ok("still here"));
        assert_eq!(pool.in_flight(), 0);
    }

    /// Occupies the pool's one thread until the returned sender is dropped or sent to.
    async fn block_the_thread(pool: &Arc<HashPool>) -> (mpsc::Sender<()>, JoinHandle<()>) {
        let (release, gate) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel::<()>();
        let blocker = {
            let pool = Arc::clone(pool);
            tokio::spawn(async move {
                let job = move || {
                    let _ = started_tx.send(());
                    let _ = gate.recv();
                };
                pool.run(job).await.expect("the blocking job runs");
            })
        };
        // Let the spawned task submit its job, then wait until the thread has taken it.
        while pool.in_flight() == 0 {
            tokio::task::yield_now().await;
        }
        started.recv().expect("the blocking job starts");
        (release, blocker)
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let pool = Arc::new(HashPool::with_capacity(1, 2));
        let (release, blocker) = block_the_thread(&pool).await;
        let queued = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { pool.run(|| "queued").await })
        };
        while pool.in_flight() < 2 {
            tokio::task::yield_now().await;
        }
        // Running and queued fill the two slots: a third caller is refused without waiting.
        let refused = tokio::time::timeout(Duration::from_secs(1), pool.run(|| "third")).await;
        assert_eq!(refused, Ok(Err(PoolError::Busy)));
        release.send(()).unwrap();
        blocker.await.unwrap();
        assert_eq!(queued.await.unwrap(), Ok("queued"));
        assert_eq!(pool.run(|| "room again").await, Ok("room again"));
    }

    #[tokio::test]
    async fn work_of_a_caller_that_left_is_skipped() {
        let pool = Arc::new(HashPool::new(1));
        let (release, blocker) = block_the_thread(&pool).await;
        let runs = Arc::new(AtomicUsize::new(0));
        let abandoned = {
            let runs = Arc::clone(&runs);
            pool.run(move || runs.fetch_add(1, Ordering::SeqCst))
        };
        // Poll it once (so its job is queued behind the blocker), then drop it: the
        // caller has gone, as when a request times out or its client disconnects.
        tokio::select! {
            biased;
            _ = abandoned => unreachable!("the thread is busy"),
            _ = std::future::ready(()) => {}
        }
        assert_eq!(pool.in_flight(), 2);
        release.send(()).unwrap();
        blocker.await.unwrap();
        // One thread takes jobs in order: once this one ran, the abandoned one was seen.
        assert_eq!(pool.run(|| ()).await, Ok(()));
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        assert_eq!(pool.in_flight(), 0);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_lower_priority() {
        let pool = HashPool::new(1);
        let nice = pool
            .run(|| unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) })
            .await;
        assert_eq!(nice, Ok(NICENESS));
    }
}
