;;; task_struct reader: on getppid(), the process named by a .rodata setting
;;; records its own tgid and its parent's, read from the kernel's
;;; task_struct with CO-RE relocated probe reads.

;; requires: btf
;; requires: tracefs

(import-kernel-struct task_struct pid tgid real_parent)

(defglobal target-pid u32 0 :section :rodata)
(defmap seen :type :array :key-size 4 :value-size 8 :max-entries 2)

(defprog on-getppid (:type :tracepoint :section "tracepoint/syscalls/sys_enter_getppid")
  (let* ((task (get-current-task))
         (tgid (task-struct-tgid task)))
    (when (= tgid target-pid)
      (setf (getmap seen 0) tgid)
      (let ((parent (task-struct-real-parent task)))
        (setf (getmap seen 1) (task-struct-tgid parent)))))
  0)

;; global: target-pid = $PID
;; attach: on-getppid
;; trigger: getppid
;; map: seen 0 -> $PID
;; map: seen 1 -> $PPID
