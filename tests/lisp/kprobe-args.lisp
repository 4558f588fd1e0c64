;;; kprobe with register arguments: on do_sys_openat2 (dfd, filename,
;;; how) remember the last dfd and count the calls of the target process.

;; requires: kprobes

(defglobal target-pid u32 0 :section :rodata)
(defmap opens :type :array :key-size 4 :value-size 8 :max-entries 2)

(defprog on-openat (:type :kprobe :section "kprobe/do_sys_openat2")
  (when (= (>> (get-current-pid-tgid) 32) target-pid)
    (incf (getmap opens 0))
    (setf (getmap opens 1) (cast i32 (pt-regs-parm1))))
  0)

;; global: target-pid = $PID
;; attach: on-openat
;; trigger: open /dev/null
;; trigger: open /dev/null
;; map: opens 0 -> 2
;; AT_FDCWD
;; map: opens 1 -> 0xffffff9c
