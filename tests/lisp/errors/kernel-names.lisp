;;; Kernel names are checked against kernel BTF and tracefs.
(import-kernel-struct task_struct pid tgidd)
(import-kernel-struct task_strct pid)
(deftracepoint sched/sched_switch prev_pid next_pidd)
