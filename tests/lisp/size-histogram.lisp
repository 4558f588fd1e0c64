;;; Packet size histogram with log2 buckets, plus signed arithmetic: the
;;; difference from a 128-byte reference size, kept as min and max with
;;; signed comparisons.

(defmap sizes :type :array :key-size 4 :value-size 8 :max-entries 16)
(defmap extremes :type :array :key-size 4 :value-size 8 :max-entries 2)

(defprog size-hist (:type :xdp)
  (let ((len (- (ctx data-end) (ctx data))))
    (incf (getmap sizes (min (log2 len) 15)))
    (let ((delta i32 (- len 128)))
      (when-let ((lo (map-lookup extremes 0)))
        (when (s< delta (cast i32 (load u64 lo 0)))
          (store u64 lo 0 delta)))
      (when-let ((hi (map-lookup extremes 1)))
        (when (s> delta (cast i32 (load u64 hi 0)))
          (store u64 hi 0 delta)))))
  XDP_PASS)

;; run: size-hist pkt=tcp -> 2
;; run: size-hist pkt=tcp:payload=100 -> 2
;; run: size-hist pkt=tcp:payload=1000 -> 2
;; 60 -> bucket 5, 154 -> 7, 1054 -> 10
;; map: sizes 5 -> 1
;; map: sizes 7 -> 1
;; map: sizes 10 -> 1
;; min: 60 - 128 = -68 (sign-extended to 64 bits), max 1054 - 128 = 926
;; map: extremes 0 -> 0xffffffffffffffbc
;; map: extremes 1 -> 926
