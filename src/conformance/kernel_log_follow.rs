//! The node's kernel log followed through a conformance run. The kernel keeps its log in a ring
//! buffer: on a busy node every pod's network setup writes lines to it too, and old lines are
//! dropped within minutes (on this project's 2-core machine, after a few catalogue runs, the
//! buffer held the last 330 s; a 16-minute `--long` run lost its OOM probes' lines entirely).
//! One read at the end, or one as each OOM probe settles, can miss the first kills of a probe
//! that ran for two minutes on a loaded node; reads every few seconds, kept here, cannot.

/// What the reads of `dmesg` held, each line once, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KernelLogFollow {
    text: String,
    /// The newest timestamp kept (seconds since boot).
    newest: Option<f64>,
}

impl KernelLogFollow {
    /// Keeps the lines of `read` (a whole `dmesg`, `[seconds since boot] text`) newer than any
    /// kept so far; returns how many. A record's lines share its timestamp and come whole in
    /// each read, so "newer" never cuts one. Lines without a timestamp are not kernel records.
    pub fn take(&mut self, read: &str) -> usize {
        let mut newest = self.newest;
        let mut kept = 0;
        for line in read.lines() {
            let Some(ts) = timestamp(line) else {
                continue;
            };
            if self.newest.is_some_and(|n| ts <= n) {
                continue;
            }
            self.text.push_str(line);
            self.text.push('\n');
            kept += 1;
            newest = Some(newest.map_or(ts, |n: f64| n.max(ts)));
        }
        self.newest = newest;
        kept
    }

    /// Every line kept, as one log.
    pub fn text(&self) -> &str {
        &self.text
    }
}

fn timestamp(line: &str) -> Option<f64> {
    let rest = line.trim_start().strip_prefix('[')?;
    let (ts, _) = rest.split_once(']')?;
    ts.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of the kinds this machine's kernel (6.18) wrote during an e2e run, the `oom-kill:`
    /// ones shortened: a veth's lines and an OOM kill, then reads that have lost them to the
    /// ring buffer and gained a second kill.
    #[test]
    fn reads_that_overlap_keep_each_line_once_and_what_the_buffer_dropped() {
        let first = "[13867.536757] cni0: port 3(veth8da5145f) entered blocking state
[13867.536801] veth8da5145f: entered promiscuous mode
[13870.100000] oom-kill:constraint=CONSTRAINT_MEMCG,task_memcg=/crashlab/kubepods/burstable/pod1/abc,task=crashprobe,pid=7,uid=0
[13870.100000] Memory cgroup out of memory: Killed process 7 (crashprobe) total-vm:67448kB
";
        let second = "[13870.100000] oom-kill:constraint=CONSTRAINT_MEMCG,task_memcg=/crashlab/kubepods/burstable/pod1/abc,task=crashprobe,pid=7,uid=0
[13870.100000] Memory cgroup out of memory: Killed process 7 (crashprobe) total-vm:67448kB
[13875.2] oom-kill:constraint=CONSTRAINT_MEMCG,task_memcg=/crashlab/kubepods/burstable/pod1/def,task=crashprobe,pid=9,uid=0
";
        // The buffer turned over: the first kill is gone from the node's log.
        let third = "[13875.2] oom-kill:constraint=CONSTRAINT_MEMCG,task_memcg=/crashlab/kubepods/burstable/pod1/def,task=crashprobe,pid=9,uid=0
[13890.0] cni0: port 4(veth0c1d2e3f) entered disabled state
";
        let mut f = KernelLogFollow::default();
        assert_eq!(f.take(first), 4);
        assert_eq!(f.take(second), 1);
        assert_eq!(f.take(second), 0, "nothing new");
        assert_eq!(f.take(third), 1);
        assert!(!third.contains("/abc,"));
        let kills = super::super::node_evidence::parse_kernel_log(f.text());
        let ids: Vec<&str> = kills.iter().map(|k| k.container_id.as_str()).collect();
        assert_eq!(
            ids,
            ["abc", "def"],
            "the first kill survives its loss from the buffer"
        );
        assert_eq!(
            super::super::node_evidence::count_kernel_lines(f.text(), 13860.0),
            (1, 0)
        );
    }

    #[test]
    fn lines_without_a_timestamp_are_not_records() {
        let mut f = KernelLogFollow::default();
        assert_eq!(f.take("dmesg: read kernel buffer failed\n\n[1.5] x\n"), 1);
        assert_eq!(f.text(), "[1.5] x\n");
    }
}
