;;; perf-event-output and trace-printk: a sample struct is sent to a perf
;;; event array (no reader is attached in the test, so the helper reports
;;; ENOENT), and a formatted message goes to the trace pipe; the helpers'
;;; results are kept for userspace.

(defstruct sample (ifindex u32) (len u32))

(defmap samples :type :perf-event-array :key-size 4 :value-size 4 :max-entries 64)
(defmap results :type :array :key-size 4 :value-size 8 :max-entries 2)

(defprog sampler (:type :xdp)
  (let ((s (make-sample)))
    (setf (sample-ifindex s) (ctx ingress-ifindex)
          (sample-len s) (- (ctx data-end) (ctx data)))
    (setf (getmap results 0) (perf-event-output samples s (sizeof sample)))
    (setf (getmap results 1) (trace-printk "xdp sample len=%d" 18 (sample-len s))))
  XDP_PASS)

;; run: sampler pkt=udp -> 2
;; -ENOENT: no perf event for this CPU
;; map: results 0 -> 0xfffffffffffffffe
;; trace-printk returns the bytes it wrote
;; map: results 1 -> >0
