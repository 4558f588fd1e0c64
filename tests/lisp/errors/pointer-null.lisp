;;; A maybe-NULL pointer passed to a helper before its check.
(defmap m :type :hash :key-size 4 :value-size 16 :max-entries 8)

(defprog p (:type :tracepoint :section "tracepoint/syscalls/sys_enter_openat")
  (let ((v (map-lookup m 1)))
    (get-current-comm v 16))
  0)
