;;; fentry with a BTF task pointer: on do_sys_openat2 the current task comes
;;; from get-current-task-btf, so its imported fields are read with direct,
;;; CO-RE relocated loads (no probe reads); the first argument is read from
;;; the context.

;; requires: btf

(import-kernel-struct task_struct pid tgid real_parent)

(defglobal target-pid u32 0 :section :rodata)
(defmap info :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog openat-entry (:type :fentry :section "fentry/do_sys_openat2")
  (let ((task (get-current-task-btf)))
    (when (= (task-struct-tgid task) target-pid)
      (incf (getmap info 0))
      (setf (getmap info 1) (cast i32 (ctx-load u64 0))
            (getmap info 2) (task-struct-tgid (task-struct-real-parent task)))))
  0)

;; global: target-pid = $PID
;; attach: openat-entry
;; trigger: open /dev/null
;; map: info 0 -> 1
;; map: info 1 -> 0xffffff9c
;; map: info 2 -> $PPID
