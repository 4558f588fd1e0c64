;;; BTF-typed task: a tp_btf program on sys_enter takes the current task from
;;; get-current-task-btf and reads task_struct fields with direct loads whose
;;; offsets are CO-RE relocations; the syscall number comes from the context.

;; requires: btf

(import-kernel-struct task_struct pid tgid real_parent)

(defglobal target-pid u32 0 :section :rodata)
(defconstant +nr-getppid+ #+arm64 173 #-arm64 110)

(defmap info :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog sys-enter (:type :tp-btf :section "tp_btf/sys_enter")
  (let ((task (get-current-task-btf))
        (nr (ctx-load u64 8)))
    (when (and (= nr +nr-getppid+)
               (= (task-struct-tgid task) target-pid))
      (incf (getmap info 0))
      (setf (getmap info 1) (task-struct-pid task)
            (getmap info 2) (task-struct-tgid (task-struct-real-parent task)))))
  0)

;; global: target-pid = $PID
;; attach: sys-enter
;; trigger: getppid
;; trigger: getppid
;; map: info 0 -> 2
;; map: info 1 -> $PID
;; map: info 2 -> $PPID
