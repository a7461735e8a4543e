//! Background tasks that must not die quietly. Each runs under a supervisor: when it
//! panics, the cause is logged and the task is started again after a pause that grows while
//! it keeps failing. A task that returns has finished its work and is not restarted. State
//! a task needs across restarts (a queue's receiving end) lives outside the task, where a
//! panic cannot take it.

use std::future::Future;
use std::time::{Duration, Instant};

const FIRST_PAUSE: Duration = Duration::from_millis(50);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);
/// A run this long resets the pause: the task had recovered.
const HEALTHY_AFTER: Duration = Duration::from_secs(60);

/// Runs `task()` on the current runtime under supervision; `name` names it in the log.
pub fn spawn<F, Fut>(name: &'static str, mut task: F) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut pause = FIRST_PAUSE;
        loop {
            let started = Instant::now();
            match tokio::spawn(task()).await {
                Ok(()) => return,
                Err(error) if error.is_panic() => {
                    let cause = panic_message(error.into_panic());
                    tracing::error!(task = name, %cause, "background task panicked; starting it again");
                }
                // Cancelled: the runtime is shutting down.
                Err(_) => return,
            }
            if started.elapsed() > HEALTHY_AFTER {
                pause = FIRST_PAUSE;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(LONGEST_PAUSE);
        }
    })
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload.downcast_ref::<&str>().map_or_else(
            || "a panic without a message".to_owned(),
            |s| (*s).to_owned(),
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::sync::{Mutex, mpsc};

    use super::*;

    #[tokio::test]
    async fn a_task_that_panics_is_started_again_with_its_queue_intact() {
        let (sender, receiver) = mpsc::channel::<u32>(8);
        let receiver = Arc::new(Mutex::new(receiver));
        let (seen_tx, mut seen) = mpsc::channel::<u32>(8);
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&runs);
        let supervisor = spawn("test", move || {
            let receiver = Arc::clone(&receiver);
            let seen_tx = seen_tx.clone();
            let run = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                let mut receiver = receiver.lock().await;
                while let Some(n) = receiver.recv().await {
                    if n == 0 && run == 0 {
                        panic!("the first run fails on zero");
                    }
                    let _ = seen_tx.send(n).await;
                }
            }
        });
        for n in [0, 1, 2] {
            sender.send(n).await.unwrap();
        }
        let wait = Duration::from_secs(5);
        assert_eq!(
            tokio::time::timeout(wait, seen.recv()).await.unwrap(),
            Some(1)
        );
        assert_eq!(
            tokio::time::timeout(wait, seen.recv()).await.unwrap(),
            Some(2)
        );
        assert_eq!(runs.load(Ordering::SeqCst), 2, "restarted once");
        drop(sender);
        tokio::time::timeout(wait, supervisor)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            runs.load(Ordering::SeqCst),
            2,
            "a task that returns is not restarted"
        );
    }
}
