//! Work spread over every core with scoped threads, results in order: the demo's devices and
//! the benchmarks sign and verify on all cores, as separate machines would.

/// The cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f(i)` for `0..n` on every core, results in order. Below `MIN_PER_THREAD` items per
/// thread the work stays on the calling thread (a thread costs more than it saves).
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    const MIN_PER_THREAD: usize = 32;
    let threads = cores().min(n / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return (0..n).map(f).collect();
    }
    let per = n.div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| s.spawn(move || (t * per..((t + 1) * per).min(n)).map(f).collect::<Vec<T>>()))
            .collect();
        handles
            .into_iter()
            // a worker's panic is re-raised: dropping its part would misalign the results
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_their_order_at_every_size() {
        for n in [0, 1, 31, 64, 65, 1_000] {
            assert_eq!(
                super::map(n, |i| i * 3),
                (0..n).map(|i| i * 3).collect::<Vec<_>>()
            );
        }
    }
}
