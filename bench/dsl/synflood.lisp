;;; SYN-flood limiter: count SYNs per source address in a hash map, drop a
;;; source once it sent more than the threshold; stats in an array:
;;; 0 = SYNs seen, 1 = dropped, 2 = new sources.
;;; (A benchmark of bench/dsl-insns; tests/lisp has it with test expectations.)

(defmap syn-counter :type :hash :key-size 4 :value-size 8 :max-entries 32768)
(defmap syn-stats :type :array :key-size 4 :value-size 8 :max-entries 3)

(defconstant +syn-threshold+ 100)

(defprog synflood (:type :xdp :license "GPL")
  (with-tcp (data data-end tcp)
    (when (= (logand (tcp-flags tcp) #x12) +tcp-syn+)
      (incf (getmap syn-stats 0))
      (let ((src (ipv4-src-addr (+ data +eth-hdr-len+))))
        (if-let (p (map-lookup syn-counter src))
          (if (> (load u64 p 0) +syn-threshold+)
              (progn
                (incf (getmap syn-stats 1))
                (return XDP_DROP))
              (atomic-add p 0 1))
          (progn
            (incf (getmap syn-stats 2))
            (setf (getmap syn-counter src) 1))))))
  XDP_PASS)

