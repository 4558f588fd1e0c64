;;; Loops: an IPv4 header checksum verified with a dotimes over the ten
;;; 16-bit words of a copy of the header, a while loop folding the carries,
;;; break and continue.

(defmap results :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog check-ip (:type :xdp)
  (with-ipv4 (data data-end ip)
    (let ((hdr (struct-alloc 20))
          (sum u32 0)
          (nonzero 0))
      (memcpy hdr 0 ip 0 20)
      ;; the one's complement sum of the header words, carries folded
      (dotimes (i 10)
        (setf sum (+ sum (load u16 hdr (* i 2)))))
      (while (> sum #xffff)
        (setf sum (+ (logand sum #xffff) (>> sum 16))))
      (setf (getmap results 0) (if (= sum #xffff) 1 2))
      ;; count the non-zero bytes of the addresses, stopping at a 0xff byte
      (dotimes (i 8)
        (let ((b (load u8 hdr (+ 12 i))))
          (when (= b #xff) (break))
          (when (= b 0) (continue))
          (incf nonzero)))
      (setf (getmap results 1) nonzero)))
  XDP_PASS)

;; A header whose checksum field is 0 does not verify; this one does:
;; 45 00 0028 0000 4000 40 06 26ce 0a000001 0a000002
;; run: check-ip data=x"ffffffffffff00000000000108004500002800004000400626ce0a0000010a0000020000000000000000000000000000000000000000" -> 2
;; map: results 0 -> 1
;; map: results 1 -> 4
;; run: check-ip pkt=tcp:saddr=10.255.0.1 -> 2
;; map: results 0 -> 2
;; map: results 1 -> 1
