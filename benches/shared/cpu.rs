//! CPU time from /proc, shared by the benchmarks: every figure they report is CPU-bound, so
//! each run says how much of the machine other processes took.

/// CPU time in clock ticks: the whole machine's busy and total time, and this process's own
/// (Linux only; elsewhere `None`).
#[derive(Clone, Copy)]
pub struct CpuTimes {
    busy: u64,
    total: u64,
    own: u64,
}

impl CpuTimes {
    pub fn now() -> Option<CpuTimes> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let ticks: Vec<u64> =
            stat.lines().next()?.split_whitespace().skip(1).filter_map(|value| value.parse().ok()).collect();
        // user nice system idle iowait irq softirq steal …
        let idle = ticks.get(3)? + ticks.get(4).unwrap_or(&0);
        let total: u64 = ticks.iter().take(8).sum();
        let own_stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let after_name: Vec<&str> = own_stat.rsplit_once(')')?.1.split_whitespace().collect();
        // utime and stime are the 14th and 15th fields, the 12th and 13th after the name.
        let own = after_name.get(11)?.parse::<u64>().ok()? + after_name.get(12)?.parse::<u64>().ok()?;
        Some(CpuTimes { busy: total - idle, total, own })
    }

    /// Share of the machine's CPU this process used since `earlier`.
    #[allow(dead_code)] // used by some benchmarks, not all
    pub fn own_since(&self, earlier: &CpuTimes) -> f64 {
        (self.own - earlier.own) as f64 / (self.total - earlier.total).max(1) as f64
    }

    /// Share of the machine's CPU that other processes used since `earlier`.
    pub fn others_since(&self, earlier: &CpuTimes) -> f64 {
        let others = (self.busy - earlier.busy).saturating_sub(self.own - earlier.own);
        others as f64 / (self.total - earlier.total).max(1) as f64
    }
}
