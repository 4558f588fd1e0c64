;;; A port blocker for XDP: drops TCP packets to a port and counts them by
;;; source address.  `defconstant` and `defmacro` run at compile time;
;;; `--gen c,python` writes the userspace view of the key.
;;;
;;;   whistler compile examples/port_blocker.lisp -o port_blocker.bpf.o --gen c
;;;   whistler load port_blocker.bpf.o

(defconstant +blocked-port+ 9999)

(defstruct drop-key
  (saddr u32)
  (dport u16)
  (pad u16))

(defmap drops :type :hash :key-size 8 :value-size 8 :max-entries 1024)
(defmap total :type :array :key-size 4 :value-size 8 :max-entries 1)

(defmacro drop-and-count (&rest counters)
  "Counts the packet in each (MAP KEY) of COUNTERS, then drops it."
  `(progn
     ,@(loop for (map key) in counters collect `(incf (getmap ,map ,key)))
     (return XDP_DROP)))

(defprog block-port (:type :xdp :license "GPL")
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) +blocked-port+)
      (let ((key (make-drop-key)))
        (setf (drop-key-saddr key) (ipv4-src-addr (+ data +eth-hdr-len+))
              (drop-key-dport key) +blocked-port+)
        (drop-and-count (drops key) (total 0)))))
  XDP_PASS)

;; Checked by ctest (examples.port_blocker) in the kernel with BPF_PROG_TEST_RUN:
;; run: block-port pkt=tcp:dport=9999,saddr=10.0.0.1 -> 1
;; run: block-port pkt=tcp:dport=9999,saddr=10.0.0.1 -> 1
;; run: block-port pkt=tcp:dport=80,saddr=10.0.0.1 -> 2
;; run: block-port pkt=udp:dport=9999 -> 2
;; run: block-port pkt=tcp:dport=9999,saddr=10.0.0.2,truncate=40 -> 2
;; map: drops 0x0000270f0100000a -> 2
;; map: total 0 -> 2
