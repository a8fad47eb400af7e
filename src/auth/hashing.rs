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
//! argon2's 19 MiB working set evicting everyone else's cache lines.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{mpsc, Arc, Mutex},
    thread,
};

type Job = Box<dyn FnOnce() + Send>;

/// The scheduler's niceness of hashing threads (0 is normal, 19 the lowest priority).
const NICENESS: i32 = 19;

pub struct HashPool {
    /// `Sender` is `Sync`: callers on any runtime thread send without a lock.
    jobs: mpsc::Sender<Job>,
}

impl HashPool {
    /// Starts `threads` (at least one) hashing threads.
    pub fn new(threads: usize) -> Self {
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
        Self { jobs }
    }

    /// Runs `work` on a hashing thread; `None` if it panicked or no thread is running.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let span = tracing::Span::current();
        let job: Job = Box::new(move || {
            let _ = reply.send(span.in_scope(work));
        });
        self.jobs.send(job).ok()?;
        answer.await.ok()
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

    #[tokio::test]
    async fn runs_work_and_survives_a_panic() {
        let pool = HashPool::new(1);
        assert_eq!(pool.run(|| 2 + 2).await, Some(4));
        assert_eq!(pool.run(|| -> i32 { panic!("boom") }).await, None);
        // The one thread is still there.
        assert_eq!(pool.run(|| "still here").await, Some("still here"));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_lower_priority() {
        let pool = HashPool::new(1);
        let nice = pool
            .run(|| unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) })
            .await;
        assert_eq!(nice, Some(NICENESS));
    }
}
