;;; Run-queue latency: sched_switch records when a preempted task was put
;;; back on the run queue and, when a task gets the CPU, adds the time it
;;; waited (in microseconds) to a log2 histogram.

;; requires: tracefs

(deftracepoint sched/sched_switch prev_pid prev_state next_pid)

(defmap enqueued :type :hash :key-size 4 :value-size 8 :max-entries 10240)
(defmap hist :type :array :key-size 4 :value-size 8 :max-entries 26)

(defconstant +task-running+ 0)
(defconstant +slots+ 26)

(defprog runqlat (:type :tracepoint :section "tracepoint/sched/sched_switch")
  (let ((prev (tp-prev-pid))
        (next (tp-next-pid)))
    ;; a task still runnable when switched out waits on the run queue
    (when (and (= (tp-prev-state) +task-running+) prev)
      (setf (getmap enqueued prev) (ktime-get-ns)))
    (when-let ((tsp (map-lookup enqueued next)))
      (let* ((delta (/ (- (ktime-get-ns) (load u64 tsp 0)) 1000))
             (slot (log2 delta)))
        (when (>= slot +slots+)
          (setf slot (- +slots+ 1)))
        (incf (getmap hist slot)))
      (remmap enqueued next)))
  0)

;; attach: runqlat
;; trigger: exec sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 0.01 & done; wait'
;; trigger: sleep 50
;; map-sum: hist > 0
