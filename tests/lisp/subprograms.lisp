;;; BPF-to-BPF calls: defun-bpf functions (real subprograms, called with
;;; arguments in registers) shared by two programs; a function taking a
;;; pointer to a stack struct.

(defstruct stats (packets u64) (bytes u64))

(defmap totals :type :array :key-size 4 :value-size 8 :max-entries 4)

(defun-bpf bump ((slot u32) (by u64))
  (when-let ((p (map-lookup totals slot)))
    (atomic-add p 0 by))
  0)

(defun-bpf clamp ((v u64) (lo u64) (hi u64))
  (cond ((< v lo) lo)
        ((> v hi) hi)
        (t v)))

(defun-bpf account ((s (ptr stats)) (len u64))
  (setf (stats-packets s) (+ (stats-packets s) 1)
        (stats-bytes s) (+ (stats-bytes s) len))
  (stats-bytes s))

(defprog xdp-sizes (:type :xdp)
  (let* ((len (- (ctx data-end) (ctx data)))
         (s (make-stats)))
    (account s len)
    (account s 1)
    (bump 0 (stats-packets s))
    (bump 1 (clamp len 64 100)))
  XDP_PASS)

(defprog tc-sizes (:type :tc)
  (bump 2 (clamp (ctx len) 0 1000))
  TC_ACT_OK)

;; run: xdp-sizes pkt=tcp -> 2
;; run: xdp-sizes pkt=tcp:payload=200 -> 2
;; run: tc-sizes pkt=udp -> 0
;; map: totals 0 -> 4
;; map: totals 1 -> 164
;; map: totals 2 -> 60
