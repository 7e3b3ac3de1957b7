//! The benches' CPU clock.

use std::time::Instant;

/// This thread's CPU time in ms, `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`: nanosecond
/// precise and blind to other processes on a shared machine. (`/proc/thread-self/schedstat`,
/// used before, reads 0 where the kernel keeps no scheduler statistics, as on these
/// machines, and every figure came out 0.000 ms.) Wall time since `wall` where the clock
/// cannot be read.
pub fn cpu_ms(wall: Instant) -> f64 {
    match cpu_time::ThreadTime::try_now() {
        Ok(t) => t.as_duration().as_secs_f64() * 1e3,
        Err(_) => wall.elapsed().as_secs_f64() * 1e3,
    }
}
