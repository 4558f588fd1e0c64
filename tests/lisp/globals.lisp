;;; Global variables: a .rodata setting filled in by the loader before load
;;; (const volatile style), .data and .bss counters the program updates and
;;; userspace reads back, a .bss array.

(defglobal drop-port u16 0 :section :rodata)
(defglobal seen u64)
(defglobal dropped u64 0 :section :data)
(defglobal last-ports (array u16 4))
(defglobal generation u32 7)

(defprog gate (:type :xdp)
  (incf seen)
  (with-tcp (data data-end tcp)
    (setf (load u16 last-ports (* 2 (logand seen 3))) (tcp-dst-port tcp))
    (when (= (tcp-dst-port tcp) drop-port)
      (incf dropped)
      (return XDP_DROP)))
  (if (= generation 7) XDP_PASS XDP_ABORTED))

;; global: drop-port = 8080
;; run: gate pkt=tcp:dport=8080 -> 1
;; run: gate pkt=tcp:dport=80 -> 2
;; run: gate pkt=udp:dport=8080 -> 2
;; map: .bss 0 -> 3
;; map: .data 0 -> 1
