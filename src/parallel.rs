//! Two jobs at once, one on each of the machine's two cores. Every caller
//! gives each job its own data or shares data read-only, so results never
//! depend on timing.

/// Runs `first` on a second thread and `second` on this one, and returns
/// both results. A panic in `first` is resumed here.
pub(crate) fn both<A: Send, B>(
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B,
) -> (A, B) {
    std::thread::scope(|s| {
        let first = s.spawn(first);
        let second = second();
        let first = first
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (first, second)
    })
}
