;;; raw tracepoint arguments, run with BPF_PROG_TEST_RUN: the context is the
;;; tracepoint's u64 arguments; the program folds them into a checksum.

(defmap sums :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog fold-args (:type :raw-tracepoint :section "raw_tp/sys_enter")
  (let ((a (ctx args 0))
        (b (ctx args 1)))
    (setf (getmap sums 0) (logxor (* a 31) b))
    (if (> a b) 1 0)))

;; run: fold-args ctx=x"05000000000000000300000000000000" -> 1
;; map: sums 0 -> 152
;; run: fold-args ctx=x"01000000000000000900000000000000" -> 0
;; map: sums 0 -> 22
