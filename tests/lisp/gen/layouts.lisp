;;; Structs with padding, arrays, nested structs and a union, and constants:
;;; the --gen outputs must lay them out as the BPF side does.

(defconstant +max-comm+ 16)
(defconstant +event-exec+ 1)
(defconstant +event-exit+ 2)
(defconstant +neg-one+ -1)

(defstruct addr
  (ip u32)
  (port u16))

(defstruct event
  (kind u8)
  (ts u64)
  (pid u32)
  (src addr)
  (comm (array u8 16))
  (flags u16)
  (ret i32)
  (cpu u8))

(defstruct tiny (a u8) (b u8) (c u16))
(defunion either event tiny)

(defmap events :type :ringbuf :max-entries 4096)

(defprog emit (:type :xdp)
  (with-ringbuf (e events (sizeof event))
    (setf (event-kind e) +event-exec+
          (event-ts e) (ktime-get-ns)
          (event-pid e) 1
          (event-flags e) 2
          (event-ret e) -1
          (event-cpu e) (get-smp-processor-id))
    (setf (addr-ip (event-src e)) 7
          (addr-port (event-src e)) 80))
  XDP_PASS)
