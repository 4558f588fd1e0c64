;;; kfuncs: a syscall program (run with BPF_PROG_TEST_RUN) acquires a task by
;;; pid with bpf-task-from-pid, reads its tgid and parent through the BTF
;;; pointer (direct CO-RE loads) and releases it; a NULL result is counted.

;; requires: btf

(import-kernel-struct task_struct pid tgid real_parent)

(defglobal target-pid u32 0 :section :rodata)
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 3)

(defprog find-task (:type :syscall)
  (let ((task (bpf-task-from-pid target-pid)))
    (if task
        (progn
          (setf (getmap out 0) (task-struct-tgid task)
                (getmap out 1) (task-struct-tgid (task-struct-real-parent task)))
          (bpf-task-release task))
        (incf (getmap out 2))))
  (let ((none (bpf-task-from-pid -5)))
    (when none
      (bpf-task-release none)))
  0)

;; global: target-pid = $PID
;; run: find-task -> 0
;; map: out 0 -> $PID
;; map: out 1 -> $PPID
;; map: out 2 -> 0
